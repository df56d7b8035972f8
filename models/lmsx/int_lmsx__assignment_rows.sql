{{ config(schema=var('edfi_lms', {}).get('staging_schema', 'lms_staging')) }}

{#- Every active LMS assignment as an lmsx.assignment row, with `reason` saying why it cannot
    be written (null when it can): its section is not linked to an ODS section, its source
    system has no LMSX namespace, or a descriptor cannot be resolved. -#}
with assignments as (

    select * from {{ ref('assignment') }}
    where deletedat is null

),

sections as (

    select lmssectionidentifier, sourcesystemidentifier as lmssectionsourcesystemidentifier
    from {{ ref('lmssection') }}

),

section_links as (

    select * from {{ ref('lmssection_section_link') }}

),

descriptors as (

    select * from {{ ref('int_lmsx__descriptors') }}

),

value_map as (

    select * from {{ ref('descriptor_value_map') }}
    where kind = 'AssignmentCategory'

),

resolved as (

    select
        assignments.sourcesystem,
        assignments.sourcesystemidentifier,
        sections.lmssectionsourcesystemidentifier,
        assignments.assignmentcategory,
        assignments.sourcesystemidentifier as assignmentidentifier,
        {{ edfi_lms.lmsx_namespace_of('assignments.sourcesystem') }} as namespace,
        source_systems.descriptorid as lmssourcesystemdescriptorid,
        left(assignments.title, 255) as title,
        categories.descriptorid as assignmentcategorydescriptorid,
        left(assignments.assignmentdescription, 1024) as assignmentdescription,
        assignments.startdatetime,
        assignments.enddatetime,
        assignments.duedatetime,
        cast(round(assignments.maxpoints, 0) as integer) as maxpoints,
        section_links.localcoursecode,
        section_links.schoolid,
        section_links.schoolyear,
        section_links.sessionname,
        section_links.sectionidentifier
    from assignments
    inner join sections on sections.lmssectionidentifier = assignments.lmssectionidentifier
    left join section_links
        on section_links.sourcesystem = assignments.sourcesystem
        and section_links.sourcesystemidentifier = sections.lmssectionsourcesystemidentifier
    left join value_map
        on {{ edfi_lms.match_key('value_map.sourcesystem') }} = {{ edfi_lms.match_key('assignments.sourcesystem') }}
        and {{ edfi_lms.match_key('value_map.lms_value') }} = {{ edfi_lms.match_key('assignments.assignmentcategory') }}
    left join descriptors as categories
        on categories.kind = 'AssignmentCategory'
        and categories.namespace_key = {{ edfi_lms.descriptor_namespace_key('AssignmentCategory', 'assignments.sourcesystem') }}
        and categories.codevalue_key = {{ edfi_lms.match_key('coalesce(value_map.code_value, assignments.assignmentcategory)') }}
    left join descriptors as source_systems
        on source_systems.kind = 'LMSSourceSystem'
        and source_systems.codevalue_key = {{ edfi_lms.match_key('assignments.sourcesystem') }}

),

final as (

    select
        resolved.*,
        case
            when namespace is null then 'source system has no LMSX namespace'
            when sectionidentifier is null then 'section not linked to an ODS section'
            when lmssourcesystemdescriptorid is null then 'missing LMSSourceSystem descriptor'
            when assignmentcategorydescriptorid is null then 'missing AssignmentCategory descriptor'
        end as reason
    from resolved

)

select * from final
