{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__attendance_events'),
    files=edfi_lms.snapshot_files_of('attendance-events'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'eventdate',
        'attendancestatus',
        'lmssectionsourcesystemidentifier',
        'lmsusersourcesystemidentifier',
        'lmsuserlmssectionassociationsourcesystemidentifier',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
