{#- Keep an existing ODS table in step with the model's rows, without ever dropping,
    recreating or altering it: its keys, defaults, ids, foreign keys and triggers stay.

    Config:
      unique_key      key columns of the ODS table (list)
      sync_columns    the other columns this project writes (list)
      touch_column    set to the current time on rows whose synced columns changed (optional)
      managed_filter  predicate on the table's own rows: the rows this project owns; only
                      those are ever updated or deleted (e.g. the LMS namespaces)
      cascade         tables whose rows reference a deleted row by the same key columns (list
                      of 'schema.table'); their rows are deleted first

    Statements, in order: delete owned rows the model no longer has (their referencing rows
    first), update rows whose synced columns differ (null-safe), insert new rows (the table's
    defaults fill ids and create dates). A run with nothing new changes no row. -#}
{% materialization lmsx_sync, default %}
    {%- set key_columns = config.require('unique_key') -%}
    {%- set sync_columns = config.get('sync_columns', []) -%}
    {%- set touch_column = config.get('touch_column') -%}
    {%- set managed_filter = config.get('managed_filter', '1 = 1') -%}
    {%- set cascade = config.get('cascade', []) -%}
    {%- set target_relation = adapter.get_relation(database=this.database, schema=this.schema,
                                                   identifier=this.identifier) -%}
    {%- if target_relation is none -%}
        {{ exceptions.raise_compiler_error(
            "ODS table " ~ this ~ " does not exist. This project never creates ODS tables: "
            ~ "point the profile at an Ed-Fi ODS with the LMSX extension (or run `ingest demo-ods`).") }}
    {%- endif -%}
    {%- set desired = "(" ~ sql ~ ")" -%}

    {{ run_hooks(pre_hooks) }}

    {%- for table in cascade %}
    {% call statement('cascade_' ~ loop.index) -%}
        {{ edfi_lms.lmsx_sync_cascade_sql(table, target_relation, desired, key_columns, managed_filter) }}
    {%- endcall %}
    {%- endfor %}
    {%- if cascade %}{{ edfi_lms.lmsx_sync_after_cascade() }}{% endif %}

    {% call statement('delete_rows', fetch_result=False) -%}
        {{ edfi_lms.lmsx_sync_delete_sql(target_relation, desired, key_columns, managed_filter) }}
    {%- endcall %}

    {% if sync_columns %}
    {% call statement('update_rows', fetch_result=False) -%}
        {{ edfi_lms.lmsx_sync_update_sql(target_relation, desired, key_columns, sync_columns, touch_column, managed_filter) }}
    {%- endcall %}
    {% endif %}

    {% call statement('main', fetch_result=False) -%}
        {{ edfi_lms.lmsx_sync_insert_sql(target_relation, desired, key_columns, sync_columns) }}
    {%- endcall %}

    {{ run_hooks(post_hooks) }}
    {% do adapter.commit() %}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- DuckDB checks foreign keys against the state before the transaction began, so the rows
    that reference a deleted row must be committed as deleted first. -#}
{% macro lmsx_sync_after_cascade() -%}
    {{ return(adapter.dispatch('lmsx_sync_after_cascade', 'edfi_lms')()) }}
{%- endmacro %}

{% macro default__lmsx_sync_after_cascade() -%}
{%- endmacro %}

{% macro duckdb__lmsx_sync_after_cascade() -%}
    {% do adapter.commit() %}
{%- endmacro %}


{% macro lmsx_key_match(left, right, key_columns) -%}
    {% for column in key_columns %}{{ left }}.{{ column }} = {{ right }}.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}


{% macro lmsx_sync_cascade_sql(table, target, desired, key_columns, managed_filter) -%}
    {{ return(adapter.dispatch('lmsx_sync_cascade_sql', 'edfi_lms')(table, target, desired, key_columns, managed_filter)) }}
{%- endmacro %}

{% macro default__lmsx_sync_cascade_sql(table, target, desired, key_columns, managed_filter) -%}
    delete from {{ table }}
    where exists (
        select 1 from {{ target }} as owned
        where {{ edfi_lms.lmsx_key_match('owned', table, key_columns) }}
            and ({{ managed_filter | replace('__row__', 'owned') }})
            and not exists (
                select 1 from {{ desired }} as desired
                where {{ edfi_lms.lmsx_key_match('desired', 'owned', key_columns) }}
            )
    )
{%- endmacro %}


{% macro lmsx_sync_delete_sql(target, desired, key_columns, managed_filter) -%}
    {{ return(adapter.dispatch('lmsx_sync_delete_sql', 'edfi_lms')(target, desired, key_columns, managed_filter)) }}
{%- endmacro %}

