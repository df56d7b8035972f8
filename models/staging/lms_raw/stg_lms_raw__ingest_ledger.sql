with source as (

    select * from {{ source('lms_raw', 'ingest_ledger') }}

),

renamed as (

    select
        file_path,
        resource,
        {{ edfi_lms.file_folder('file_path') }} as scope_key,
        file_timestamp,
        size_bytes,
        sha256,
        row_count,
        status,
        reason,
        load_id,
        loaded_at
    from source

)

select * from renamed
