{#- Records kept out of their lms table because the record they belong to (their user,
    section, assignment or enrolment) has not been loaded. They enter the table as soon as
    the parent does. -#}
{%- set relations = [
    ('section-associations', 'int_lms__section_associations_state', 'lmsusersourcesystemidentifier', 'users', 'int_lms__users_state'),
    ('section-associations', 'int_lms__section_associations_state', 'lmssectionsourcesystemidentifier', 'sections', 'int_lms__sections_state'),
    ('assignments', 'int_lms__assignments_state', 'lmssectionsourcesystemidentifier', 'sections', 'int_lms__sections_state'),
    ('submissions', 'int_lms__submissions_state', 'assignmentsourcesystemidentifier', 'assignments', 'int_lms__assignments_state'),
    ('submissions', 'int_lms__submissions_state', 'lmsusersourcesystemidentifier', 'users', 'int_lms__users_state'),
    ('attendance-events', 'int_lms__attendance_events_state', 'lmsusersourcesystemidentifier', 'users', 'int_lms__users_state'),
    ('attendance-events', 'int_lms__attendance_events_state', 'lmssectionsourcesystemidentifier', 'sections', 'int_lms__sections_state'),
    ('section-activities', 'int_lms__section_activities_state', 'lmsusersourcesystemidentifier', 'users', 'int_lms__users_state'),
    ('section-activities', 'int_lms__section_activities_state', 'lmssectionsourcesystemidentifier', 'sections', 'int_lms__sections_state'),
    ('grades', 'int_lms__grades_state', 'lmsuserlmssectionassociationsourcesystemidentifier', 'section-associations', 'int_lms__section_associations_state'),
    ('system-activities', 'int_lms__system_activities_state', 'lmsusersourcesystemidentifier', 'users', 'int_lms__users_state'),
] -%}

{% for resource, child, parent_column, parent_resource, parent in relations %}
select
    '{{ resource }}' as resource,
    child.sourcesystem,
    child.sourcesystemidentifier,
    '{{ parent_resource }}' as parent_resource,
    child.{{ parent_column }} as parent_sourcesystemidentifier,
    child.last_seen_file_path as file_path,
    child.last_seen_row_number as file_row_number,
    child.deletedat
from {{ ref(child) }} as child
left join {{ ref(parent) }} as parent
    on parent.sourcesystem = child.sourcesystem
    and parent.sourcesystemidentifier = child.{{ parent_column }}
where parent.sourcesystemidentifier is null
{% if not loop.last %}union all{% endif %}
{% endfor %}
