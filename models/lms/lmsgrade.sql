with grades as (

    select * from {{ ref('int_lms__grades_state') }}

),

associations as (

    select * from {{ ref('lmsuserlmssectionassociation') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['grades.sourcesystem', 'grades.sourcesystemidentifier']) }}
            as lmsgradeidentifier,
        grades.sourcesystemidentifier,
        grades.sourcesystem,
        associations.lmsuserlmssectionassociationidentifier,
        associations.lmsuseridentifier,
        associations.lmssectionidentifier,
        grades.grade,
        grades.gradetype,
        grades.sourcecreatedate,
        grades.sourcelastmodifieddate,
        grades.createdate,
        grades.lastmodifieddate,
        grades.deletedat
    from grades
    inner join associations
        on associations.sourcesystem = grades.sourcesystem
        and associations.sourcesystemidentifier = grades.lmsuserlmssectionassociationsourcesystemidentifier

)

select * from final
