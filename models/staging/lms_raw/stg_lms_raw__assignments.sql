{#- Typed columns keep their text beside them (`<column>_text`), so a value that does not
    parse is null here but never lost: see exceptions_unparseable_values. -#}
with source as (

    select * from {{ source('lms_raw', 'assignments') }}

),

renamed as (

    select
        {{ edfi_lms.clean_text('sourcesystemidentifier') }} as sourcesystemidentifier,
        {{ edfi_lms.clean_text('sourcesystem') }} as sourcesystem,
        {{ edfi_lms.clean_text('title') }} as title,
        {{ edfi_lms.clean_text('assignmentcategory') }} as assignmentcategory,
        {{ edfi_lms.clean_text('assignmentdescription') }} as assignmentdescription,
        {{ edfi_lms.parse_timestamp('startdatetime') }} as startdatetime,
        {{ edfi_lms.parse_timestamp('enddatetime') }} as enddatetime,
        {{ edfi_lms.parse_timestamp('duedatetime') }} as duedatetime,
        {{ edfi_lms.clean_text('submissiontype') }} as submissiontype,
        {{ edfi_lms.parse_decimal('maxpoints') }} as maxpoints,
        {{ edfi_lms.clean_text('lmssectionsourcesystemidentifier') }} as lmssectionsourcesystemidentifier,
        {{ edfi_lms.parse_timestamp('createdate') }} as createdate,
        {{ edfi_lms.parse_timestamp('lastmodifieddate') }} as lastmodifieddate,
        {{ edfi_lms.parse_timestamp('sourcecreatedate') }} as sourcecreatedate,
        {{ edfi_lms.parse_timestamp('sourcelastmodifieddate') }} as sourcelastmodifieddate,
        startdatetime as startdatetime_text,
        enddatetime as enddatetime_text,
        duedatetime as duedatetime_text,
        maxpoints as maxpoints_text,
        createdate as createdate_text,
        lastmodifieddate as lastmodifieddate_text,
        sourcecreatedate as sourcecreatedate_text,
        sourcelastmodifieddate as sourcelastmodifieddate_text,
        'assignments' as resource,
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
