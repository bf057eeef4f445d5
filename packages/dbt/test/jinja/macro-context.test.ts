// Macros compiled once see the node being rendered; registry precedence; dispatch order.
import { describe, expect, it } from 'vitest';
import { createJinjaEnvironment, DispatchError } from '../../src/jinja/index.js';

describe('per-node context', () => {
  it('re-binds a macro compiled once to each node that calls it', () => {
    const env = createJinjaEnvironment();
    env.macros.addFile({ path: 'macros/who.sql', packageName: 'proj', kind: 'root', source: '{% macro who() %}{{ this }}:{{ config.get("materialized") }}:{{ target.name }}{% endmacro %}' });
    const a = env.parse({ source: '{{ who() }}', name: 'models/a.sql' }, { this: 'main.model_a', target: { name: 'dev' }, extra: {} });
    const b = env.parse({ source: '{{ config(materialized="table") }}{{ who() }}', name: 'models/b.sql' }, { this: 'main.model_b', target: { name: 'prod' } });
    expect(a.output).toBe('main.model_a:None:dev');
    expect(b.output).toBe('main.model_b:table:prod');
  });

  it('reads config from the runner when it supplies one', () => {
    const env = createJinjaEnvironment();
    const set: unknown[] = [];
    const out = env.parse({ source: '{{ config(unique_key="id") }}{{ config.get("materialized", "view") }}|{{ config.get("missing", default="d") }}', name: 'm.sql' }, {
      config: { set: (v) => set.push(v), get: (k) => (k === 'materialized' ? 'incremental' : undefined) },
    });
    expect(out.output).toBe('incremental|d');
    expect(set).toEqual([{ unique_key: 'id' }]);
  });

  it('captures ref, source and config calls at parse time with execute false', () => {
    const env = createJinjaEnvironment();
    const out = env.parse(
      { source: "{{ config(materialized='table', tags=['a']) }}select * from {{ ref('orders') }} join {{ ref('pkg', 'customers', v=2) }} join {{ source('raw', 'events') }}{% if execute %}{{ ref('hidden') }}{% endif %}{{ run_query('select 1') }}", name: 'm.sql' },
      {},
    );
    expect(out.refs).toEqual([{ name: 'orders', version: undefined }, { package: 'pkg', name: 'customers', version: 2 }]);
    expect(out.sources).toEqual([['raw', 'events']]);
    expect(out.configs).toEqual([{ materialized: 'table', tags: ['a'] }]);
    expect(out.output).toBe('select * from orders join customers join raw.eventsNone');
  });

  it('is lenient about undefined calls at parse time and strict at execute time', async () => {
    const env = createJinjaEnvironment();
    expect(env.parse({ source: '[{{ not_a_macro(1) }}]', name: 'm.sql' }).output).toBe('[]');
    await expect(env.render({ source: '{{ not_a_macro(1) }}', name: 'models/m.sql' }, {})).rejects.toThrow(/models\/m\.sql, line 1: 'not_a_macro' is undefined/);
  });

  it('answers var, env_var, is_incremental and execute from the node', async () => {
    const env = createJinjaEnvironment();
    const node = { vars: { start: '2024-01-01' }, envVars: { HOME_DIR: '/h' }, isIncremental: true };
    const out = await env.render({ source: "{{ var('start') }} {{ var('x', 'dflt') }} {{ env_var('HOME_DIR') }} {{ env_var('NOPE', 'n') }} {{ is_incremental() }} {{ execute }}", name: 'm.sql' }, node);
    expect(out.output).toBe('2024-01-01 dflt /h n True True');
    await expect(env.render({ source: "{{ var('missing') }}", name: 'm.sql' }, node)).rejects.toThrow(/Required var 'missing'/);
  });

  it('exposes extra node names only while that node renders', () => {
    const env = createJinjaEnvironment();
    expect(env.parse({ source: '{{ sql }}', name: 'a' }, { extra: { sql: 'select 1' } }).output).toBe('select 1');
    expect(env.parse({ source: '[{{ sql }}]', name: 'b' }, {}).output).toBe('[]');
  });

  it('keeps invocation_id and run_started_at fixed for the whole run', () => {
    let t = 0;
    const env = createJinjaEnvironment({ now: () => new Date(Date.UTC(2024, 0, 1, 0, 0, t++)), newId: () => 'inv-1' });
    const src = { source: '{{ invocation_id }} {{ run_started_at.isoformat() }}', name: 'm' };
    expect(env.parse(src).output).toBe('inv-1 2024-01-01T00:00:00+00:00');
    expect(env.parse(src).output).toBe('inv-1 2024-01-01T00:00:00+00:00');
  });
});

