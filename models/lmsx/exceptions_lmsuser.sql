{#- Active LMS students that are not linked to an ODS student, and why:
    `no identifier` (the column the rule compares is empty), `ambiguous` (several students
    match; `candidates` lists their StudentUniqueIds), `no candidate`, or `no matching rule`
    for the source system. -#}
{%- set settings = var('edfi_lms', {}) -%}
{%- set identifier_columns = {'canvas': 'sisuseridentifier', 'schoology': 'sisuseridentifier',
                              'google': 'emailaddress'} -%}
{%- for source_system, rule in settings.get('user_match_rules', {}).items() -%}
    {%- do identifier_columns.update({source_system | lower: rule.get('lms_column',
        'emailaddress' if rule.get('match_on') == 'email' else 'sisuseridentifier')}) -%}
{%- endfor -%}
{%- do identifier_columns.update(settings.get('user_identifier_columns', {})) -%}

with users as (

    select * from {{ ref('lmsuser') }}
    where deletedat is null and {{ edfi_lms.match_key('userrole') }} = 'student'

),

links as (

    select * from {{ ref('lmsuser_student_link') }}

),

candidates as (

    select
        candidates.sourcesystem,
        candidates.sourcesystemidentifier,
        count(distinct candidates.studentusi) as candidate_count,
        {{ dbt.listagg('students.studentuniqueid', "', '", "order by students.studentuniqueid") }}
            as candidate_list
    from {{ ref('int_lms__user_match_candidates') }} as candidates
    inner join {{ source('edfi', 'student') }} as students
        on students.studentusi = candidates.studentusi
    group by candidates.sourcesystem, candidates.sourcesystemidentifier

),

final as (

    select
        users.*,
        {{ edfi_lms.unlinked_reason('users', identifier_columns, 'candidates.candidate_count') }} as reason,
        candidates.candidate_list as candidates
    from users
    left join links
        on links.sourcesystem = users.sourcesystem
        and links.sourcesystemidentifier = users.sourcesystemidentifier
    left join candidates
        on candidates.sourcesystem = users.sourcesystem
        and candidates.sourcesystemidentifier = users.sourcesystemidentifier
    where links.studentusi is null

)

select * from final
