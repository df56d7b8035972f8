with source as (

    select * from {{ source('lms_raw', 'users') }}

),

renamed as (

    select
        trim(sourcesystemidentifier) as source_system_identifier,
        trim(sourcesystem) as source_system,
        trim(userrole) as user_role,
        trim(localuseridentifier) as local_user_identifier,
        trim(sisuseridentifier) as sis_user_identifier,
        trim(name) as name,
        trim(emailaddress) as email_address,
        createdate as raw_create_date,
        lastmodifieddate as raw_last_modified_date,
        sourcecreatedate as raw_source_create_date,
        sourcelastmodifieddate as raw_source_last_modified_date,
        _file_path as file_path,
        _file_timestamp as file_timestamp,
        _row_number as file_row_number,
        _loaded_at as loaded_at
    from source

),

final as (

    select * from renamed

)

select * from final
