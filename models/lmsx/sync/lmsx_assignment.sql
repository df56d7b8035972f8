{{ config(
    materialized='lmsx_sync',
    alias='assignment',
    unique_key=['assignmentidentifier', 'namespace'],
    sync_columns=['lmssourcesystemdescriptorid', 'title', 'assignmentcategorydescriptorid',
                  'assignmentdescription', 'startdatetime', 'enddatetime', 'duedatetime',
                  'maxpoints', 'localcoursecode', 'schoolid', 'schoolyear', 'sessionname',
                  'sectionidentifier'],
    touch_column='lastmodifieddate',
    managed_filter=edfi_lms.lmsx_owned_rows(),
    cascade=[var('edfi_lms', {}).get('lmsx_schema', 'lmsx') ~ '.assignmentsubmissiontype',
             var('edfi_lms', {}).get('lmsx_schema', 'lmsx') ~ '.assignmentsubmission'],
) }}

select
    assignmentidentifier,
    namespace,
    lmssourcesystemdescriptorid,
    title,
    assignmentcategorydescriptorid,
    assignmentdescription,
    startdatetime,
    enddatetime,
    duedatetime,
    maxpoints,
    localcoursecode,
    schoolid,
    schoolyear,
    sessionname,
    sectionidentifier
from {{ ref('int_lmsx__assignment_rows') }}
where reason is null
