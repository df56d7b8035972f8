{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__section_associations'),
    files=edfi_lms.snapshot_files_of('section-associations'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'enrollmentstatus',
        'startdate',
        'enddate',
        'lmsusersourcesystemidentifier',
        'lmssectionsourcesystemidentifier',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
