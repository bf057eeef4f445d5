// dbt's own macros the runner needs as Jinja (the `dbt` package, kind `internal`): schema and alias
// naming, the built-in generic tests, get_where_subquery and the common cross-database helpers. A
// project macro of the same name wins, as in dbt. Materializations are TypeScript, not macros.
import type { MacroFile } from '../jinja/index.js';

const NAMING = `
{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ adapter.dispatch('generate_schema_name', 'dbt')(custom_schema_name, node) }}
{%- endmacro %}
{% macro default__generate_schema_name(custom_schema_name, node) -%}
  {%- set default_schema = target.schema -%}
  {%- if custom_schema_name is none -%}{{ default_schema }}{%- else -%}{{ default_schema }}_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
  {{ adapter.dispatch('generate_alias_name', 'dbt')(custom_alias_name, node) }}
{%- endmacro %}
{% macro default__generate_alias_name(custom_alias_name=none, node=none) -%}
  {%- if custom_alias_name -%}{{ custom_alias_name | trim }}
  {%- elif node.version -%}{{ node.name ~ "_v" ~ (node.version | replace(".", "_")) }}
  {%- else -%}{{ node.name }}{%- endif -%}
{%- endmacro %}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
  {%- if custom_database_name is none -%}{{ target.database }}{%- else -%}{{ custom_database_name | trim }}{%- endif -%}
{%- endmacro %}
`;

const TESTS = `
{% macro get_where_subquery(relation) -%}
  {%- set where = config.get('where') -%}
  {%- if where -%}(select * from {{ relation }} where {{ where }}) dbt_subquery{%- else -%}{{ relation }}{%- endif -%}
{%- endmacro %}
{% macro test_not_null(model, column_name) %}{{ adapter.dispatch('test_not_null', 'dbt')(model, column_name) }}{% endmacro %}
{% macro default__test_not_null(model, column_name) %}
select {{ column_name }} from {{ model }} where {{ column_name }} is null
{% endmacro %}
{% macro test_unique(model, column_name) %}{{ adapter.dispatch('test_unique', 'dbt')(model, column_name) }}{% endmacro %}
{% macro default__test_unique(model, column_name) %}
select {{ column_name }} as unique_field, count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endmacro %}
{% macro test_accepted_values(model, column_name, values, quote=True) %}{{ adapter.dispatch('test_accepted_values', 'dbt')(model, column_name, values, quote) }}{% endmacro %}
{% macro default__test_accepted_values(model, column_name, values, quote=True) %}
with all_values as (
  select {{ column_name }} as value_field, count(*) as n_records
  from {{ model }}
  group by {{ column_name }}
)
select * from all_values
where value_field not in (
  {% for value in values -%}
    {% if quote %}'{{ value }}'{% else %}{{ value }}{% endif %}{% if not loop.last %},{% endif %}
  {%- endfor %}
)
{% endmacro %}
{% macro test_relationships(model, column_name, to, field) %}{{ adapter.dispatch('test_relationships', 'dbt')(model, column_name, to, field) }}{% endmacro %}
{% macro default__test_relationships(model, column_name, to, field) %}
with child as (
  select {{ column_name }} as from_field from {{ model }} where {{ column_name }} is not null
),
parent as (
  select {{ field }} as to_field from {{ to }}
)
select from_field from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
{% endmacro %}
`;

const CROSS_DB = `
{% macro current_timestamp() %}now(){% endmacro %}
{% macro current_timestamp_backcompat() %}now(){% endmacro %}
{% macro type_string() %}VARCHAR{% endmacro %}
{% macro type_timestamp() %}TIMESTAMP{% endmacro %}
{% macro type_int() %}INTEGER{% endmacro %}
{% macro type_bigint() %}BIGINT{% endmacro %}
{% macro type_float() %}DOUBLE{% endmacro %}
{% macro type_numeric() %}DECIMAL(28,6){% endmacro %}
{% macro type_boolean() %}BOOLEAN{% endmacro %}
{% macro dateadd(datepart, interval, from_date_or_timestamp) %}date_add({{ from_date_or_timestamp }}, interval ({{ interval }}) {{ datepart }}){% endmacro %}
{% macro datediff(first_date, second_date, datepart) %}date_diff('{{ datepart }}', {{ first_date }}::timestamp, {{ second_date }}::timestamp){% endmacro %}
{% macro date_trunc(datepart, date) %}date_trunc('{{ datepart }}', {{ date }}){% endmacro %}
{% macro last_day(date, datepart) %}cast(date_trunc('{{ datepart }}', {{ date }}) + interval 1 {{ datepart }} - interval 1 day as date){% endmacro %}
{% macro hash(field) %}md5(cast({{ field }} as VARCHAR)){% endmacro %}
{% macro concat(fields) %}{{ fields | join(' || ') }}{% endmacro %}
{% macro safe_cast(field, type) %}try_cast({{ field }} as {{ type }}){% endmacro %}
{% macro cast(field, type) %}cast({{ field }} as {{ type }}){% endmacro %}
{% macro cast_bool_to_text(field) %}cast({{ field }} as VARCHAR){% endmacro %}
{% macro any_value(expression) %}any_value({{ expression }}){% endmacro %}
{% macro bool_or(expression) %}bool_or({{ expression }}){% endmacro %}
{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) %}string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}){% endmacro %}
{% macro split_part(string_text, delimiter_text, part_number) %}split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }}){% endmacro %}
{% macro string_literal(value) %}'{{ value }}'{% endmacro %}
{% macro escape_single_quotes(expression) %}{{ expression | replace("'", "''") }}{% endmacro %}
{% macro except() %}except{% endmacro %}
{% macro intersect() %}intersect{% endmacro %}
{% macro length(expression) %}length({{ expression }}){% endmacro %}
{% macro position(substring_text, string_text) %}position({{ substring_text }} in {{ string_text }}){% endmacro %}
{% macro right(string_text, length_expression) %}right({{ string_text }}, {{ length_expression }}){% endmacro %}
`;

/** The runner's built-in macro files (package `dbt`). */
export const INTERNAL_MACRO_FILES: readonly MacroFile[] = [
  { path: 'dbt/macros/naming.sql', source: NAMING, packageName: 'dbt', kind: 'internal' },
  { path: 'dbt/macros/generic_tests.sql', source: TESTS, packageName: 'dbt', kind: 'internal' },
  { path: 'dbt/macros/cross_db.sql', source: CROSS_DB, packageName: 'dbt', kind: 'internal' },
];
