{#- Candidate ODS students for Google Classroom users: the user's EmailAddress is one of the
    student's e-mail addresses in the ODS. -#}
{% macro match_users_google(users, students, emails) -%}
    {{ return(adapter.dispatch('match_users_google', 'edfi_lms')(users, students, emails)) }}
{%- endmacro %}

{% macro default__match_users_google(users, students, emails) -%}
    {{ edfi_lms.match_users_on_email('Google', users, emails) }}
{%- endmacro %}
