{#- Read a setting of this package: vars are namespaced under `edfi_lms` so a district's
    project can override them with `vars: {edfi_lms: {...}}`. -#}
{% macro edfi_lms_var(name, default=none) -%}
    {{- return(var('edfi_lms', {}).get(name, default)) -}}
{%- endmacro %}
