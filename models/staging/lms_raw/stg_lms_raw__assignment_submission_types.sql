{#- One row per submission type listed by an assignment row. Extractors write the list as
    `['online_text_entry', 'online_upload']` or as a single value. -#}
with assignments as (

    select * from {{ ref('stg_lms_raw__assignments') }}
    where submissiontype is not null

),

exploded as (

    {{ edfi_lms.split_submission_types('assignments', 'submissiontype') }}

),

final as (

    {#- a type listed twice in one row counts once -#}
    select distinct
        sourcesystem,
        sourcesystemidentifier as assignmentsourcesystemidentifier,
        submissiontype,
        createdate,
        sourcesystemidentifier as scope_key,
        file_path,
        file_timestamp,
        file_row_number,
        loaded_at
    from exploded
    where submissiontype is not null

)

select * from final
