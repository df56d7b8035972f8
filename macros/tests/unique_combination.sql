{#- Primary-key test for models keyed by several columns: fails with each key that occurs more
    than once. Fix by finding why the model fans out (usually a join on a non-unique key). -#}
{% test unique_combination(model, columns) %}

select
    {% for column in columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %},
    count(*) as occurrences
from {{ model }}
group by
    {% for column in columns %}{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
having count(*) > 1

{% endtest %}
