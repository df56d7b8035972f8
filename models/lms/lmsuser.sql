with users as (

    select * from {{ ref('int_lms__users_state') }}

),

final as (

    select
        {{ edfi_lms.surrogate_key(['sourcesystem', 'sourcesystemidentifier']) }} as lmsuseridentifier,
        sourcesystemidentifier,
        sourcesystem,
        userrole,
        sisuseridentifier,
        localuseridentifier,
        name,
        emailaddress,
        sourcecreatedate,
        sourcelastmodifieddate,
        createdate,
        lastmodifieddate,
        deletedat,
        cast(null as {{ dbt.type_string() }}) as edfistudentid
    from users

)

select * from final
