{#- The (lower-cased) namespace of a source system's descriptors of one kind:
    uri://ed-fi.org/edfilms/<Kind>Descriptor/<SourceSystem>. -#}
{% macro descriptor_namespace_key(kind, source_system_column) -%}
    {%- set prefix = var('edfi_lms', {}).get('descriptor_namespace_prefix', 'uri://ed-fi.org/edfilms') -%}
    lower({{ dbt.concat(["'" ~ prefix ~ "/" ~ kind ~ "Descriptor/'", 'trim(' ~ source_system_column ~ ')']) }})
{%- endmacro %}
