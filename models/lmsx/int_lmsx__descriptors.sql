{{ config(schema=var('edfi_lms', {}).get('staging_schema', 'lms_staging')) }}

{#- Every LMSX descriptor (only those in their lmsx descriptor table), with its kind and the
    source system its namespace names; code values compared case-insensitively. -#}
{%- set kinds = [('AssignmentCategory', 'assignmentcategory'), ('LMSSourceSystem', 'lmssourcesystem'),
                 ('SubmissionStatus', 'submissionstatus'), ('SubmissionType', 'submissiontype')] -%}

{% for kind, table in kinds %}
select
    '{{ kind }}' as kind,
    descriptors.descriptorid,
    descriptors.namespace,
    descriptors.codevalue,
    {{ edfi_lms.match_key('descriptors.namespace') }} as namespace_key,
    {{ edfi_lms.match_key('descriptors.codevalue') }} as codevalue_key
from {{ source('edfi', 'descriptor') }} as descriptors
inner join {{ source('lmsx', table ~ 'descriptor') }} as kind_table
    on kind_table.{{ table }}descriptorid = descriptors.descriptorid
{% if not loop.last %}union all{% endif %}
{% endfor %}
