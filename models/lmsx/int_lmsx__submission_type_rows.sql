{{ config(schema=var('edfi_lms', {}).get('staging_schema', 'lms_staging')) }}

{#- Active submission types of the assignments written to lmsx, with their descriptor;
    `reason` is set when the descriptor cannot be resolved. -#}
with types as (

    select * from {{ ref('assignmentsubmissiontype') }}
    where deletedat is null

),

assignment_keys as (

    select assignmentidentifier as lmsassignmentidentifier, sourcesystem, sourcesystemidentifier
    from {{ ref('assignment') }}

),

assignments as (

    select * from {{ ref('int_lmsx__assignment_rows') }}
    where reason is null

),

descriptors as (

    select * from {{ ref('int_lmsx__descriptors') }}
    where kind = 'SubmissionType'

),

value_map as (

    select * from {{ ref('descriptor_value_map') }}
    where kind = 'SubmissionType'

),

final as (

    select distinct
        assignments.sourcesystem,
        types.submissiontype,
        assignments.assignmentidentifier,
        assignments.namespace,
        submission_types.descriptorid as submissiontypedescriptorid,
        case when submission_types.descriptorid is null
            then 'missing SubmissionType descriptor' end as reason
    from types
    inner join assignment_keys
        on assignment_keys.lmsassignmentidentifier = types.assignmentidentifier
    inner join assignments
        on assignments.sourcesystem = assignment_keys.sourcesystem
        and assignments.sourcesystemidentifier = assignment_keys.sourcesystemidentifier
    left join value_map
        on {{ edfi_lms.match_key('value_map.sourcesystem') }} = {{ edfi_lms.match_key('assignments.sourcesystem') }}
        and {{ edfi_lms.match_key('value_map.lms_value') }} = {{ edfi_lms.match_key('types.submissiontype') }}
    left join descriptors as submission_types
        on submission_types.namespace_key = {{ edfi_lms.descriptor_namespace_key('SubmissionType', 'assignments.sourcesystem') }}
        and submission_types.codevalue_key = {{ edfi_lms.match_key('coalesce(value_map.code_value, types.submissiontype)') }}

)

select * from final
