{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['sourcesystem', 'assignmentsourcesystemidentifier', 'submissiontype'],
) }}

{#- A submission type's scope is its assignment: the files that speak for it are the
    assignments files that list the assignment. -#}
{{ edfi_lms.snapshot_state(
    rows=ref('stg_lms_raw__assignment_submission_types'),
    files=ref('int_lms__assignment_files'),
    key_columns=['sourcesystem', 'assignmentsourcesystemidentifier', 'submissiontype'],
    value_columns=['createdate'],
) }}
