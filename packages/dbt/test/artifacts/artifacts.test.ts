// Shape checks of the artifacts against the required fields of dbt's published schemas (manifest
// v12, run_results v6), encoded here because the schema files cannot be fetched offline.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest, buildRunResults, MANIFEST_SCHEMA, RUN_RESULTS_SCHEMA, writeArtifact } from '../../src/artifacts/index.js';
import { buildGraph } from '../../src/graph/index.js';
import { loadProject } from '../../src/project/index.js';

const MANIFEST_TOP = ['metadata', 'nodes', 'sources', 'macros', 'docs', 'exposures', 'metrics', 'groups', 'selectors', 'disabled', 'parent_map', 'child_map', 'group_map', 'saved_queries', 'semantic_models', 'unit_tests'];
const NODE_REQUIRED = ['database', 'schema', 'name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'fqn', 'alias', 'checksum'];
const SOURCE_REQUIRED = ['database', 'schema', 'name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'fqn', 'source_name', 'source_description', 'loader', 'identifier'];
const MACRO_REQUIRED = ['name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'macro_sql'];
const DOC_REQUIRED = ['name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'block_contents'];
const RESULT_KEYS = ['status', 'timing', 'thread_id', 'execution_time', 'adapter_response', 'message', 'failures', 'unique_id', 'compiled', 'compiled_code', 'relation_name'];
const METADATA_V6_KEYS = ['dbt_schema_version', 'dbt_version', 'generated_at', 'invocation_id', 'env'];

const project = loadProject({ projectDir: join(import.meta.dirname, '../fixtures/shop') });
const graph = buildGraph({
  rootPackage: 'shop',
  nodes: project.nodes.values(),
  sources: project.sources.values(),
  dependencies: new Map([
    ['model.shop.stg_orders', { refs: [{ name: 'raw_orders' }], sources: [] }],
    ['model.shop.stg_customers', { refs: [], sources: [{ sourceName: 'crm', tableName: 'customers' }] }],
    ['model.shop.customers', { refs: [{ name: 'stg_customers' }, { name: 'stg_orders' }], sources: [] }],
  ]),
});
const at = new Date('2024-05-06T07:08:09.123Z');

describe('buildManifest', () => {
  const manifest = buildManifest({
    project,
    graph,
    invocationId: 'inv-1',
    generatedAt: at,
    schema: 'main',
    compiled: new Map([['model.shop.customers', { compiledCode: 'select 1', config: { ...project.nodes.get('model.shop.customers')!.config, materialized: 'table' } }]]),
    relationName: (id) => (id.startsWith('model.') ? `main.${id.split('.')[2]}` : null),
  });

  it('has every top-level key and the v12 metadata', () => {
    expect(Object.keys(manifest).sort()).toEqual([...MANIFEST_TOP].sort());
    expect(manifest.metadata).toMatchObject({ dbt_schema_version: MANIFEST_SCHEMA, invocation_id: 'inv-1', generated_at: '2024-05-06T07:08:09.123000Z', project_name: 'shop', adapter_type: 'duckrun' });
    expect(manifest.metadata['dbt_version']).toMatch(/^1\.\d+\.\d+$/);
  });

  it('writes nodes, sources, macros and docs with their required fields', () => {
    for (const n of Object.values(manifest.nodes)) for (const k of NODE_REQUIRED) expect(n, `${String(n['unique_id'])}.${k}`).toHaveProperty(k);
    for (const s of Object.values(manifest.sources)) for (const k of SOURCE_REQUIRED) expect(s).toHaveProperty(k);
    for (const m of Object.values(manifest['macros'] as Record<string, object>)) for (const k of MACRO_REQUIRED) expect(m).toHaveProperty(k);
    for (const d of Object.values(manifest['docs'] as Record<string, object>)) for (const k of DOC_REQUIRED) expect(d).toHaveProperty(k);
    for (const [id, n] of Object.entries(manifest.nodes)) expect(n['unique_id']).toBe(id);
  });

  it('records dependencies, compiled code, hooks and test metadata the way dbt does', () => {
    const customers = manifest.nodes['model.shop.customers']!;
    expect(customers['depends_on']).toEqual({ macros: [], nodes: ['model.shop.stg_customers', 'model.shop.stg_orders'] });
    expect(customers).toMatchObject({ compiled: true, compiled_code: 'select 1', relation_name: 'main.customers', schema: 'main', resource_type: 'model', language: 'sql' });
    expect((customers['config'] as Record<string, unknown>)['post-hook']).toEqual([{ sql: 'select 2', transaction: true, index: 0 }]);
    expect(customers['tags']).toEqual(['all', 'pii']);
    const seed = manifest.nodes['seed.shop.raw_orders']!;
    expect(seed['depends_on']).toEqual({ macros: [] });
    expect(seed).not.toHaveProperty('language');
    const test = Object.values(manifest.nodes).find((n) => n['name'] === 'not_null_stg_orders_order_id')!;
    expect(test).toMatchObject({ column_name: 'order_id', attached_node: 'model.shop.stg_orders', file_key_name: 'models.stg_orders', test_metadata: { name: 'not_null', namespace: null } });
    expect(manifest.parent_map['model.shop.customers']).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(manifest.child_map['source.shop.crm.customers']).toContain('model.shop.stg_customers');
    expect(Object.keys(manifest['disabled'] as object)).toEqual(['seed.shop.raw_payments']);
  });

  it('round-trips through JSON', () => {
    expect(JSON.parse(JSON.stringify(manifest))).toEqual(manifest);
  });
});

describe('buildRunResults', () => {
  const doc = buildRunResults({
    invocationId: 'inv-1',
    generatedAt: at,
    elapsedTime: 1.5,
    args: { which: 'build', select: ['customers'] },
    results: [
      { uniqueId: 'model.shop.customers', status: 'success', timing: [{ name: 'execute', startedAt: at, completedAt: at }], executionTime: 0.4, adapterMessage: 'OK', rowsAffected: 12, compiledCode: 'select 1', relationName: 'main.customers' },
      { uniqueId: 'test.shop.t', status: 'fail', timing: [], executionTime: 0.1, failures: 3, message: 'Got 3 results, configured to fail if != 0' },
      { uniqueId: 'model.shop.orders', status: 'skipped', timing: [], executionTime: 0 },
    ],
  });

  it('has exactly the v6 keys on metadata and results', () => {
    expect(Object.keys(doc).sort()).toEqual(['args', 'elapsed_time', 'metadata', 'results']);
    expect(Object.keys(doc.metadata).sort()).toEqual([...METADATA_V6_KEYS].sort());
    expect(doc.metadata.dbt_schema_version).toBe(RUN_RESULTS_SCHEMA);
    for (const r of doc.results) expect(Object.keys(r).sort()).toEqual([...RESULT_KEYS].sort());
  });

  it('reports rows affected, failures and skipped nodes', () => {
    expect(doc.results[0]).toMatchObject({ status: 'success', adapter_response: { _message: 'OK', rows_affected: 12 }, compiled: true, thread_id: 'Thread-1' });
    expect(doc.results[0]!['timing']).toEqual([{ name: 'execute', started_at: '2024-05-06T07:08:09.123000Z', completed_at: '2024-05-06T07:08:09.123000Z' }]);
    expect(doc.results[1]).toMatchObject({ status: 'fail', failures: 3, adapter_response: {}, compiled_code: null });
    expect(doc.results[2]).toMatchObject({ status: 'skipped', compiled: false, message: null });
  });

  it('is written as a whole file under the target path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'duckrun-target-'));
    try {
      const path = writeArtifact(join(dir, 'target'), 'run_results.json', doc);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(doc);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
