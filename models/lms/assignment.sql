with assignments as (

    select * from {{ ref('int_lms__assignments_state') }}

),

sections as (

    select * from {{ ref('lmssection') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['assignments.sourcesystem', 'assignments.sourcesystemidentifier']) }}
            as assignmentidentifier,
        assignments.sourcesystemidentifier,
        assignments.sourcesystem,
        sections.lmssectionidentifier,
        assignments.title,
        assignments.assignmentcategory,
        assignments.assignmentdescription,
        assignments.startdatetime,
        assignments.enddatetime,
        assignments.duedatetime,
        assignments.maxpoints,
        assignments.sourcecreatedate,
        assignments.sourcelastmodifieddate,
        assignments.createdate,
        assignments.lastmodifieddate,
        assignments.deletedat
    from assignments
    inner join sections
        on sections.sourcesystem = assignments.sourcesystem
        and sections.sourcesystemidentifier = assignments.lmssectionsourcesystemidentifier

)

select * from final
