{#- The snapshot files of one resource, as the `files` argument of snapshot_state. -#}
{% macro snapshot_files_of(resource) -%}
    (select * from {{ ref('int_lms__snapshot_files') }} where resource = '{{ resource }}')
{%- endmacro %}
