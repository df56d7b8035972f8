{{ config(schema=var('edfi_lms', {}).get('staging_schema', 'lms_staging')) }}

{#- Every ODS section each active LMS section could be, by the matching rule of its source
    system (macros match_sections_<source system>, or the `section_match_rules` var). -#}
{%- set custom_rules = var('edfi_lms', {}).get('section_match_rules', {}) -%}

with sections as (

    select * from {{ ref('int_lms__sections_state') }}
    where deletedat is null

),

ods_sections as (

    select * from {{ source('edfi', 'section') }}

),

canvas as (

    {{ edfi_lms.match_sections_canvas('sections', 'ods_sections') }}

),

schoology as (

    {{ edfi_lms.match_sections_schoology('sections', 'ods_sections') }}

),

google as (

    {{ edfi_lms.match_sections_google('sections', 'ods_sections') }}

),

{% for source_system, rule in custom_rules.items() %}
custom_{{ loop.index }} as (

    {{ edfi_lms.match_sections_on_column(source_system,
                                          rule.get('lms_column', 'sissectionidentifier'),
                                          'sections', 'ods_sections',
                                          rule.get('ods_column', 'sectionidentifier')) }}

),

{% endfor %}
final as (

    select * from canvas
    union all
    select * from schoology
    union all
    select * from google
    {% for source_system in custom_rules %}
    union all
    select * from custom_{{ loop.index }}
    {% endfor %}

)

select * from final
