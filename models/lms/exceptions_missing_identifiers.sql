{#- Rows without SourceSystem or SourceSystemIdentifier cannot be records of the data store. -#}
{%- set tables = ['users', 'sections', 'section_associations', 'assignments', 'submissions',
                  'attendance_events', 'section_activities', 'grades', 'system_activities'] -%}

{% for table in tables %}
select resource, file_path, file_row_number, sourcesystem, sourcesystemidentifier
from {{ ref('stg_lms_raw__' ~ table) }}
where sourcesystem is null or sourcesystemidentifier is null
{% if not loop.last %}union all{% endif %}
{% endfor %}
