{#- Candidate ODS students for Schoology users: SISUserIdentifier = StudentUniqueId. -#}
{% macro match_users_schoology(users, students, emails) -%}
    {{ return(adapter.dispatch('match_users_schoology', 'edfi_lms')(users, students, emails)) }}
{%- endmacro %}

{% macro default__match_users_schoology(users, students, emails) -%}
    {{ edfi_lms.match_users_on_column('Schoology', 'sisuseridentifier', users, students) }}
{%- endmacro %}
