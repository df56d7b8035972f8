with activities as (

    select * from {{ ref('int_lms__system_activities_state') }}

),

users as (

    select * from {{ ref('lmsuser') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['activities.sourcesystem', 'activities.sourcesystemidentifier']) }}
            as lmssystemactivityidentifier,
        activities.sourcesystemidentifier,
        activities.sourcesystem,
        users.lmsuseridentifier,
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

)

select * from final
