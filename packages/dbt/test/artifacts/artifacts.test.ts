// Shape checks of the artifacts against dbt's published JSON Schemas (manifest v12, run_results v6):
// the required keys, the keys each object may carry where the schema closes it
// (additionalProperties: false), and the enum values, written out here as assertions.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest, buildRunResults, MANIFEST_SCHEMA, RUN_RESULTS_SCHEMA, writeArtifact } from '../../src/artifacts/index.js';
import type { RunStatus } from '../../src/artifacts/index.js';
import { buildGraph } from '../../src/graph/index.js';
import { loadProject } from '../../src/project/index.js';

const MANIFEST_TOP = ['metadata', 'nodes', 'sources', 'macros', 'docs', 'exposures', 'metrics', 'groups', 'selectors', 'disabled', 'parent_map', 'child_map', 'group_map', 'saved_queries', 'semantic_models', 'unit_tests'];
/** ManifestMetadata is closed and requires nothing. */
const METADATA_V12_KEYS = ['dbt_schema_version', 'dbt_version', 'generated_at', 'invocation_id', 'invocation_started_at', 'env', 'project_name', 'project_id', 'user_id', 'send_anonymous_usage_stats', 'adapter_type', 'quoting'];
/** Required by every node kind (a snapshot also requires `config`). */
const NODE_REQUIRED = ['database', 'schema', 'name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'fqn', 'alias', 'checksum'];
/** Keys every node kind may carry. */
const NODE_BASE_KEYS = [
  ...NODE_REQUIRED, 'config', 'tags', 'description', 'columns', 'meta', 'group', 'docs', 'patch_path', 'build_path', 'unrendered_config', 'created_at',
  'config_call_dict', 'unrendered_config_call_dict', 'relation_name', 'raw_code', 'doc_blocks',
];
/** Keys of the compiled node kinds (everything but seeds). */
const COMPILED_KEYS = ['language', 'refs', 'sources', 'metrics', 'depends_on', 'compiled_path', 'compiled', 'compiled_code', 'extra_ctes_injected', 'extra_ctes', '_pre_injected_sql', 'contract'];
/** Every node object is closed: the keys each kind may carry. */
const NODE_KEYS: Record<string, readonly string[]> = {
  seed: [...NODE_BASE_KEYS, 'root_path', 'depends_on', 'defer_relation'],
  model: [...NODE_BASE_KEYS, ...COMPILED_KEYS, 'access', 'constraints', 'version', 'latest_version', 'deprecation_date', 'defer_relation', 'primary_key', 'time_spine', 'freshness'],
  genericTest: [...NODE_BASE_KEYS, ...COMPILED_KEYS, 'column_name', 'file_key_name', 'attached_node', 'test_metadata'],
  singularTest: [...NODE_BASE_KEYS, ...COMPILED_KEYS],
  snapshot: [...NODE_BASE_KEYS, ...COMPILED_KEYS, 'defer_relation'],
};
const SOURCE_REQUIRED = ['database', 'schema', 'name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'fqn', 'source_name', 'source_description', 'loader', 'identifier'];
const SOURCE_KEYS = [
  ...SOURCE_REQUIRED, 'quoting', 'loaded_at_field', 'loaded_at_query', 'freshness', 'external', 'description', 'columns', 'meta', 'source_meta', 'tags', 'config',
  'patch_path', 'unrendered_config', 'relation_name', 'created_at', 'unrendered_database', 'unrendered_schema', 'doc_blocks',
];
const MACRO_REQUIRED = ['name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'macro_sql'];
const MACRO_KEYS = [...MACRO_REQUIRED, 'depends_on', 'description', 'meta', 'docs', 'patch_path', 'arguments', 'created_at', 'supported_languages'];
const DOC_REQUIRED = ['name', 'resource_type', 'package_name', 'path', 'original_file_path', 'unique_id', 'block_contents'];
const RESULT_KEYS = ['status', 'timing', 'thread_id', 'execution_time', 'adapter_response', 'message', 'failures', 'unique_id', 'compiled', 'compiled_code', 'relation_name'];
/** RunResultOutput also allows `batch_results`; all the others are required. */
const RESULT_ALLOWED_KEYS = [...RESULT_KEYS, 'batch_results'];
const METADATA_V6_KEYS = ['dbt_schema_version', 'dbt_version', 'generated_at', 'invocation_id', 'env'];
/** The three status vocabularies of RunResultOutput.status: run/seed/snapshot, test, freshness. */
const RUN_STATUSES = ['success', 'error', 'skipped', 'partial success'];
const TEST_STATUSES = ['pass', 'error', 'fail', 'warn', 'skipped'];
const FRESHNESS_STATUSES = ['pass', 'warn', 'error', 'runtime error'];
const ALL_STATUSES = new Set([...RUN_STATUSES, ...TEST_STATUSES, ...FRESHNESS_STATUSES]);

/** `value` is a plain object carrying only keys from `allowed` (a closed object in the schema). */
function expectOnlyKeys(value: unknown, allowed: readonly string[], label: string): void {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), `${label} is an object`).toBe(true);
  const extra = Object.keys(value as object).filter((k) => !allowed.includes(k));
  expect(extra, `${label}: keys outside the schema`).toEqual([]);
}

function expectKeys(value: object, required: readonly string[], label: string): void {
  for (const k of required) expect(value, `${label}.${k}`).toHaveProperty([k]);
}

const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';
const isBooleanOrNull = (v: unknown) => v === null || typeof v === 'boolean';

/** Which v12 node kind a node object is. */
function nodeKind(n: Record<string, unknown>): string {
  if (n['resource_type'] === 'test') return n['test_metadata'] === undefined ? 'singularTest' : 'genericTest';
  return String(n['resource_type']);
}

/** The closed sub-objects every node shares: checksum, docs, hooks, depends_on, refs, contract, columns. */
function expectNodeParts(n: Record<string, unknown>, label: string): void {
  expectOnlyKeys(n['checksum'], ['name', 'checksum'], `${label}.checksum`);
  expect(n['checksum']).toEqual({ name: expect.any(String), checksum: expect.any(String) });
  expectOnlyKeys(n['docs'], ['show', 'node_color'], `${label}.docs`);
  expect(typeof n['created_at']).toBe('number');
  for (const s of [n['database'], n['schema'], n['relation_name'], n['patch_path'], n['build_path']]) expect(isStringOrNull(s)).toBe(true);
  const config = n['config'] as Record<string, unknown>;
  for (const key of ['pre-hook', 'post-hook']) {
    for (const hook of (config[key] ?? []) as Record<string, unknown>[]) {
      expectOnlyKeys(hook, ['sql', 'transaction', 'index'], `${label}.config.${key}[]`);
      expect(typeof hook['sql']).toBe('string');
      expect(typeof hook['transaction']).toBe('boolean');
      expect(hook['index'] === null || Number.isInteger(hook['index'])).toBe(true);
    }
  }
  for (const [name, col] of Object.entries(n['columns'] as Record<string, Record<string, unknown>>)) {
    expect(col['name'], `${label}.columns.${name}.name`).toEqual(expect.any(String));
    for (const c of col['constraints'] as Record<string, unknown>[]) expect(['check', 'not_null', 'unique', 'primary_key', 'foreign_key', 'custom']).toContain(c['type']);
  }
  if (n['resource_type'] === 'seed') {
    expectOnlyKeys(n['depends_on'], ['macros'], `${label}.depends_on`);
    return;
  }
  expectOnlyKeys(n['depends_on'], ['macros', 'nodes'], `${label}.depends_on`);
  expectOnlyKeys(n['contract'], ['enforced', 'alias_types', 'checksum'], `${label}.contract`);
  expect(typeof n['compiled']).toBe('boolean');
  expect(isStringOrNull(n['compiled_code'])).toBe(true);
  for (const r of n['refs'] as Record<string, unknown>[]) {
    expectOnlyKeys(r, ['name', 'package', 'version'], `${label}.refs[]`);
    expect(typeof r['name']).toBe('string');
  }
  for (const s of n['sources'] as unknown[]) expect(Array.isArray(s) && s.every((x) => typeof x === 'string')).toBe(true);
  for (const c of n['extra_ctes'] as Record<string, unknown>[]) expectOnlyKeys(c, ['id', 'sql'], `${label}.extra_ctes[]`);
  if (n['resource_type'] === 'model') expect(['private', 'protected', 'public']).toContain(n['access']);
  if (n['resource_type'] === 'test') expect(String(config['severity'] ?? 'ERROR')).toMatch(/^(warn|error)$/i);
  if (n['test_metadata'] !== undefined) expectOnlyKeys(n['test_metadata'], ['name', 'kwargs', 'namespace'], `${label}.test_metadata`);
}

/** Every node, source, macro and doc of a manifest against the v12 keys. */
function expectManifestShape(manifest: Record<string, unknown>): void {
  expectOnlyKeys(manifest, MANIFEST_TOP, 'manifest');
  expectOnlyKeys(manifest['metadata'], METADATA_V12_KEYS, 'metadata');
  for (const [id, n] of Object.entries(manifest['nodes'] as Record<string, Record<string, unknown>>)) {
    const kind = nodeKind(n);
    expect(Object.keys(NODE_KEYS), `${id}: a v12 node kind`).toContain(kind);
    expectKeys(n, kind === 'snapshot' ? [...NODE_REQUIRED, 'config'] : NODE_REQUIRED, id);
    expectOnlyKeys(n, NODE_KEYS[kind]!, id);
    expectNodeParts(n, id);
  }
  for (const [id, list] of Object.entries(manifest['disabled'] as Record<string, Record<string, unknown>[]>)) {
    for (const n of list) {
      expectKeys(n, NODE_REQUIRED, `disabled ${id}`);
      expectOnlyKeys(n, NODE_KEYS[nodeKind(n)]!, `disabled ${id}`);
    }
  }
  for (const [id, s] of Object.entries(manifest['sources'] as Record<string, Record<string, unknown>>)) {
    expectKeys(s, SOURCE_REQUIRED, id);
    expectOnlyKeys(s, SOURCE_KEYS, id);
    expectOnlyKeys(s['quoting'], ['database', 'schema', 'identifier', 'column'], `${id}.quoting`);
    for (const v of Object.values(s['quoting'] as object)) expect(isBooleanOrNull(v)).toBe(true);
    const freshness = s['freshness'] as Record<string, unknown> | null;
    if (freshness !== null) {
      expectOnlyKeys(freshness, ['warn_after', 'error_after', 'filter'], `${id}.freshness`);
      for (const k of ['warn_after', 'error_after']) {
        const t = freshness[k] as Record<string, unknown> | null;
        if (t === null) continue;
        expectOnlyKeys(t, ['count', 'period'], `${id}.freshness.${k}`);
        expect([null, 'minute', 'hour', 'day']).toContain(t['period']);
      }
    }
    expect(s['external'] === null || (typeof s['external'] === 'object' && !Array.isArray(s['external']))).toBe(true);
  }
  for (const [id, m] of Object.entries(manifest['macros'] as Record<string, Record<string, unknown>>)) {
    expectKeys(m, MACRO_REQUIRED, id);
    expectOnlyKeys(m, MACRO_KEYS, id);
    expectOnlyKeys(m['depends_on'], ['macros'], `${id}.depends_on`);
    for (const a of m['arguments'] as object[]) expectOnlyKeys(a, ['name', 'type', 'description'], `${id}.arguments[]`);
  }
  for (const [id, d] of Object.entries(manifest['docs'] as Record<string, object>)) {
    expectKeys(d, DOC_REQUIRED, id);
    expectOnlyKeys(d, DOC_REQUIRED, id);
  }
  for (const key of ['parent_map', 'child_map', 'group_map']) {
    for (const list of Object.values(manifest[key] as Record<string, unknown>)) expect(Array.isArray(list) && list.every((x) => typeof x === 'string')).toBe(true);
  }
}

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

  it('writes nodes, sources, macros and docs with the v12 required keys and no keys outside the schema', () => {
    expect(new Set(Object.values(manifest.nodes).map(nodeKind))).toEqual(new Set(['model', 'seed', 'snapshot', 'genericTest', 'singularTest']));
    expect(Object.keys(manifest.sources).length).toBeGreaterThan(0);
    expect(Object.keys(manifest['docs'] as object).length).toBeGreaterThan(0);
    expectManifestShape(manifest);
    for (const [id, n] of Object.entries(manifest.nodes)) expect(n['unique_id']).toBe(id);
  });

  it('keeps hook objects and source quoting to the keys v12 allows', () => {
    const customers = project.nodes.get('model.shop.customers')!;
    const source = project.sources.get('source.shop.crm.customers')!;
    const odd = buildManifest({
      project: {
        ...project,
        nodes: new Map([...project.nodes, [customers.uniqueId, { ...customers, config: { ...customers.config, 'pre-hook': [{ sql: 'select 1', transaction: false, note: 'x' }, 'select 2'] } }]]),
        sources: new Map([[source.uniqueId, { ...source, quoting: { identifier: true, schema: 'yes', extra: false }, external: 'not an object' }]]),
      },
      graph,
      invocationId: 'inv-1',
      generatedAt: at,
    });
    expectManifestShape(odd);
    expect((odd.nodes[customers.uniqueId]!['config'] as Record<string, unknown>)['pre-hook']).toEqual([
      { sql: 'select 1', transaction: false, index: 0 },
      { sql: 'select 2', transaction: true, index: 1 },
    ]);
    expect(odd.sources[source.uniqueId]).toMatchObject({ quoting: { database: null, schema: null, identifier: true, column: null }, external: null });
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
      { uniqueId: 'test.shop.t', status: 'fail', timing: [], executionTime: 0.1, failures: 3, message: 'Got 3 results, configured to fail if != 0', compiledCode: 'select 1' },
      { uniqueId: 'model.shop.orders', status: 'skipped', timing: [], executionTime: 0, relationName: 'main.orders' },
      { uniqueId: 'seed.shop.raw_orders', status: 'success', timing: [], executionTime: 0.2, adapterMessage: 'INSERT 2', rowsAffected: 2, compiledCode: '', relationName: 'main.raw_orders' },
      { uniqueId: 'model.shop.broken', status: 'error', timing: [], executionTime: 0.1, message: "Compilation Error in models/broken.sql: 'x' is undefined", compiledCode: null, relationName: 'main.broken' },
      { uniqueId: 'test.shop.u', status: 'pass', timing: [], executionTime: 0.1, failures: 0, message: null, compiledCode: 'select 1' },
    ],
  });

  it('has exactly the v6 keys on metadata and results', () => {
    expect(Object.keys(doc).sort()).toEqual(['args', 'elapsed_time', 'metadata', 'results']);
    expect(Object.keys(doc.metadata).sort()).toEqual([...METADATA_V6_KEYS].sort());
    expect(doc.metadata.dbt_schema_version).toBe(RUN_RESULTS_SCHEMA);
    for (const r of doc.results) {
      expect(Object.keys(r).sort()).toEqual([...RESULT_KEYS].sort());
      expectOnlyKeys(r, RESULT_ALLOWED_KEYS, String(r['unique_id']));
      for (const t of r['timing'] as Record<string, unknown>[]) {
        expectOnlyKeys(t, ['name', 'started_at', 'completed_at'], 'timing[]');
        expect(typeof t['name']).toBe('string');
      }
    }
  });

  it('types every field as v6 does and takes statuses from its enums', () => {
    const statuses: Record<RunStatus, true> = { success: true, error: true, skipped: true, 'partial success': true, pass: true, fail: true, warn: true, 'runtime error': true };
    expect(new Set(Object.keys(statuses))).toEqual(ALL_STATUSES);
    for (const r of doc.results) {
      const id = String(r['unique_id']);
      expect(ALL_STATUSES.has(String(r['status'])), id).toBe(true);
      if (id.startsWith('test.')) expect([...TEST_STATUSES, 'runtime error']).toContain(r['status']);
      else expect(RUN_STATUSES).toContain(r['status']);
      expect(typeof r['thread_id']).toBe('string');
      expect(typeof r['execution_time']).toBe('number');
      expect(typeof r['adapter_response'] === 'object' && r['adapter_response'] !== null).toBe(true);
      expect(r['failures'] === null || Number.isInteger(r['failures'])).toBe(true);
      for (const k of ['message', 'compiled_code', 'relation_name']) expect(isStringOrNull(r[k]), `${id}.${k}`).toBe(true);
      expect(isBooleanOrNull(r['compiled'])).toBe(true);
    }
  });

  it('reports rows affected, failures and skipped nodes', () => {
    expect(doc.results[0]).toMatchObject({ status: 'success', adapter_response: { _message: 'OK', rows_affected: 12 }, compiled: true, thread_id: 'Thread-1' });
    expect(doc.results[0]!['timing']).toEqual([{ name: 'execute', started_at: '2024-05-06T07:08:09.123000Z', completed_at: '2024-05-06T07:08:09.123000Z' }]);
    expect(doc.results[1]).toMatchObject({ status: 'fail', failures: 3, adapter_response: {}, compiled: true, relation_name: null });
    expect(doc.results[2]).toMatchObject({ status: 'skipped', compiled: false, compiled_code: null, message: null, relation_name: 'main.orders' });
    expect(doc.results[5]).toMatchObject({ status: 'pass', failures: 0, message: null });
  });

  it('fills compiled, compiled_code and relation_name only for compiled resources, as dbt does', () => {
    expect(doc.results[3]).toMatchObject({ unique_id: 'seed.shop.raw_orders', compiled: null, compiled_code: null, relation_name: null, adapter_response: { _message: 'INSERT 2', rows_affected: 2 } });
    expect(doc.results[4]).toMatchObject({ status: 'error', compiled: false, compiled_code: null, relation_name: 'main.broken', failures: null });
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
