{{ config(schema=var('edfi_lms', {}).get('staging_schema', 'lms_staging')) }}

{#- Every active LMS submission as an lmsx.assignmentsubmission row, plus Schoology's
    synthesized submissions; `reason` says why a row cannot be written (null when it can).

    Schoology reports no submission for missing or upcoming work: every student enrolled in
    the ODS section of a Schoology assignment (enrolment not ended before the due date, or
    before the as-of time when there is none) without a submission gets one, `<section>#<assignment>#<StudentUSI>`, with status
    `missing` when the due date is before the as-of time, else `Upcoming`. One per student
    and assignment, however many LMS sections map to the ODS section. -#}
with assignments as (

    select * from {{ ref('int_lmsx__assignment_rows') }}

),

submissions as (

    select * from {{ ref('assignmentsubmission') }}
    where deletedat is null

),

assignment_keys as (

    select assignmentidentifier as lmsassignmentidentifier, sourcesystemidentifier
    from {{ ref('assignment') }}

),

users as (

    select lmsuseridentifier, sourcesystem, sourcesystemidentifier from {{ ref('lmsuser') }}

),

student_links as (

    select * from {{ ref('lmsuser_student_link') }}

),

descriptors as (

    select * from {{ ref('int_lmsx__descriptors') }}
    where kind = 'SubmissionStatus'

),

value_map as (

    select * from {{ ref('descriptor_value_map') }}
    where kind = 'SubmissionStatus'

),

reported as (

    select
        submissions.sourcesystem,
        submissions.sourcesystemidentifier,
        submissions.submissionstatus,
        submissions.sourcesystemidentifier as assignmentsubmissionidentifier,
        assignments.namespace,
        student_links.studentusi,
        assignments.assignmentidentifier,
        submissions.submissiondatetime,
        cast(round(submissions.earnedpoints, 0) as integer) as earnedpoints,
        left(submissions.grade, 20) as grade,
        assignments.reason as assignment_reason
    from submissions
    inner join assignment_keys
        on assignment_keys.lmsassignmentidentifier = submissions.assignmentidentifier
    inner join assignments
        on assignments.sourcesystem = submissions.sourcesystem
        and assignments.sourcesystemidentifier = assignment_keys.sourcesystemidentifier
    inner join users on users.lmsuseridentifier = submissions.lmsuseridentifier
    left join student_links
        on student_links.sourcesystem = users.sourcesystem
        and student_links.sourcesystemidentifier = users.sourcesystemidentifier

),

schoology_assignments as (

    select * from assignments
    where {{ edfi_lms.match_key('sourcesystem') }} = 'schoology' and reason is null

),

enrolled as (

    select distinct
        schoology_assignments.sourcesystem,
        schoology_assignments.lmssectionsourcesystemidentifier,
        schoology_assignments.assignmentidentifier,
        schoology_assignments.namespace,
        schoology_assignments.duedatetime,
        enrolments.studentusi
    from schoology_assignments
    inner join {{ source('edfi', 'studentsectionassociation') }} as enrolments
        on enrolments.localcoursecode = schoology_assignments.localcoursecode
        and enrolments.schoolid = schoology_assignments.schoolid
        and enrolments.schoolyear = schoology_assignments.schoolyear
        and enrolments.sessionname = schoology_assignments.sessionname
        and enrolments.sectionidentifier = schoology_assignments.sectionidentifier
    where enrolments.enddate is null
        or enrolments.enddate >= cast(coalesce(schoology_assignments.duedatetime,
                                                {{ edfi_lms.lmsx_as_of() }}) as date)

),

synthesized as (

    select
        enrolled.sourcesystem,
        cast(null as {{ dbt.type_string() }}) as sourcesystemidentifier,
        case
            when enrolled.duedatetime < {{ edfi_lms.lmsx_as_of() }} then 'missing'
            else 'Upcoming'
        end as submissionstatus,
        {{ dbt.concat(['enrolled.lmssectionsourcesystemidentifier', "'#'", 'enrolled.assignmentidentifier',
                       "'#'", 'cast(enrolled.studentusi as ' ~ dbt.type_string() ~ ')']) }}
            as assignmentsubmissionidentifier,
        enrolled.namespace,
        enrolled.studentusi,
        enrolled.assignmentidentifier,
        cast(null as {{ dbt.type_timestamp() }}) as submissiondatetime,
        cast(null as integer) as earnedpoints,
        cast(null as {{ dbt.type_string() }}) as grade,
        cast(null as {{ dbt.type_string() }}) as assignment_reason
    from enrolled
    left join reported
        on reported.assignmentidentifier = enrolled.assignmentidentifier
        and reported.namespace = enrolled.namespace
        and reported.studentusi = enrolled.studentusi
    where reported.assignmentidentifier is null

),

all_rows as (

    select * from reported
    union all
    select * from synthesized

),

final as (

    select
        all_rows.*,
        statuses.descriptorid as submissionstatusdescriptorid,
        case
            when all_rows.assignment_reason is not null then 'assignment not written to lmsx'
            when all_rows.studentusi is null then 'user not linked to an ODS student'
            when statuses.descriptorid is null then 'missing SubmissionStatus descriptor'
        end as reason
    from all_rows
    left join value_map
        on {{ edfi_lms.match_key('value_map.sourcesystem') }} = {{ edfi_lms.match_key('all_rows.sourcesystem') }}
        and {{ edfi_lms.match_key('value_map.lms_value') }} = {{ edfi_lms.match_key('all_rows.submissionstatus') }}
    left join descriptors as statuses
        on statuses.namespace_key = {{ edfi_lms.descriptor_namespace_key('SubmissionStatus', 'all_rows.sourcesystem') }}
        and statuses.codevalue_key = {{ edfi_lms.match_key('coalesce(value_map.code_value, all_rows.submissionstatus)') }}

)

select * from final
