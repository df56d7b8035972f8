with activities as (

    select * from {{ ref('int_lms__section_activities_state') }}

),

users as (

    select * from {{ ref('lmsuser') }}

),

sections as (

    select * from {{ ref('lmssection') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['activities.sourcesystem', 'activities.sourcesystemidentifier']) }}
            as lmssectionactivityidentifier,
        activities.sourcesystemidentifier,
        activities.sourcesystem,
        users.lmsuseridentifier,
        sections.lmssectionidentifier,
        activities.activitytype,
        activities.activitydatetime,
        activities.activitystatus,
        activities.parentsourcesystemidentifier,
        activities.activitytimeinminutes,
        activities.sourcecreatedate,
        activities.sourcelastmodifieddate,
        activities.createdate,
        activities.lastmodifieddate,
        activities.deletedat
    from activities
    inner join users
        on users.sourcesystem = activities.sourcesystem
        and users.sourcesystemidentifier = activities.lmsusersourcesystemidentifier
    inner join sections
        on sections.sourcesystem = activities.sourcesystem
        and sections.sourcesystemidentifier = activities.lmssectionsourcesystemidentifier

)

select * from final
