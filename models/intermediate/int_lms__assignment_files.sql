{{ config(materialized='view') }}

{#- For each assignment, the assignments files that list it: the snapshots that speak for its
    submission types. -#}
with assignment_rows as (

    select sourcesystem, sourcesystemidentifier, file_path, file_timestamp, loaded_at
    from {{ ref('stg_lms_raw__assignments') }}
    where sourcesystem is not null and sourcesystemidentifier is not null

),

final as (

    select distinct
        sourcesystem,
        sourcesystemidentifier as scope_key,
        file_path,
        file_timestamp,
        loaded_at
    from assignment_rows

)

select * from final
