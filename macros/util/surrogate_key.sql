{#- A stable key from natural-key columns: the same on every run and full refresh, so it can
    stand where the original data store had identity integers. -#}
{% macro surrogate_key(columns) -%}
    {{ return(adapter.dispatch('surrogate_key', 'edfi_lms')(columns)) }}
{%- endmacro %}

{% macro default__surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    md5({{ dbt.concat(parts) }})
{%- endmacro %}

{% macro sqlserver__surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as nvarchar(4000)), '')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    lower(convert(varchar(32), hashbytes('MD5', {{ dbt.concat(parts) }}), 2))
{%- endmacro %}
