{{ config(
    materialized='lmsx_sync',
    alias='assignmentsubmission',
    unique_key=['assignmentsubmissionidentifier', 'namespace', 'studentusi'],
    sync_columns=['assignmentidentifier', 'submissionstatusdescriptorid', 'submissiondatetime',
                  'earnedpoints', 'grade'],
    touch_column='lastmodifieddate',
    managed_filter=edfi_lms.lmsx_owned_rows(),
) }}

-- depends_on: {{ ref('lmsx_assignment') }}
select
    assignmentsubmissionidentifier,
    namespace,
    studentusi,
    assignmentidentifier,
    submissionstatusdescriptorid,
    submissiondatetime,
    earnedpoints,
    grade
from {{ ref('int_lmsx__submission_rows') }}
where reason is null