{% macro default__lmsx_sync_delete_sql(target, desired, key_columns, managed_filter) -%}
    delete from {{ target }}
    where ({{ managed_filter | replace('__row__', target) }})
        and not exists (
            select 1 from {{ desired }} as desired
            where {{ edfi_lms.lmsx_key_match('desired', target, key_columns) }}
        )
{%- endmacro %}


{% macro lmsx_sync_update_sql(target, desired, key_columns, sync_columns, touch_column, managed_filter) -%}
    {{ return(adapter.dispatch('lmsx_sync_update_sql', 'edfi_lms')(target, desired, key_columns, sync_columns, touch_column, managed_filter)) }}
{%- endmacro %}

{% macro default__lmsx_sync_update_sql(target, desired, key_columns, sync_columns, touch_column, managed_filter) -%}
    update {{ target }}
    set
        {% for column in sync_columns %}{{ column }} = desired.{{ column }},
        {% endfor -%}
        {% if touch_column %}{{ touch_column }} = current_timestamp{% else %}{{ sync_columns[0] }} = desired.{{ sync_columns[0] }}{% endif %}
    from {{ desired }} as desired
    where {{ edfi_lms.lmsx_key_match('desired', target, key_columns) }}
        and ({{ managed_filter | replace('__row__', target) }})
        and (
            {% for column in sync_columns %}{{ target }}.{{ column }} is distinct from desired.{{ column }}{% if not loop.last %}
            or {% endif %}{% endfor %}
        )
{%- endmacro %}

{#- DuckDB rewrites a row when any indexed column (a key or foreign key) is set, even to the
    same value, and refuses that for rows other tables reference: touch the changed rows
    first, then set each column only where it differs. -#}
{% macro duckdb__lmsx_sync_update_sql(target, desired, key_columns, sync_columns, touch_column, managed_filter) -%}
    {%- set changed -%}
        {% for column in sync_columns %}{{ target }}.{{ column }} is distinct from desired.{{ column }}{% if not loop.last %} or {% endif %}{% endfor %}
    {%- endset -%}
    {% if touch_column %}
    update {{ target }} set {{ touch_column }} = current_timestamp
    from {{ desired }} as desired
    where {{ edfi_lms.lmsx_key_match('desired', target, key_columns) }}
        and ({{ managed_filter | replace('__row__', target) }}) and ({{ changed }});
    {% endif %}
    {% for column in sync_columns %}
    update {{ target }} set {{ column }} = desired.{{ column }}
    from {{ desired }} as desired
    where {{ edfi_lms.lmsx_key_match('desired', target, key_columns) }}
        and ({{ managed_filter | replace('__row__', target) }})
        and {{ target }}.{{ column }} is distinct from desired.{{ column }};
    {% endfor %}
{%- endmacro %}

{% macro sqlserver__lmsx_sync_update_sql(target, desired, key_columns, sync_columns, touch_column, managed_filter) -%}
    update owned
    set
        {% for column in sync_columns %}owned.{{ column }} = desired.{{ column }}{% if not loop.last or touch_column %},{% endif %}
        {% endfor -%}
        {% if touch_column %}owned.{{ touch_column }} = sysdatetime(){% endif %}
    from {{ target }} as owned
    inner join {{ desired }} as desired
        on {{ edfi_lms.lmsx_key_match('desired', 'owned', key_columns) }}
    where ({{ managed_filter | replace('__row__', 'owned') }})
        and (
            {% for column in sync_columns %}not (owned.{{ column }} = desired.{{ column }} or (owned.{{ column }} is null and desired.{{ column }} is null)){% if not loop.last %}
            or {% endif %}{% endfor %}
        );
{%- endmacro %}


{% macro lmsx_sync_insert_sql(target, desired, key_columns, sync_columns) -%}
    {{ return(adapter.dispatch('lmsx_sync_insert_sql', 'edfi_lms')(target, desired, key_columns, sync_columns)) }}
{%- endmacro %}

{% macro default__lmsx_sync_insert_sql(target, desired, key_columns, sync_columns) -%}
    {%- set columns = key_columns + sync_columns -%}
    insert into {{ target }} ({{ columns | join(', ') }})
    select {% for column in columns %}desired.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ desired }} as desired
    where not exists (
        select 1 from {{ target }} as existing
        where {{ edfi_lms.lmsx_key_match('existing', 'desired', key_columns) }}
    )
{%- endmacro %}
