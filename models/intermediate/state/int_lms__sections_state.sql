{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'sourcesystemidentifier'],
) }}

{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__sections'),
    files=edfi_lms.snapshot_files_of('sections'),
    key_columns=['sourcesystem', 'sourcesystemidentifier'],
    value_columns=[
        'sissectionidentifier',
        'title',
        'sectiondescription',
        'term',
        'lmssectionstatus',
        'createdate',
        'lastmodifieddate',
        'sourcecreatedate',
        'sourcelastmodifieddate',
    ],
) }}
