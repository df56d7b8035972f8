{{ config(materialized='table') }}

{#- One row per active LMS user linked to an ODS student: by a manual override, or by its
    source system's matching rule when that rule finds exactly one student. Deleted users are
    not linked; ambiguous and unmatched users are in lmsx.exceptions_lmsuser. -#}
with users as (

    select * from {{ ref('int_lms__users_state') }}
    where deletedat is null

),

students as (

    select * from {{ source('edfi', 'student') }}

),

overrides as (

    select * from {{ ref(var('edfi_lms', {}).get('user_overrides', 'lmsuser_student_overrides')) }}

),

manual as (

    select distinct users.sourcesystem, users.sourcesystemidentifier, students.studentusi,
        'manual' as matchrule
    from overrides
    inner join users
        on {{ edfi_lms.match_key('users.sourcesystem') }} = {{ edfi_lms.match_key('overrides.sourcesystem') }}
        and {{ edfi_lms.match_key('users.sourcesystemidentifier') }} = {{ edfi_lms.match_key('overrides.sourcesystemidentifier') }}
    inner join students
        on {{ edfi_lms.match_key('students.studentuniqueid') }} = {{ edfi_lms.match_key('overrides.studentuniqueid') }}

),

candidates as (

    select * from {{ ref('int_lms__user_match_candidates') }}

),

candidate_counts as (

    select sourcesystem, sourcesystemidentifier, count(distinct studentusi) as candidate_count
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
    where candidate_counts.candidate_count = 1 and manual.studentusi is null

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
        students.id as edfistudentid,
        students.studentusi,
        students.studentuniqueid,
        links.matchrule
    from links
    inner join students on students.studentusi = links.studentusi

)

select * from final
