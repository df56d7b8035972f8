{#- Manual overrides must name ODS records that exist. Each failing row is an override row
    whose student or section is not in the ODS: fix the override or the ODS. -#}
{% test exists_in_ods_student(model, column_name) %}

select overrides.*
from {{ model }} as overrides
left join {{ source('edfi', 'student') }} as students
    on {{ edfi_lms.match_key('students.studentuniqueid') }} = {{ edfi_lms.match_key('overrides.' ~ column_name) }}
where students.studentusi is null

{% endtest %}


{% test exists_in_ods_section(model) %}

select overrides.*
from {{ model }} as overrides
left join {{ source('edfi', 'section') }} as sections
    on {{ edfi_lms.match_key('sections.localcoursecode') }} = {{ edfi_lms.match_key('overrides.localcoursecode') }}
    and sections.schoolid = overrides.schoolid
    and sections.schoolyear = overrides.schoolyear
    and {{ edfi_lms.match_key('sections.sessionname') }} = {{ edfi_lms.match_key('overrides.sessionname') }}
    and {{ edfi_lms.match_key('sections.sectionidentifier') }} = {{ edfi_lms.match_key('overrides.sectionidentifier') }}
where sections.sectionidentifier is null

{% endtest %}
