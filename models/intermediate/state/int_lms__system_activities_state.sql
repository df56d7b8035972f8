{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__system_activities'),
    files=edfi_lms.snapshot_files_of('system-activities'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'lmsusersourcesystemidentifier',
        'activitytype',
        'activitydatetime',
        'activitystatus',
        'parentsourcesystemidentifier',
        'activitytimeinminutes',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
