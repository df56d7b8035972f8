{{ config(
    materialized='lmsx_sync',
    alias='assignmentsubmissiontype',
    unique_key=['assignmentidentifier', 'namespace', 'submissiontypedescriptorid'],
    managed_filter=edfi_lms.lmsx_owned_rows(),
) }}

-- depends_on: {{ ref('lmsx_assignment') }}
select
    assignmentidentifier,
    namespace,
    submissiontypedescriptorid
from {{ ref('int_lmsx__submission_type_rows') }}
where reason is null
