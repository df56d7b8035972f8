with submissions as (

    select * from {{ ref('int_lms__submissions_state') }}

),

assignments as (

    select * from {{ ref('assignment') }}

),

users as (

    select * from {{ ref('lmsuser') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['submissions.sourcesystem', 'submissions.sourcesystemidentifier']) }}
            as assignmentsubmissionidentifier,
        submissions.sourcesystemidentifier,
        submissions.sourcesystem,
        assignments.assignmentidentifier,
        users.lmsuseridentifier,
        submissions.submissionstatus,
        submissions.submissiondatetime,
        submissions.earnedpoints,
        submissions.grade,
        submissions.sourcecreatedate,
        submissions.sourcelastmodifieddate,
        submissions.createdate,
        submissions.lastmodifieddate,
        submissions.deletedat
    from submissions
    inner join assignments
        on assignments.sourcesystem = submissions.sourcesystem
        and assignments.sourcesystemidentifier = submissions.assignmentsourcesystemidentifier
    inner join users
        on users.sourcesystem = submissions.sourcesystem
        and users.sourcesystemidentifier = submissions.lmsusersourcesystemidentifier

)

select * from final
