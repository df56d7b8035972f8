{#- A type is deleted when its assignment's newest file stops listing it, or when the
    assignment itself is deleted (whichever came first). -#}
with submission_types as (

    select * from {{ ref('int_lms__assignment_submission_types_state') }}

),

assignments as (

    select * from {{ ref('assignment') }}

),

final as (

    select
        assignments.assignmentidentifier,
        submission_types.submissiontype,
        submission_types.createdate,
        case
            when submission_types.deletedat is null then assignments.deletedat
            when assignments.deletedat is null then submission_types.deletedat
            when assignments.deletedat < submission_types.deletedat then assignments.deletedat
            else submission_types.deletedat
        end as deletedat
    from submission_types
    inner join assignments
        on assignments.sourcesystem = submission_types.sourcesystem
        and assignments.sourcesystemidentifier = submission_types.assignmentsourcesystemidentifier

)

select * from final
