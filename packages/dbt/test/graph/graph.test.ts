import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph, CompileError, selectNodes, SelectorError, type NodeDependencies } from '../../src/graph/index.js';
import { loadProject, type ProjectNode } from '../../src/project/index.js';

const project = loadProject({ projectDir: join(import.meta.dirname, '../fixtures/shop') });

/** What a parse render of the fixture's models would report. */
const DEPS = new Map<string, NodeDependencies>([
  ['model.shop.stg_orders', { refs: [{ name: 'raw_orders' }], sources: [] }],
  ['model.shop.stg_customers', { refs: [], sources: [{ sourceName: 'crm', tableName: 'customers' }] }],
  ['model.shop.customers', { refs: [{ name: 'stg_customers' }, { package: 'shop', name: 'stg_orders' }], sources: [] }],
  ['model.shop.orders', { refs: [{ name: 'stg_orders' }], sources: [] }],
  ['snapshot.shop.orders_snapshot', { refs: [{ name: 'stg_orders' }], sources: [] }],
  ['test.shop.assert_positive_amounts', { refs: [{ name: 'orders' }], sources: [] }],
]);

function graphWith(extra: [string, NodeDependencies][] = [], nodes: ProjectNode[] = [...project.nodes.values()]) {
  return buildGraph({ rootPackage: 'shop', nodes, sources: project.sources.values(), dependencies: new Map([...DEPS, ...extra]), disabled: project.disabled });
}

const graph = graphWith();
const universe = { graph, nodes: project.nodes, sources: project.sources };
const testId = (name: string) => [...project.nodes.values()].find((n) => n.name === name)!.uniqueId;
const names = (ids: readonly string[]) => ids.map((id) => project.nodes.get(id)!.name);

describe('buildGraph', () => {
  it('resolves refs, package refs, sources and static test dependencies into parent and child maps', () => {
    expect(graph.parents('model.shop.customers')).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(graph.parents('model.shop.stg_customers')).toEqual(['source.shop.crm.customers']);
    expect(graph.parents(testId('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_'))).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(graph.children('source.shop.crm.customers')).toContain('model.shop.stg_customers');
    expect(graph.parentMap()['seed.shop.raw_orders']).toEqual([]);
  });

  it('orders parents before children', () => {
    const order = graph.topologicalOrder();
    const pos = (id: string) => order.indexOf(id);
    expect(pos('seed.shop.raw_orders')).toBeLessThan(pos('model.shop.stg_orders'));
    expect(pos('model.shop.stg_orders')).toBeLessThan(pos('model.shop.customers'));
    expect(pos('source.shop.crm.customers')).toBeLessThan(pos('model.shop.stg_customers'));
    expect(order).toHaveLength(project.nodes.size + project.sources.size);
  });

  it('reports an unknown ref naming the file and line', () => {
    const build = () => graphWith([['model.shop.orders', { refs: [{ name: 'nope' }], sources: [], line: 3 }]]);
    expect(build).toThrow(CompileError);
    expect(build).toThrow("Compilation Error in models/marts/orders.sql:3: model.shop.orders depends on a node named 'nope' which was not found");
  });

  it('says when a ref names a disabled node, and when a source is unknown', () => {
    expect(() => graphWith([['model.shop.orders', { refs: [{ name: 'raw_payments' }], sources: [] }]])).toThrow(/'raw_payments' which is disabled/);
    expect(() => graphWith([['model.shop.orders', { refs: [], sources: [{ sourceName: 'crm', tableName: 'x' }] }]])).toThrow(/source named 'crm\.x' which was not found/);
    expect(() => graphWith([['model.shop.orders', { refs: [{ package: 'helpers', name: 'stg_orders' }], sources: [] }]])).toThrow(/'helpers\.stg_orders' which was not found/);
  });

  it('reports a cycle with the files on it', () => {
    const build = () => graphWith([['model.shop.stg_orders', { refs: [{ name: 'orders' }], sources: [] }]]);
    expect(build).toThrow(CompileError);
    expect(build).toThrow(/found a cycle: .*model\.shop\.orders \(models\/marts\/orders\.sql\).*model\.shop\.stg_orders \(models\/staging\/stg_orders\.sql\)/);
  });

  it('resolves versioned refs to the asked version, or the latest without one', () => {
    const base = project.nodes.get('model.shop.orders')!;
    const v1 = { ...base, uniqueId: 'model.shop.dim.v1', name: 'dim', version: 1, latestVersion: 1 };
    const v2 = { ...base, uniqueId: 'model.shop.dim.v2', name: 'dim', version: 2, latestVersion: 1 };
    const g = graphWith(
      [
        ['model.shop.dim.v1', { refs: [], sources: [] }],
        ['model.shop.dim.v2', { refs: [], sources: [] }],
        ['model.shop.orders', { refs: [{ name: 'dim' }, { name: 'dim', version: 2 }], sources: [] }],
      ],
      [...project.nodes.values(), v1, v2],
    );
    expect(g.parents('model.shop.orders')).toEqual(['model.shop.dim.v1', 'model.shop.dim.v2']);
    expect(() => graphWith([['model.shop.orders', { refs: [{ name: 'dim', version: 3 }], sources: [] }]], [...project.nodes.values(), v1, v2])).toThrow(/has no such version; available: 1, 2/);
  });
});

