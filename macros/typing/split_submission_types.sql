{#- Select every column of `relation` plus one row per element of its list column, cleaned of
    brackets, quotes and spaces; the element replaces the list column. -#}
{% macro split_submission_types(relation, column) -%}
    {{ return(adapter.dispatch('split_submission_types', 'edfi_lms')(relation, column)) }}
{%- endmacro %}

{% macro submission_type_list_text(column) -%}
    replace(replace(replace(replace({{ column }}, '[', ''), ']', ''), '''', ''), '"', '')
{%- endmacro %}

{% macro default__split_submission_types(relation, column) -%}
    select
        sourcesystem, sourcesystemidentifier, createdate, file_path, file_timestamp,
        file_row_number, loaded_at,
        nullif(trim(element), '') as {{ column }}
    from (
        select r.*, unnest(string_split({{ edfi_lms.submission_type_list_text('r.' ~ column) }}, ',')) as element
        from {{ relation }} as r
    ) as split_rows
{%- endmacro %}

{% macro postgres__split_submission_types(relation, column) -%}
    select
        r.sourcesystem, r.sourcesystemidentifier, r.createdate, r.file_path, r.file_timestamp,
        r.file_row_number, r.loaded_at,
        nullif(trim(element), '') as {{ column }}
    from {{ relation }} as r
    cross join lateral unnest(string_to_array({{ edfi_lms.submission_type_list_text('r.' ~ column) }}, ',')) as element
{%- endmacro %}

{% macro sqlserver__split_submission_types(relation, column) -%}
    select
        r.sourcesystem, r.sourcesystemidentifier, r.createdate, r.file_path, r.file_timestamp,
        r.file_row_number, r.loaded_at,
        nullif(trim(element.value), '') as {{ column }}
    from {{ relation }} as r
    cross apply string_split({{ edfi_lms.submission_type_list_text('r.' ~ column) }}, ',') as element
{%- endmacro %}
