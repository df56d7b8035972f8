{#- Active LMS sections that are not linked to an ODS section, and why: `no identifier`,
    `ambiguous` (several ODS sections share the SectionIdentifier; `candidates` lists their
    keys), `no candidate`, or `no matching rule` for the source system. -#}
{%- set settings = var('edfi_lms', {}) -%}
{%- set identifier_columns = {'canvas': 'sissectionidentifier', 'schoology': 'sissectionidentifier',
                              'google': 'sissectionidentifier'} -%}
{%- for source_system, rule in settings.get('section_match_rules', {}).items() -%}
    {%- do identifier_columns.update({source_system | lower: rule.get('lms_column', 'sissectionidentifier')}) -%}
{%- endfor -%}
{%- do identifier_columns.update(settings.get('section_identifier_columns', {})) -%}

with sections as (

    select * from {{ ref('lmssection') }}
    where deletedat is null

),

links as (

    select * from {{ ref('lmssection_section_link') }}

),

candidates as (

    select
        sourcesystem,
        sourcesystemidentifier,
        count(*) as candidate_count,
        {{ dbt.listagg(dbt.concat(['localcoursecode', "'/'", 'cast(schoolid as ' ~ dbt.type_string() ~ ')',
                                   "'/'", 'cast(schoolyear as ' ~ dbt.type_string() ~ ')', "'/'",
                                   'sessionname', "'/'", 'sectionidentifier']),
                       "', '", "order by localcoursecode, sessionname") }} as candidate_list
    from {{ ref('int_lms__section_match_candidates') }}
    group by sourcesystem, sourcesystemidentifier

),

final as (

    select
        sections.*,
        {{ edfi_lms.unlinked_reason('sections', identifier_columns, 'candidates.candidate_count') }} as reason,
        candidates.candidate_list as candidates
    from sections
    left join links
        on links.sourcesystem = sections.sourcesystem
        and links.sourcesystemidentifier = sections.sourcesystemidentifier
    left join candidates
        on candidates.sourcesystem = sections.sourcesystem
        and candidates.sourcesystemidentifier = sections.sourcesystemidentifier
    where links.sectionidentifier is null

)

select * from final
