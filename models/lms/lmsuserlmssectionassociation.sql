with associations as (

    select * from {{ ref('int_lms__section_associations_state') }}

),

users as (

    select * from {{ ref('lmsuser') }}

),

sections as (

    select * from {{ ref('lmssection') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['associations.sourcesystem', 'associations.sourcesystemidentifier']) }}
            as lmsuserlmssectionassociationidentifier,
        sections.lmssectionidentifier,
        users.lmsuseridentifier,
        associations.sourcesystemidentifier,
        associations.sourcesystem,
        associations.enrollmentstatus,
        associations.startdate,
        associations.enddate,
        associations.sourcecreatedate,
        associations.sourcelastmodifieddate,
        associations.createdate,
        associations.lastmodifieddate,
        associations.deletedat
    from associations
    inner join users
        on users.sourcesystem = associations.sourcesystem
        and users.sourcesystemidentifier = associations.lmsusersourcesystemidentifier
    inner join sections
        on sections.sourcesystem = associations.sourcesystem
        and sections.sourcesystemidentifier = associations.lmssectionsourcesystemidentifier

)

select * from final
