{{ config(materialized='table') }}

{#- One row per active LMS section linked to an ODS section: by a manual override, or by its
    source system's matching rule when that rule finds exactly one section. -#}
with sections as (

    select * from {{ ref('int_lms__sections_state') }}
    where deletedat is null

),

ods_sections as (

    select * from {{ source('edfi', 'section') }}

),

overrides as (

    select * from {{ ref(var('edfi_lms', {}).get('section_overrides', 'lmssection_section_overrides')) }}

),

manual as (

    select distinct
        sections.sourcesystem,
        sections.sourcesystemidentifier,
        ods_sections.localcoursecode,
        ods_sections.schoolid,
        ods_sections.schoolyear,
        ods_sections.sessionname,
        ods_sections.sectionidentifier,
        'manual' as matchrule
    from overrides
    inner join sections
        on {{ edfi_lms.match_key('sections.sourcesystem') }} = {{ edfi_lms.match_key('overrides.sourcesystem') }}
        and {{ edfi_lms.match_key('sections.sourcesystemidentifier') }} = {{ edfi_lms.match_key('overrides.sourcesystemidentifier') }}
    inner join ods_sections
        on {{ edfi_lms.match_key('ods_sections.localcoursecode') }} = {{ edfi_lms.match_key('overrides.localcoursecode') }}
        and ods_sections.schoolid = overrides.schoolid
        and ods_sections.schoolyear = overrides.schoolyear
        and {{ edfi_lms.match_key('ods_sections.sessionname') }} = {{ edfi_lms.match_key('overrides.sessionname') }}
        and {{ edfi_lms.match_key('ods_sections.sectionidentifier') }} = {{ edfi_lms.match_key('overrides.sectionidentifier') }}

),

candidates as (

    select * from {{ ref('int_lms__section_match_candidates') }}

),

candidate_counts as (

    select sourcesystem, sourcesystemidentifier, count(*) as candidate_count
    from candidates
    group by sourcesystem, sourcesystemidentifier

),

rule_links as (

    select candidates.*
    from candidates
    inner join candidate_counts
        on candidate_counts.sourcesystem = candidates.sourcesystem
        and candidate_counts.sourcesystemidentifier = candidates.sourcesystemidentifier
    left join manual
        on manual.sourcesystem = candidates.sourcesystem
        and manual.sourcesystemidentifier = candidates.sourcesystemidentifier
    where candidate_counts.candidate_count = 1 and manual.sectionidentifier is null

),

links as (

    select * from manual
    union all
    select * from rule_links

),

final as (

    select
        links.sourcesystem,
        links.sourcesystemidentifier,
        ods_sections.id as edfisectionid,
        links.localcoursecode,
        links.schoolid,
        links.schoolyear,
        links.sessionname,
        links.sectionidentifier,
        links.matchrule
    from links
    inner join ods_sections
        on ods_sections.localcoursecode = links.localcoursecode
        and ods_sections.schoolid = links.schoolid
        and ods_sections.schoolyear = links.schoolyear
        and ods_sections.sessionname = links.sessionname
        and ods_sections.sectionidentifier = links.sectionidentifier

)

select * from final
