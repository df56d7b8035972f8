{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__submissions'),
    files=edfi_lms.snapshot_files_of('submissions'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'submissionstatus',
        'submissiondatetime',
        'earnedpoints',
        'grade',
        'assignmentsourcesystemidentifier',
        'lmsusersourcesystemidentifier',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
