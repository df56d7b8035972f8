{#- Schemas are used exactly as configured (lms_raw, lms, lmsx, ...) rather than prefixed with the
    target schema, because other tools query them by these names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
