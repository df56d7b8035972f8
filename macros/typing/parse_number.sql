{#- Numbers from extractor text, or null when the text is not a number (never fails the run). -#}
{% macro parse_decimal(expression) -%}
    {{ return(adapter.dispatch('parse_decimal', 'edfi_lms')(expression)) }}
{%- endmacro %}

{% macro default__parse_decimal(expression) -%}
    try_cast(trim({{ expression }}) as decimal(18, 4))
{%- endmacro %}

{% macro postgres__parse_decimal(expression) -%}
    case when trim({{ expression }}) ~ '^[+-]?([0-9]{1,14}(\.[0-9]*)?|\.[0-9]+)$'
        then cast(trim({{ expression }}) as decimal(18, 4)) end
{%- endmacro %}

{% macro sqlserver__parse_decimal(expression) -%}
    try_convert(decimal(18, 4), trim({{ expression }}))
{%- endmacro %}


{% macro parse_integer(expression) -%}
    {{ return(adapter.dispatch('parse_integer', 'edfi_lms')(expression)) }}
{%- endmacro %}

{% macro default__parse_integer(expression) -%}
    try_cast(trim({{ expression }}) as integer)
{%- endmacro %}

{% macro postgres__parse_integer(expression) -%}
    case when trim({{ expression }}) ~ '^[+-]?[0-9]{1,9}$'
        then cast(trim({{ expression }}) as integer) end
{%- endmacro %}

{% macro sqlserver__parse_integer(expression) -%}
    try_convert(integer, trim({{ expression }}))
{%- endmacro %}
