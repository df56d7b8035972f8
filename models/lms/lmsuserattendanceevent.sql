with attendance as (

    select * from {{ ref('int_lms__attendance_events_state') }}

),

users as (

    select * from {{ ref('lmsuser') }}

),

sections as (

    select * from {{ ref('lmssection') }}

),

associations as (

    select * from {{ ref('lmsuserlmssectionassociation') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['attendance.sourcesystem', 'attendance.sourcesystemidentifier']) }}
            as lmsuserattendanceeventidentifier,
        attendance.sourcesystemidentifier,
        attendance.sourcesystem,
        users.lmsuseridentifier,
        sections.lmssectionidentifier,
        associations.lmsuserlmssectionassociationidentifier,
        attendance.eventdate,
        attendance.attendancestatus,
        attendance.sourcecreatedate,
        attendance.sourcelastmodifieddate,
        attendance.createdate,
        attendance.lastmodifieddate,
        attendance.deletedat
    from attendance
    inner join users
        on users.sourcesystem = attendance.sourcesystem
        and users.sourcesystemidentifier = attendance.lmsusersourcesystemidentifier
    inner join sections
        on sections.sourcesystem = attendance.sourcesystem
        and sections.sourcesystemidentifier = attendance.lmssectionsourcesystemidentifier
    left join associations
        on associations.sourcesystem = attendance.sourcesystem
        and associations.sourcesystemidentifier = attendance.lmsuserlmssectionassociationsourcesystemidentifier

)

select * from final
