{#- Trim and fold runs of spaces to one, as extractors write `2020-08-20  12:34:56`. -#}
{% macro squish(expression) -%}
    {{ return(adapter.dispatch('squish', 'edfi_lms')(expression)) }}
{%- endmacro %}

{% macro default__squish(expression) -%}
    nullif(trim(regexp_replace({{ expression }}, ' +', ' ', 'g')), '')
{%- endmacro %}

{% macro sqlserver__squish(expression) -%}
    {#- No regular expressions before SQL Server 2025: fold up to eight spaces. -#}
    nullif(trim(replace(replace(replace({{ expression }}, '  ', ' '), '  ', ' '), '  ', ' ')), '')
{%- endmacro %}
