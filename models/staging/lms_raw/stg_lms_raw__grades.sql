{#- Typed columns keep their text beside them (`<column>_text`), so a value that does not
    parse is null here but never lost: see exceptions_unparseable_values. -#}
with source as (

    select * from {{ source('lms_raw', 'grades') }}

),

renamed as (

    select
        {{ edfi_lms.clean_text('sourcesystemidentifier') }} as sourcesystemidentifier,
        {{ edfi_lms.clean_text('sourcesystem') }} as sourcesystem,
        {{ edfi_lms.clean_text('grade') }} as grade,
        {{ edfi_lms.clean_text('gradetype') }} as gradetype,
        {{ edfi_lms.clean_text('lmsuserlmssectionassociationsourcesystemidentifier') }} as lmsuserlmssectionassociationsourcesystemidentifier,
        {{ edfi_lms.parse_timestamp('createdate') }} as createdate,
        {{ edfi_lms.parse_timestamp('lastmodifieddate') }} as lastmodifieddate,
        {{ edfi_lms.parse_timestamp('sourcecreatedate') }} as sourcecreatedate,
        {{ edfi_lms.parse_timestamp('sourcelastmodifieddate') }} as sourcelastmodifieddate,
        createdate as createdate_text,
        lastmodifieddate as lastmodifieddate_text,
        sourcecreatedate as sourcecreatedate_text,
        sourcelastmodifieddate as sourcelastmodifieddate_text,
        'grades' as resource,
        {{ edfi_lms.file_folder('_file_path') }} as scope_key,
        _file_path as file_path,
        _file_timestamp as file_timestamp,
        _row_number as file_row_number,
        _extra_columns as extra_columns,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
