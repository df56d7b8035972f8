{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['resource', 'file_path'],
) }}

{#- One row per loaded snapshot file and source system: the files whose order decides soft
    deletes. A file without rows (header only) speaks for the source system its folder has
    always had; in a folder shared by several source systems it speaks for none (see
    exceptions_ambiguous_empty_files). -#}
{%- set resources = ['users', 'sections', 'section_associations', 'assignments', 'submissions',
                     'attendance_events', 'section_activities', 'grades', 'system_activities'] -%}

with ledger as (

    select resource, file_path, scope_key, file_timestamp, row_count, loaded_at
    from {{ ref('stg_lms_raw__ingest_ledger') }}
    where status = 'loaded'
    {% if is_incremental() %}
        and loaded_at > {{ edfi_lms.processed_through('loaded_at') }}
    {% endif %}

),

row_source_systems as (

    {% for resource in resources %}
    select distinct file_path, sourcesystem
    from {{ ref('stg_lms_raw__' ~ resource) }}
    where sourcesystem is not null
    {% if is_incremental() %}
        and loaded_at > {{ edfi_lms.processed_through('loaded_at') }}
    {% endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

files_with_rows as (

    select ledger.resource, ledger.file_path, ledger.scope_key, ledger.file_timestamp,
        ledger.row_count, ledger.loaded_at, row_source_systems.sourcesystem
    from ledger
    inner join row_source_systems on row_source_systems.file_path = ledger.file_path

),

folder_source_systems as (

    select resource, scope_key, sourcesystem from files_with_rows
    {% if is_incremental() %}
    union
    select resource, scope_key, sourcesystem from {{ this }} where sourcesystem is not null
    {% endif %}

),

single_source_folders as (

    select resource, scope_key, min(sourcesystem) as sourcesystem
    from folder_source_systems
    group by resource, scope_key
    having count(distinct sourcesystem) = 1

),

empty_files as (

    select ledger.resource, ledger.file_path, ledger.scope_key, ledger.file_timestamp,
        ledger.row_count, ledger.loaded_at, single_source_folders.sourcesystem
    from ledger
    left join single_source_folders
        on single_source_folders.resource = ledger.resource
        and single_source_folders.scope_key = ledger.scope_key
    where ledger.row_count = 0

),

final as (

    select * from files_with_rows
    union all
    select * from empty_files

)

select * from final
