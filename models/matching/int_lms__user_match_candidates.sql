{{ config(schema=var('edfi_lms', {}).get('staging_schema', 'lms_staging')) }}

{#- Every ODS student each active LMS student could be, by the matching rule of its source
    system (macros match_users_<source system>, or the `user_match_rules` var for others). -#}
{%- set custom_rules = var('edfi_lms', {}).get('user_match_rules', {}) -%}

with users as (

    select * from {{ ref('int_lms__users_state') }}
    where deletedat is null and {{ edfi_lms.match_key('userrole') }} = 'student'

),

students as (

    select * from {{ source('edfi', 'student') }}

),

emails as (

    select * from {{ source('edfi', 'studenteducationorganizationassociationelectronicmail') }}

),

canvas as (

    {{ edfi_lms.match_users_canvas('users', 'students', 'emails') }}

),

schoology as (

    {{ edfi_lms.match_users_schoology('users', 'students', 'emails') }}

),

google as (

    {{ edfi_lms.match_users_google('users', 'students', 'emails') }}

),

{% for source_system, rule in custom_rules.items() %}
custom_{{ loop.index }} as (

    {% if rule.get('match_on') == 'email' -%}
    {{ edfi_lms.match_users_on_email(source_system, 'users', 'emails',
                                      rule.get('lms_column', 'emailaddress')) }}
    {%- else -%}
    {{ edfi_lms.match_users_on_column(source_system, rule.get('lms_column', 'sisuseridentifier'),
                                       'users', 'students',
                                       rule.get('ods_column', 'studentuniqueid')) }}
    {%- endif %}

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
