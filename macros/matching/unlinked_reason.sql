{#- Why an active LMS record has no link: the column its source system's rule compares is
    empty (`no identifier`), its source system has no rule (`no matching rule`), several ODS
    records match (`ambiguous`), or none does (`no candidate`).
    identifier_columns: lower-cased source system -> column its rule compares. -#}
{% macro unlinked_reason(record, identifier_columns, candidate_count) -%}
    case
        {% for source_system, column in identifier_columns.items() %}
        when {{ edfi_lms.match_key(record ~ '.sourcesystem') }} = '{{ source_system | lower }}'
            and {{ edfi_lms.clean_text(record ~ '.' ~ column) }} is null then 'no identifier'
        {% endfor %}
        when {{ edfi_lms.match_key(record ~ '.sourcesystem') }} not in (
            {%- for source_system in identifier_columns %}'{{ source_system | lower }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ) then 'no matching rule'
        when {{ candidate_count }} > 1 then 'ambiguous'
        else 'no candidate'
    end
{%- endmacro %}
