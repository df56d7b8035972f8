{#- The newest load time an incremental model has already taken in: its files loaded later are
    new. An empty table means nothing was taken in yet. -#}
{% macro processed_through(column='_loaded_through') -%}
    (select coalesce(max({{ column }}), {{ edfi_lms.timestamp_literal('1900-01-01 00:00:00') }}) from {{ this }})
{%- endmacro %}
