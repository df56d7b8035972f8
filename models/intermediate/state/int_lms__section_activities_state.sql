{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__section_activities'),
    files=edfi_lms.snapshot_files_of('section-activities'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'activitytype',
        'activitydatetime',
        'activitystatus',
        'parentsourcesystemidentifier',
        'activitytimeinminutes',
        'lmssectionsourcesystemidentifier',
        'lmsusersourcesystemidentifier',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
