{#- The same record more than once in one file: the last row of the file wins; the others
    are listed here. -#}
{%- set tables = ['users', 'sections', 'section_associations', 'assignments', 'submissions',
                  'attendance_events', 'section_activities', 'grades', 'system_activities'] -%}

{% for table in tables %}
select resource, sourcesystem, sourcesystemidentifier, file_path, file_row_number, kept_row_number
from (
    select
        resource,
        sourcesystem,
        sourcesystemidentifier,
        file_path,
        file_row_number,
        max(file_row_number) over (
            partition by sourcesystem, sourcesystemidentifier, file_path
        ) as kept_row_number
    from {{ ref('stg_lms_raw__' ~ table) }}
    where sourcesystemidentifier is not null
) as rows_with_last
where file_row_number < kept_row_number
{% if not loop.last %}union all{% endif %}
{% endfor %}
