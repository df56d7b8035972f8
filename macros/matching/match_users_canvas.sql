{#- Candidate ODS students for Canvas users: SISUserIdentifier = StudentUniqueId.
    Returns rows (sourcesystem, sourcesystemidentifier, studentusi, matchrule) for the users
    of `users` (active students of every source system) and the students of `students`. A
    district overrides it with a macro `default__match_users_canvas` in its own project. -#}
{% macro match_users_canvas(users, students, emails) -%}
    {{ return(adapter.dispatch('match_users_canvas', 'edfi_lms')(users, students, emails)) }}
{%- endmacro %}

{% macro default__match_users_canvas(users, students, emails) -%}
    {{ edfi_lms.match_users_on_column('Canvas', 'sisuseridentifier', users, students) }}
{%- endmacro %}
