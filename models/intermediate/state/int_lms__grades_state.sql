{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__grades'),
    files=edfi_lms.snapshot_files_of('grades'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'grade',
        'gradetype',
        'lmsuserlmssectionassociationsourcesystemidentifier',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
