with users as (

    select * from {{ ref('int_lms__users_state') }}

),

links as (

    select * from {{ ref('lmsuser_student_link') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['users.sourcesystem', 'users.sourcesystemidentifier']) }} as lmsuseridentifier,
        users.sourcesystemidentifier,
        users.sourcesystem,
        users.userrole,
        users.sisuseridentifier,
        users.localuseridentifier,
        users.name,
        users.emailaddress,
        users.sourcecreatedate,
        users.sourcelastmodifieddate,
        users.createdate,
        users.lastmodifieddate,
        users.deletedat,
        links.edfistudentid
    from users
    left join links
        on links.sourcesystem = users.sourcesystem
        and links.sourcesystemidentifier = users.sourcesystemidentifier

)

select * from final
