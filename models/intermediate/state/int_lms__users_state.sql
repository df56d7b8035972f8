{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__users'),
    files=edfi_lms.snapshot_files_of('users'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'userrole',
        'localuseridentifier',
        'sisuseridentifier',
        'name',
        'emailaddress',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
