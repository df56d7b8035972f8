{#- Active LMS submissions (and Schoology's synthesized ones) that did not reach
    lmsx.assignmentsubmission, and why. -#}
select sourcesystem, sourcesystemidentifier, assignmentsubmissionidentifier,
    assignmentidentifier, namespace, studentusi, submissionstatus, reason
from {{ ref('int_lmsx__submission_rows') }}
where reason is not null
