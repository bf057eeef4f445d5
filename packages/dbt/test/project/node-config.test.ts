import { describe, expect, it } from 'vitest';
import { configFromTree, mergeConfigs, satisfiesVersionRange, synthesizeTestNames, extractStaticCalls, findBlocks, macroNameOf } from '../../src/project/index.js';

describe('configFromTree', () => {
  const tree = {
    '+materialized': 'view',
    tags: 'top',
    shop: {
      marts: { '+materialized': 'table', '+tags': ['marts'], finance: { revenue: { '+materialized': 'incremental' } } },
      // A folder whose name is also a config key must use + for its configs.
      schema: { '+alias': 'x' },
    },
  };

  it.each([
    [['shop', 'staging', 'stg'], { materialized: 'view', tags: ['top'] }],
    [['shop', 'marts', 'customers'], { materialized: 'table', tags: ['top', 'marts'] }],
    [['shop', 'marts', 'finance', 'revenue'], { materialized: 'incremental', tags: ['top', 'marts'] }],
    [['other', 'marts', 'customers'], { materialized: 'view', tags: ['top'] }],
  ])('resolves %j', (fqn, expected) => {
    expect(configFromTree(tree, fqn)).toEqual(expected);
  });
});

describe('mergeConfigs', () => {
  it('accumulates tags and hooks, merges meta, replaces the rest', () => {
    expect(
      mergeConfigs(
        { tags: ['a'], 'pre-hook': ['x'], meta: { a: 1, b: 1 }, materialized: 'view' },
        { '+tags': 'b', pre_hook: 'y', meta: { b: 2 }, materialized: 'table' },
        { tags: ['a'] },
      ),
    ).toEqual({ tags: ['a', 'b'], 'pre-hook': ['x', 'y'], meta: { a: 1, b: 2 }, materialized: 'table' });
  });
});

describe('satisfiesVersionRange', () => {
  it.each([
    [['>=1.0.0', '<2.0.0'], true],
    [['>=1.3.0,<3.0.0'], true],
    [['1.10.x'], true],
    [['>=2.0.0'], false],
    [['1.9.0'], false],
  ])('checks %j', (range, ok) => {
    expect(satisfiesVersionRange('1.10.0', range)).toBe(ok);
  });
});

describe('synthesizeTestNames', () => {
  it('flattens sorted arguments like dbt', () => {
    expect(synthesizeTestNames('accepted_values', 'orders', { column_name: 'status', values: ['placed', 'shipped'] })).toEqual([
      'accepted_values_orders_status__placed__shipped',
      'accepted_values_orders_status__placed__shipped',
    ]);
    expect(synthesizeTestNames('relationships', 'orders', { column_name: 'cid', to: "ref('customers')", field: 'id' })[1]).toBe('relationships_orders_cid__id__ref_customers_');
    expect(synthesizeTestNames('accepted_values', 'o', { column_name: 'f', values: [true, null, 1] })[1]).toBe('accepted_values_o_f__True__None__1');
  });

  it('shortens names of 64 characters or more to a prefix and an md5', () => {
    const [short, full] = synthesizeTestNames('accepted_values', 'orders', { column_name: 'status', values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] });
    expect(full).toBe('accepted_values_orders_status__placed__shipped__completed__return_pending__returned');
    // The alias jaffle_shop's manifest shows for this test.
    expect(short).toBe('accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758');
  });
});

describe('extractStaticCalls', () => {
  it('finds literal ref and source calls in all their forms', () => {
    expect(extractStaticCalls(`{{ ref("a") }} {{ ref('pkg', 'b') }} {{ ref('c', v=2) }} {{ ref('d', version='3') }} {{ source('s', "t") }}`)).toEqual({
      refs: [{ name: 'a' }, { package: 'pkg', name: 'b' }, { name: 'c', version: 2 }, { name: 'd', version: '3' }],
      sources: [{ sourceName: 's', tableName: 't' }],
    });
  });
});

describe('findBlocks', () => {
  it('finds top-level blocks with lines, ignoring raw blocks and comments', () => {
    const text = "{% raw %}{% macro no() %}{% endmacro %}{% endraw %}\n{#- {% macro nope() %} -#}\n{%- macro a(x, y=1) -%}\n{% if x %}{{ x }}{% endif %}\n{%- endmacro %}\n{% materialization table, adapter = 'duckrun' %}{% endmaterialization %}";
    const blocks = findBlocks(text, ['macro', 'materialization'], 'f.sql');
    expect(blocks.map((b) => [b.tag, b.name, b.line, macroNameOf(b)])).toEqual([
      ['macro', 'a', 3, 'a'],
      ['materialization', 'table', 6, 'materialization_table_duckrun'],
    ]);
    expect(blocks[0]!.args).toBe('(x, y=1)');
  });
});
