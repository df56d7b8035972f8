{#- Values that could not be typed: the row stays in the data store with a null in that
    column, and this view says where the value came from so it can be fixed at the source. -#}
{%- set typed_columns = {
    'users': ['createdate', 'lastmodifieddate', 'sourcecreatedate', 'sourcelastmodifieddate'],
    'sections': ['createdate', 'lastmodifieddate', 'sourcecreatedate', 'sourcelastmodifieddate'],
    'section_associations': ['startdate', 'enddate', 'createdate', 'lastmodifieddate',
                             'sourcecreatedate', 'sourcelastmodifieddate'],
    'assignments': ['startdatetime', 'enddatetime', 'duedatetime', 'maxpoints', 'createdate',
                    'lastmodifieddate', 'sourcecreatedate', 'sourcelastmodifieddate'],
    'submissions': ['submissiondatetime', 'earnedpoints', 'createdate', 'lastmodifieddate',
                    'sourcecreatedate', 'sourcelastmodifieddate'],
    'attendance_events': ['eventdate', 'createdate', 'lastmodifieddate', 'sourcecreatedate',
                          'sourcelastmodifieddate'],
    'section_activities': ['activitydatetime', 'activitytimeinminutes', 'createdate',
                           'lastmodifieddate', 'sourcecreatedate', 'sourcelastmodifieddate'],
    'grades': ['createdate', 'lastmodifieddate', 'sourcecreatedate', 'sourcelastmodifieddate'],
    'system_activities': ['activitydatetime', 'activitytimeinminutes', 'createdate',
                          'lastmodifieddate', 'sourcecreatedate', 'sourcelastmodifieddate'],
} -%}

{% for table, columns in typed_columns.items() %}
{% for column in columns %}
select
    resource,
    file_path,
    file_row_number,
    sourcesystem,
    sourcesystemidentifier,
    '{{ column }}' as column_name,
    {{ column }}_text as value
from {{ ref('stg_lms_raw__' ~ table) }}
where {{ column }} is null and {{ edfi_lms.clean_text(column ~ '_text') }} is not null
{% if not loop.last %}union all{% endif %}
{% endfor %}
{% if not loop.last %}union all{% endif %}
{% endfor %}
