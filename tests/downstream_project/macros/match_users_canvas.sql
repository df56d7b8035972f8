{#- This district's Canvas keeps the StudentUniqueId in LocalUserIdentifier (login ID), not in
    the SIS ID. Defining default__match_users_canvas here replaces the package's rule. -#}
{% macro default__match_users_canvas(users, students, emails) -%}
    {{ edfi_lms.match_users_on_column('Canvas', 'localuseridentifier', users, students) }}
{%- endmacro %}