describe('macro registry', () => {
  it('lets root project macros override built-ins and packages, and namespaces packages', () => {
    const env = createJinjaEnvironment();
    env.macros.addFile({ path: 'dbt/m.sql', packageName: 'dbt', kind: 'internal', source: '{% macro greet() %}builtin{% endmacro %}{% macro only_builtin() %}b{% endmacro %}' });
    env.macros.addFile({ path: 'dbt_utils/m.sql', packageName: 'dbt_utils', kind: 'package', source: '{% macro greet() %}utils{% endmacro %}{% macro star(x) %}*{{ x }}{% endmacro %}' });
    env.macros.addFile({ path: 'macros/m.sql', packageName: 'proj', kind: 'root', source: '{% macro greet() %}root{% endmacro %}' });
    expect(env.parse({ source: '{{ greet() }} {{ dbt_utils.greet() }} {{ dbt.greet() }} {{ dbt_utils.star("a") }} {{ only_builtin() }}', name: 'm' }).output).toBe('root utils builtin *a b');
  });

  it('compiles test, materialization and snapshot blocks to named macros, and stores docs', () => {
    const env = createJinjaEnvironment();
    const names = env.macros.addFile({
      path: 'macros/blocks.sql', packageName: 'proj', kind: 'root',
      source: "{% test is_even(model, column_name) %}select * from {{ model }} where {{ column_name }} % 2 = 1{% endtest %}{% materialization table, adapter='duckdb' %}T{% endmaterialization %}{% materialization view, default %}V{% endmaterialization %}{% docs orders %}The **orders** table {{ not rendered }}{% enddocs %}",
    });
    expect(names.sort()).toEqual(['materialization_table_duckdb', 'materialization_view_default', 'test_is_even']);
    expect(env.parse({ source: "{{ test_is_even('t', 'c') }}", name: 'x' }).output).toBe('select * from t where c % 2 = 1');
    expect(env.macros.materialization('view')?.([], {})).toBe('V');
    expect(env.docs.get('orders')).toBe('The **orders** table {{ not rendered }}');
    expect(env.parse({ source: "{{ doc('orders') }}", name: 'x' }).output).toBe('The **orders** table {{ not rendered }}');
  });
});

describe('adapter.dispatch', () => {
  const setup = () => {
    const env = createJinjaEnvironment();
    env.macros.addFile({ path: 'dbt/d.sql', packageName: 'dbt', kind: 'internal', source: '{% macro default__now() %}dbt-default{% endmacro %}' });
    env.macros.addFile({
      path: 'utils/d.sql', packageName: 'dbt_utils', kind: 'package',
      source: '{% macro star() %}{{ return(adapter.dispatch("star", "dbt_utils")()) }}{% endmacro %}{% macro default__star() %}utils-default{% endmacro %}{% macro duckdb__star() %}utils-duckdb{% endmacro %}{% macro default__only() %}only{% endmacro %}',
    });
    return env;
  };

  it('prefers duckrun__ over duckdb__ over default__', () => {
    const env = setup();
    expect(env.parse({ source: '{{ dbt_utils.star() }}', name: 'm' }).output).toBe('utils-duckdb');
    env.macros.addFile({ path: 'utils/d2.sql', packageName: 'dbt_utils', kind: 'package', source: '{% macro duckrun__star() %}utils-duckrun{% endmacro %}' });
    expect(env.parse({ source: '{{ dbt_utils.star() }}', name: 'm' }).output).toBe('utils-duckrun');
  });

  it('follows the project dispatch search order before the package itself', () => {
    const env = setup();
    env.macros.addFile({ path: 'macros/o.sql', packageName: 'proj', kind: 'root', source: '{% macro default__star() %}proj-default{% endmacro %}' });
    env.macros.setDispatchConfig([{ macro_namespace: 'dbt_utils', search_order: ['proj', 'dbt_utils'] }]);
    // proj's default__ is found before dbt_utils' duckdb__: packages are searched one at a time.
    expect(env.parse({ source: '{{ dbt_utils.star() }}', name: 'm' }).output).toBe('proj-default');
  });

  it('falls back to the built-ins and names every candidate when nothing matches', () => {
    const env = setup();
    expect(env.parse({ source: '{{ adapter.dispatch("now")() }}', name: 'm' }).output).toBe('dbt-default');
    expect(() => env.macros.dispatch('missing', 'dbt_utils')).toThrow(DispatchError);
    expect(() => env.macros.dispatch('missing', 'dbt_utils')).toThrow(/dbt_utils\.duckrun__missing', 'dbt_utils\.duckdb__missing', 'dbt_utils\.default__missing'/);
  });

  it('keeps the node adapter methods next to dispatch', () => {
    const env = setup();
    class Adapter {
      #q = '"';
      quote(x: string): string {
        return this.#q + x + this.#q;
      }
    }
    expect(env.parse({ source: '{{ adapter.quote("id") }}', name: 'm' }, { adapter: new Adapter() }).output).toBe('"id"');
  });
});
