{#- Building blocks of the user matching rules. -#}
{% macro match_users_on_column(source_system, lms_column, users, students,
                               ods_column='studentuniqueid') -%}
    select distinct
        users.sourcesystem,
        users.sourcesystemidentifier,
        students.studentusi,
        '{{ source_system }}: {{ lms_column }} = {{ ods_column }}' as matchrule
    from {{ users }} as users
    inner join {{ students }} as students
        on {{ edfi_lms.match_key('students.' ~ ods_column) }} = {{ edfi_lms.match_key('users.' ~ lms_column) }}
    where {{ edfi_lms.match_key('users.sourcesystem') }} = '{{ source_system | lower }}'
{%- endmacro %}

{% macro match_users_on_email(source_system, users, emails, lms_column='emailaddress') -%}
    select distinct
        users.sourcesystem,
        users.sourcesystemidentifier,
        emails.studentusi,
        '{{ source_system }}: {{ lms_column }} = student e-mail' as matchrule
    from {{ users }} as users
    inner join {{ emails }} as emails
        on {{ edfi_lms.match_key('emails.electronicmailaddress') }} = {{ edfi_lms.match_key('users.' ~ lms_column) }}
    where {{ edfi_lms.match_key('users.sourcesystem') }} = '{{ source_system | lower }}'
{%- endmacro %}
