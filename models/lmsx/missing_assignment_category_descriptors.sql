{#- AssignmentCategory values with no descriptor in the ODS: add the descriptor (namespace
    uri://ed-fi.org/edfilms/AssignmentCategoryDescriptor/<SourceSystem>) or map the value in
    the descriptor_value_map seed. Their assignments are not written until then. -#}
select
    sourcesystem,
    {{ edfi_lms.descriptor_namespace_key('AssignmentCategory', 'sourcesystem') }} as namespace,
    assignmentcategory as codevalue,
    count(*) as assignments
from {{ ref('int_lmsx__assignment_rows') }}
where reason = 'missing AssignmentCategory descriptor'
group by sourcesystem, assignmentcategory
