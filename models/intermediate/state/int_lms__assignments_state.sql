{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__assignments'),
    files=edfi_lms.snapshot_files_of('assignments'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'title',
        'assignmentcategory',
        'assignmentdescription',
        'startdatetime',
        'enddatetime',
        'duedatetime',
        'submissiontype',
        'maxpoints',
        'lmssectionsourcesystemidentifier',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
