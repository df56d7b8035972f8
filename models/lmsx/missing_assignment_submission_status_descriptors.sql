{#- SubmissionStatus values with no descriptor in the ODS: add the descriptor (namespace
    uri://ed-fi.org/edfilms/SubmissionStatusDescriptor/<SourceSystem>) or map the value in the
    descriptor_value_map seed. Their submissions are not written until then. -#}
select
    sourcesystem,
    {{ edfi_lms.descriptor_namespace_key('SubmissionStatus', 'sourcesystem') }} as namespace,
    submissionstatus as codevalue,
    count(*) as submissions
from {{ ref('int_lmsx__submission_rows') }}
where reason = 'missing SubmissionStatus descriptor'
group by sourcesystem, submissionstatus
