{#- Candidate ODS sections for LMS sections of each source system: SISSectionIdentifier =
    SectionIdentifier. Returns (sourcesystem, sourcesystemidentifier, the Ed-Fi section key,
    matchrule). SectionIdentifier alone is not unique in real ODS data: several candidates make
    the section ambiguous, never a link by chance. -#}
{% macro match_sections_canvas(sections, ods_sections) -%}
    {{ return(adapter.dispatch('match_sections_canvas', 'edfi_lms')(sections, ods_sections)) }}
{%- endmacro %}

{% macro default__match_sections_canvas(sections, ods_sections) -%}
    {{ edfi_lms.match_sections_on_column('Canvas', 'sissectionidentifier', sections, ods_sections) }}
{%- endmacro %}

{% macro match_sections_schoology(sections, ods_sections) -%}
    {{ return(adapter.dispatch('match_sections_schoology', 'edfi_lms')(sections, ods_sections)) }}
{%- endmacro %}

{% macro default__match_sections_schoology(sections, ods_sections) -%}
    {{ edfi_lms.match_sections_on_column('Schoology', 'sissectionidentifier', sections, ods_sections) }}
{%- endmacro %}

{% macro match_sections_google(sections, ods_sections) -%}
    {{ return(adapter.dispatch('match_sections_google', 'edfi_lms')(sections, ods_sections)) }}
{%- endmacro %}

{% macro default__match_sections_google(sections, ods_sections) -%}
    {{ edfi_lms.match_sections_on_column('Google', 'sissectionidentifier', sections, ods_sections) }}
{%- endmacro %}

{% macro match_sections_on_column(source_system, lms_column, sections, ods_sections,
                                  ods_column='sectionidentifier') -%}
    select distinct
        sections.sourcesystem,
        sections.sourcesystemidentifier,
        ods_sections.localcoursecode,
        ods_sections.schoolid,
        ods_sections.schoolyear,
        ods_sections.sessionname,
        ods_sections.sectionidentifier,
        '{{ source_system }}: {{ lms_column }} = {{ ods_column }}' as matchrule
    from {{ sections }} as sections
    inner join {{ ods_sections }} as ods_sections
        on {{ edfi_lms.match_key('ods_sections.' ~ ods_column) }} = {{ edfi_lms.match_key('sections.' ~ lms_column) }}
    where {{ edfi_lms.match_key('sections.sourcesystem') }} = '{{ source_system | lower }}'
{%- endmacro %}
