{#- Text as the data store keeps it: surrounding spaces removed, empty means null. -#}
{% macro clean_text(expression) -%}
    {{ return(adapter.dispatch('clean_text', 'edfi_lms')(expression)) }}
{%- endmacro %}

{% macro default__clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}
