{#- A timestamp from extractor text (`2020-08-20 12:34:56`, `2020-08-20 12:34`, a date alone,
    doubled or surrounding spaces, US `9/3/2020 1:02`), or null when the text is not one. Never
    fails the run: values that do not parse are listed by exceptions_unparseable_values. -#}
{% macro parse_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'edfi_lms')(expression)) }}
{%- endmacro %}

{#- `M/D/YYYY ...` rewritten as `YYYY-MM-DD ...`; any other text is left as it is. -#}
{% macro us_date_as_iso(text) -%}
    regexp_replace(
        regexp_replace(regexp_replace({{ text }}, '^([0-9])/', '0\1/'), '^([0-9]{2})/([0-9])/', '\1/0\2/'),
        '^([0-9]{2})/([0-9]{2})/([0-9]{4})', '\3-\1-\2')
{%- endmacro %}

{% macro default__parse_timestamp(expression) -%}
    try_cast({{ edfi_lms.us_date_as_iso(edfi_lms.squish(expression)) }} as timestamp)
{%- endmacro %}

{% macro postgres__parse_timestamp(expression) -%}
    {#- PostgreSQL 15 has no non-failing cast: check the shape, then that the day exists in the
        month, before casting (nested case keeps the order of evaluation). -#}
    {%- set text = edfi_lms.us_date_as_iso(edfi_lms.squish(expression)) -%}
    case when {{ text }} ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?$'
        then case when cast(substr({{ text }}, 9, 2) as integer) <= extract(day from
                date_trunc('month', make_date(cast(substr({{ text }}, 1, 4) as integer),
                    cast(substr({{ text }}, 6, 2) as integer), 1))
                + interval '1 month' - interval '1 day')
            then cast({{ text }} as timestamp) end
    end
{%- endmacro %}

{% macro sqlserver__parse_timestamp(expression) -%}
    try_convert(datetime2, {{ edfi_lms.squish(expression) }})
{%- endmacro %}
