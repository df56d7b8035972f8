{#- How identifiers are compared when matching: trimmed and case-insensitive on every engine
    (SQL Server's usual collation does this implicitly; PostgreSQL and DuckDB do not). -#}
{% macro match_key(expression) -%}
    {{ return(adapter.dispatch('match_key', 'edfi_lms')(expression)) }}
{%- endmacro %}

{% macro default__match_key(expression) -%}
    lower(trim({{ expression }}))
{%- endmacro %}
