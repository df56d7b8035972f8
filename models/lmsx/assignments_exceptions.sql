{#- Active LMS assignments that did not reach lmsx.assignment, and why. -#}
select sourcesystem, sourcesystemidentifier, lmssectionsourcesystemidentifier, title,
    assignmentcategory, namespace, reason
from {{ ref('int_lmsx__assignment_rows') }}
where reason is not null
