{#- The state of each record of one resource, as a pure function of its snapshot files.

    Within a scope (source system + folder), the newest file is the truth. A record's values
    come from the newest file that has it; `deletedat` is the timestamp of the first file of
    its scope after that one (null while the newest file has it). Duplicate keys in one file:
    the last row wins.

    Incremental runs take in only files loaded since the last run and rewrite only the records
    of the scopes those files speak for. A scope is recomputed from all its files when a new
    file is older than one already taken in, or a file's content changed.

    rows:  relation with the key and value columns plus sourcesystem, scope_key, file_path,
           file_timestamp, file_row_number, loaded_at.
    files: relation with sourcesystem, scope_key, file_path, file_timestamp, loaded_at.
-#}
{% macro snapshot_state(rows, files, key_columns, value_columns) -%}
{%- set keys = key_columns | join(', ') -%}
{%- set tracked = key_columns + value_columns + ['scope_key'] -%}
{%- set watermark = edfi_lms.processed_through() -%}
{#- A row without its identifiers cannot be a record (see exceptions_missing_identifiers).
    The filter is repeated in each branch rather than put in a shared CTE: PostgreSQL would
    materialize such a CTE over all of history before the load-time filter applies. -#}
{%- set has_keys -%}
    {% for column in key_columns %}source_rows.{{ column }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
{%- endset -%}

with all_files as (

    select distinct sourcesystem, scope_key, file_path, file_timestamp, loaded_at
    from {{ files }} as snapshot_files
    where sourcesystem is not null

),

changed_paths as (

    select distinct file_path
    from {{ ref('stg_lms_raw__ingest_ledger') }}
    where status = 'replaced'

),

{% if is_incremental() %}
new_files as (

    select * from all_files where loaded_at > {{ watermark }}

),

previous_newest as (

    select sourcesystem, scope_key, max(file_timestamp) as newest_file_timestamp
    from all_files
    where loaded_at <= {{ watermark }}
    group by sourcesystem, scope_key

),

recomputed_scopes as (

    select distinct new_files.sourcesystem, new_files.scope_key
    from new_files
    left join previous_newest
        on previous_newest.sourcesystem = new_files.sourcesystem
        and previous_newest.scope_key = new_files.scope_key
    left join changed_paths on changed_paths.file_path = new_files.file_path
    where new_files.file_timestamp <= previous_newest.newest_file_timestamp
        or changed_paths.file_path is not null

),

considered_rows as (

    select source_rows.* from {{ rows }} as source_rows
    where source_rows.loaded_at > {{ watermark }} and {{ has_keys }}
    union all
    select source_rows.*
    from {{ rows }} as source_rows
    inner join recomputed_scopes
        on recomputed_scopes.sourcesystem = source_rows.sourcesystem
        and recomputed_scopes.scope_key = source_rows.scope_key
    where source_rows.loaded_at <= {{ watermark }} and {{ has_keys }}

),

affected_scopes as (

    select distinct sourcesystem, scope_key from new_files

),
{% else %}
considered_rows as (

    select source_rows.* from {{ rows }} as source_rows where {{ has_keys }}

),

affected_scopes as (

    select distinct sourcesystem, scope_key from all_files

),
{% endif %}

last_in_file as (

    select
        considered_rows.*,
        row_number() over (
            partition by {{ keys }}, file_path order by file_row_number desc
        ) as position_from_end
    from considered_rows

),

newest_appearance as (

    select
        last_in_file.*,
        row_number() over (
            partition by {{ keys }} order by file_timestamp desc, file_path desc
        ) as recency
    from last_in_file
    where position_from_end = 1

),

seen as (

    select
        {% for column in tracked %}{{ column }},
        {% endfor -%}
        file_timestamp as last_seen_at,
        file_path as last_seen_file_path,
        file_row_number as last_seen_row_number,
        cast(null as {{ dbt.type_timestamp() }}) as previous_deletedat,
        1 as seen_now
    from newest_appearance
    where recency = 1

),

candidates as (

    select * from seen
    {% if is_incremental() %}
    union all
    select
        {% for column in tracked %}existing.{{ column }},
        {% endfor -%}
        existing.last_seen_at,
        existing.last_seen_file_path,
        existing.last_seen_row_number,
        existing.deletedat as previous_deletedat,
        0 as seen_now
    from {{ this }} as existing
    inner join affected_scopes
        on affected_scopes.sourcesystem = existing.sourcesystem
        and affected_scopes.scope_key = existing.scope_key
    left join seen
        on {% for column in key_columns %}seen.{{ column }} = existing.{{ column }}{% if not loop.last %}
        and {% endif %}{% endfor %}
    where seen.{{ key_columns[-1] }} is null
    {% endif %}

),

file_order as (

    select
        files_in_scope.sourcesystem,
        files_in_scope.scope_key,
        files_in_scope.file_timestamp,
        lead(files_in_scope.file_timestamp) over (
            partition by files_in_scope.sourcesystem, files_in_scope.scope_key
            order by files_in_scope.file_timestamp
        ) as next_file_timestamp
    from (
        select distinct all_files.sourcesystem, all_files.scope_key, all_files.file_timestamp
        from all_files
        inner join affected_scopes
            on affected_scopes.sourcesystem = all_files.sourcesystem
            and affected_scopes.scope_key = all_files.scope_key
    ) as files_in_scope

),

final as (

    select
        {% for column in tracked %}candidates.{{ column }},
        {% endfor -%}
        candidates.last_seen_at,
        candidates.last_seen_file_path,
        candidates.last_seen_row_number,
        case
            when candidates.seen_now = 1 or candidates.previous_deletedat is null
                then file_order.next_file_timestamp
            else candidates.previous_deletedat
        end as deletedat,
        (select max(loaded_at) from all_files) as _loaded_through
    from candidates
    left join file_order
        on file_order.sourcesystem = candidates.sourcesystem
        and file_order.scope_key = candidates.scope_key
        and file_order.file_timestamp = candidates.last_seen_at

)

select * from final
{%- endmacro %}