describe('selectNodes', () => {
  const modelsOnly = (ids: readonly string[]) => names(ids.filter((id) => !id.startsWith('test.')));
  it.each([
    [['stg_orders'], ['stg_orders']],
    [['+stg_orders'], ['raw_orders', 'stg_orders']],
    [['stg_orders+'], ['stg_orders', 'customers', 'orders', 'orders_snapshot']],
    [['stg_orders+1'], ['stg_orders', 'customers', 'orders', 'orders_snapshot']],
    [['1+customers'], ['stg_customers', 'stg_orders', 'customers']],
    [['2+customers'], ['raw_orders', 'stg_customers', 'stg_orders', 'customers']],
    [['@stg_customers'], ['raw_orders', 'stg_customers', 'stg_orders', 'customers']],
    [['tag:staging'], ['stg_customers', 'stg_orders']],
    [['path:models/marts'], ['customers', 'orders']],
    [['models/marts/orders.sql'], ['orders']],
    [['config.materialized:table'], ['customers', 'orders']],
    [['resource_type:seed'], ['raw_orders']],
    [['source:crm+'], ['stg_customers', 'customers']],
    [['staging'], ['stg_customers', 'stg_orders']],
    [['shop.marts.*'], ['customers', 'orders']],
    [['tag:staging,+customers'], ['stg_customers', 'stg_orders']],
    [['orders customers'], ['customers', 'orders']],
    [['helpers'], ['helper_dates']],
  ])('selects %j', (select, expected) => {
    expect(modelsOnly(selectNodes(universe, { select })).sort()).toEqual([...expected].sort());
  });

  it('adds tests of selected nodes eagerly, cautiously, or not at all', () => {
    const tests = (mode: 'eager' | 'cautious' | 'empty' | 'buildable') => names(selectNodes(universe, { select: ['stg_orders'], indirectSelection: mode }).filter((id) => id.startsWith('test.'))).sort();
    expect(tests('eager')).toEqual([
      'accepted_values_stg_orders_status__placed__shipped',
      'not_null_stg_orders_order_id',
      'relationships_stg_orders_customer_id__customer_id__ref_stg_customers_',
      'unique_stg_orders_order_id',
      'vendored_is_positive_stg_orders_amount',
    ]);
    expect(tests('cautious')).not.toContain('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_');
    expect(tests('cautious')).toHaveLength(4);
    expect(tests('empty')).toEqual([]);
  });

  it('selects tests by type and name', () => {
    expect(names(selectNodes(universe, { select: ['test_type:singular'] }))).toEqual(['assert_positive_amounts']);
    expect(names(selectNodes(universe, { select: ['test_name:not_null'] })).sort()).toEqual(['not_null_source_crm_customers_customer_id', 'not_null_stg_orders_order_id']);
  });

  it('excludes nodes and the tests attached to them', () => {
    const ids = selectNodes(universe, { select: ['+customers'], exclude: ['stg_orders'] });
    expect(names(ids).filter((n) => !n.includes('_customer')).sort()).toEqual(['customers', 'customers_have_orders', 'raw_orders', 'unique_raw_orders_id']);
    expect(ids).not.toContain(testId('not_null_stg_orders_order_id'));
  });

  it('selects everything in dependency order without --select', () => {
    const ids = selectNodes(universe);
    expect(ids).toHaveLength(project.nodes.size);
    expect(ids.indexOf('model.shop.stg_orders')).toBeLessThan(ids.indexOf('model.shop.orders'));
  });

  it('refuses an unknown method', () => {
    expect(() => selectNodes(universe, { select: ['state:modified'] })).toThrow(SelectorError);
    expect(() => selectNodes(universe, { select: ['state:modified'] })).toThrow(/unknown method `state`/);
  });
});
