{#- Namespaces written into LMSX rows per source system, and the predicate that says which
    rows of an LMSX table this project owns. -#}
{% macro lmsx_namespaces() -%}
    {%- set namespaces = {'canvas': 'uri://instructure.com/canvas',
                          'google': 'uri://google.com/classroom',
                          'schoology': 'uri://schoology.com'} -%}
    {%- for source_system, namespace in var('edfi_lms', {}).get('lmsx_namespaces', {}).items() -%}
        {%- do namespaces.update({source_system | lower: namespace}) -%}
    {%- endfor -%}
    {{ return(namespaces) }}
{%- endmacro %}

{% macro lmsx_namespace_of(source_system_column) -%}
    case {{ edfi_lms.match_key(source_system_column) }}
        {% for source_system, namespace in edfi_lms.lmsx_namespaces().items() %}
        when '{{ source_system }}' then '{{ namespace }}'
        {% endfor %}
    end
{%- endmacro %}

{% macro lmsx_owned_rows() -%}
    __row__.namespace in ({% for namespace in edfi_lms.lmsx_namespaces().values() %}'{{ namespace }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- The as-of time for Schoology's synthesized submissions: var `as_of`, else the run's start
    (UTC), so a run can be reproduced. -#}
{% macro lmsx_as_of() -%}
    {%- set as_of = var('edfi_lms', {}).get('as_of') or run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {{ edfi_lms.timestamp_literal(as_of) }}
{%- endmacro %}
