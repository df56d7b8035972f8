{#- The folder of a path relative to the extractor tree, lower-cased (`section=1/assignment=2/
    submissions`): the scope a snapshot file speaks for. -#}
{% macro file_folder(path) -%}
    {{ return(adapter.dispatch('file_folder', 'edfi_lms')(path)) }}
{%- endmacro %}

{% macro default__file_folder(path) -%}
    lower(substr({{ path }}, 1, length({{ path }}) - strpos(reverse({{ path }}), '/')))
{%- endmacro %}

{% macro sqlserver__file_folder(path) -%}
    lower(left({{ path }}, len({{ path }}) - charindex('/', reverse({{ path }}))))
{%- endmacro %}
