import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject, PackageNotInstalledError, ProjectConfigError, type LoadedProject } from '../../src/project/index.js';
import { testRenderer } from './test-renderer.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/shop');

function load(): LoadedProject {
  return loadProject({ projectDir: FIXTURE, render: testRenderer({ CRM_DIR: '/data/crm' }), vars: { crm_schema: 'crm_raw' } });
}

const tmpDirs: string[] = [];
afterEach(() => {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'duckrun-dbt-'));
  tmpDirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

describe('loadProject', () => {
  it('reads dbt_project.yml with defaults, rendered paths, hooks and dispatch', () => {
    const p = load();
    expect(p.root.name).toBe('shop');
    expect(p.root.project.targetPath).toBe('target');
    expect(p.root.project.snapshotPaths).toEqual(['snapshots']);
    expect(p.root.project.packagesInstallPath).toBe('dbt_packages');
    expect(p.packages.map((x) => x.name)).toEqual(['shop', 'helpers', 'vendored']);
    expect(p.onRunStart).toEqual([{ sql: 'create schema if not exists {{ target.schema }}', packageName: 'shop', index: 0 }]);
    expect(p.onRunEnd.map((h) => h.sql)).toEqual(['select 1']);
    expect(p.dispatch).toEqual([{ macroNamespace: 'helpers', searchOrder: ['shop', 'helpers'] }]);
  });

  it('finds models, seeds, snapshots and singular tests with dbt ids, fqns and paths', () => {
    const p = load();
    const ids = [...p.nodes.keys()].filter((k) => !k.startsWith('test.') || !k.includes('.', 'test.shop.'.length + 1)).sort();
    expect(ids).toEqual(
      expect.arrayContaining([
        'model.helpers.helper_dates',
        'model.shop.customers',
        'model.shop.orders',
        'model.shop.stg_customers',
        'model.shop.stg_orders',
        'seed.shop.raw_orders',
        'snapshot.shop.orders_snapshot',
        'test.shop.assert_positive_amounts',
      ]),
    );
    const stg = p.nodes.get('model.shop.stg_orders')!;
    expect(stg.fqn).toEqual(['shop', 'staging', 'stg_orders']);
    expect(stg.path).toBe('staging/stg_orders.sql');
    expect(stg.originalFilePath).toBe('models/staging/stg_orders.sql');
    expect(stg.rawCode).toContain("ref('raw_orders')");
    expect(stg.checksum).toMatch(/^[0-9a-f]{64}$/);
    const snap = p.nodes.get('snapshot.shop.orders_snapshot')!;
    expect(snap.fqn).toEqual(['shop', 'orders_snapshot', 'orders_snapshot']);
    expect(snap.rawCode.trim().startsWith('{{ config(unique_key=')).toBe(true);
    expect(snap.line).toBe(1);
    expect(snap.config['materialized']).toBe('snapshot');
  });

  it('resolves + configs along folders, with tags accumulating and hooks kept unrendered', () => {
    const p = load();
    const stg = p.nodes.get('model.shop.stg_orders')!;
    expect(stg.config['materialized']).toBe('view');
    expect(stg.config['tags']).toEqual(['all', 'staging']);
    const customers = p.nodes.get('model.shop.customers')!;
    expect(customers.config['materialized']).toBe('table');
    expect(customers.config['post-hook']).toEqual(['select 2']);
    // Schema YAML config and meta layer on top of the project file.
    expect(customers.config['tags']).toEqual(['all', 'pii']);
    expect(customers.config['meta']).toEqual({ owner: 'sales' });
    // The root project configures a package's models over the package's own config.
    const helper = p.nodes.get('model.helpers.helper_dates')!;
    expect(helper.config['materialized']).toBe('ephemeral');
    expect(helper.config['schema']).toBe('helper_schema');
  });

  it('applies seed configs and disables seeds with enabled: false', () => {
    const p = load();
    const seed = p.nodes.get('seed.shop.raw_orders')!;
    expect(seed.config['column_types']).toEqual({ status: 'varchar' });
    expect(seed.config['materialized']).toBe('seed');
    expect(p.nodes.has('seed.shop.raw_payments')).toBe(false);
    expect(p.disabled.map((n) => n.uniqueId)).toContain('seed.shop.raw_payments');
  });

  it('patches models with schema YAML descriptions and columns', () => {
    const stg = load().nodes.get('model.shop.stg_orders')!;
    expect(stg.description).toBe("Orders, one row each. {{ doc('orders') }}");
    expect(Object.keys(stg.columns)).toEqual(['order_id', 'status', 'customer_id', 'amount']);
    expect(stg.columns['customer_id']!.tags).toEqual(['fk']);
    expect(stg.patchPath).toBe('shop://models/staging/schema.yml');
  });

  it('builds generic test nodes with dbt names, metadata, configs and static dependencies', () => {
    const p = load();
    const tests = [...p.nodes.values()].filter((n) => n.resourceType === 'test' && n.testMetadata !== undefined);
    const byName = new Map(tests.map((t) => [t.name, t]));
    expect([...byName.keys()].sort()).toEqual([
      'accepted_values_stg_orders_status__placed__shipped',
      'customers_have_orders',
      'not_null_source_crm_customers_customer_id',
      'not_null_stg_orders_order_id',
      'relationships_stg_orders_customer_id__customer_id__ref_stg_customers_',
      'unique_raw_orders_id',
      'unique_stg_orders_order_id',
      'vendored_is_positive_stg_orders_amount',
    ]);
    const nn = byName.get('not_null_stg_orders_order_id')!;
    expect(nn.uniqueId).toMatch(/^test\.shop\.not_null_stg_orders_order_id\.[0-9a-f]{10}$/);
    expect(nn.rawCode).toBe('{{ test_not_null(**_dbt_generic_test_kwargs) }}');
    expect(nn.testMetadata).toEqual({ name: 'not_null', kwargs: { column_name: 'order_id', model: "{{ get_where_subquery(ref('stg_orders')) }}" } });
    expect(nn.attachedNode).toBe('model.shop.stg_orders');
    expect(nn.columnName).toBe('order_id');
    // tests: +severity: warn in dbt_project.yml; the YAML config overrides it for accepted_values.
    expect(nn.config['severity']).toBe('WARN');
    const av = byName.get('accepted_values_stg_orders_status__placed__shipped')!;
    expect(av.config['severity']).toBe('ERROR');
    expect(av.config['where']).toBe('status is not null');
    expect(av.testMetadata!.kwargs['values']).toEqual(['placed', 'shipped']);
    const rel = byName.get('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_')!;
    expect(rel.staticRefs).toEqual([{ name: 'stg_orders' }, { name: 'stg_customers' }]);
    expect(rel.config['tags']).toEqual(['fk']);
    const pos = byName.get('vendored_is_positive_stg_orders_amount')!;
    expect(pos.rawCode).toBe('{{ vendored.test_is_positive(**_dbt_generic_test_kwargs) }}');
    expect(pos.testMetadata!.namespace).toBe('vendored');
    const src = byName.get('not_null_source_crm_customers_customer_id')!;
    expect(src.attachedNode).toBe('source.shop.crm.customers');
    expect(src.staticSources).toEqual([{ sourceName: 'crm', tableName: 'customers' }]);
    const custom = byName.get('customers_have_orders')!;
    expect(custom.testMetadata).toMatchObject({ name: 'expression_is_true', namespace: 'dbt_utils', kwargs: { expression: 'n_orders >= 0' } });
  });

  it('reads sources with rendered schema and merged meta', () => {
    const src = load().sources.get('source.shop.crm.customers')!;
    expect(src.schema).toBe('crm_raw');
    expect(src.identifier).toBe('customers');
    expect(src.meta).toEqual({ format: 'csv', location: '/data/crm/customers.csv' });
    expect(src.fqn).toEqual(['shop', 'staging', 'crm', 'customers']);
  });

  it('finds macros, generic test blocks, materializations and docs across packages', () => {
    const p = load();
    expect([...p.macros.keys()].sort()).toEqual([
      'macro.helpers.cents_to_dollars',
      'macro.helpers.default__cents_to_dollars',
      'macro.shop.materialization_noop_duckrun',
      'macro.shop.shop__cents_to_dollars',
      'macro.shop.test_is_even',
      'macro.vendored.test_is_positive',
    ]);
    expect(p.macros.get('macro.shop.test_is_even')!.kind).toBe('test');
    expect(p.macroFiles.map((f) => `${f.packageName}:${f.originalFilePath}`)).toEqual([
      'shop:tests/generic/is_even.sql',
      'shop:macros/utils.sql',
      'helpers:macros/cents.sql',
      'vendored:macros/tests.sql',
    ]);
    expect(p.docs.get('doc.shop.orders')!.blockContents).toBe('An order placed by a customer.');
  });

  it('scopes vars per package, with --vars winning', () => {
    const p = load();
    expect(p.varsFor('shop')).toEqual({ start_date: '2020-01-01', crm_schema: 'crm_raw' });
    expect(p.varsFor('helpers')).toEqual({ helper_flag: true, helper_only: 7, start_date: '2020-01-01', crm_schema: 'crm_raw' });
  });

  it('refuses a package that is listed but not installed, naming packages.yml', () => {
    const dir = copyFixture();
    writeFileSync(join(dir, 'packages.yml'), 'packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.4.1\n');
    expect(() => loadProject({ projectDir: dir })).toThrow(PackageNotInstalledError);
    expect(() => loadProject({ projectDir: dir })).toThrow(/packages\.yml: package dbt-labs\/dbt_utils is not installed/);
  });

  it.each([
    ['dbt_project.yml', 'name: shop\nmodels: [oops', /dbt_project\.yml:2: invalid YAML/],
    ['dbt_project.yml', 'name: shop\nrequire-dbt-version: ">=2.0.0"\n', /excludes the dbt version duckrun reports/],
    ['models/extra/stg_orders.sql', 'select 1', /models\/staging\/stg_orders\.sql: model `stg_orders` is also defined in models\/extra\/stg_orders\.sql/],
    ['models/bad.yml', 'models:\n  - name: orders\n    tests:\n      - not_null: [1]\n', /models\/bad\.yml: tests of `orders`: test `not_null` must be followed by a mapping/],
    ['macros/dup.sql', '{% macro shop__cents_to_dollars() %}{% endmacro %}', /macros\/utils\.sql:2: macro `shop__cents_to_dollars` is also defined in macros\/dup\.sql:1/],
    ['snapshots/open.sql', '\n{% snapshot s %}select 1', /snapshots\/open\.sql:2: \{% snapshot s %\} is never closed/],
  ])('reports a broken %s naming the file', (file, text, message) => {
    const dir = copyFixture();
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
    expect(() => loadProject({ projectDir: dir })).toThrow(ProjectConfigError);
    expect(() => loadProject({ projectDir: dir })).toThrow(message);
  });

  it('says how to fix a missing dbt_project.yml', () => {
    expect(() => loadProject({ projectDir: tmpdir() })).toThrow(/dbt_project\.yml: not found; .*--project-dir/);
  });
});
