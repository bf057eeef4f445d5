// target/manifest.json (schema v12) from a loaded project and its graph: every node, source,
// macro and doc with the fields dbt writes, plus parent and child maps. Keys outside the schema
// are left out, as several v12 objects forbid unknown keys.
import { createHash } from 'node:crypto';
import type { DependencyGraph } from '../graph/dependency-graph.js';
import type { LoadedProject } from '../project/load-project.js';
import type { NodeConfig } from '../project/node-config.js';
import type { ColumnDefinition, MacroDefinition, ProjectNode, SourceDefinition } from '../project/nodes.js';
import { isoTimestamp } from './run-results.js';
import { DBT_VERSION, MANIFEST_SCHEMA } from './schema-versions.js';

/** What the runner learned about a node by compiling it. */
export interface CompiledNodeInfo {
  readonly compiledCode?: string;
  /** Config after the node's own `config()` calls. */
  readonly config?: NodeConfig;
  /** Calls found by the parse render (for `refs`/`sources` in the manifest). */
  readonly refs?: readonly { readonly name: string; readonly package?: string; readonly version?: string | number }[];
  readonly sources?: readonly { readonly sourceName: string; readonly tableName: string }[];
  readonly macros?: readonly string[];
}

/** Inputs of {@link buildManifest}. */
export interface ManifestInput {
  readonly project: LoadedProject;
  readonly graph: DependencyGraph;
  readonly invocationId: string;
  readonly generatedAt: Date;
  /** Database and default schema of the target (`main` when absent). */
  readonly database?: string;
  readonly schema?: string;
  readonly compiled?: ReadonlyMap<string, CompiledNodeInfo>;
  /** The relation a node or source reads as, e.g. `main.customers` or a `delta_scan(…)`; null for ephemeral models and tests. */
  readonly relationName?: (id: string) => string | null;
  readonly env?: Readonly<Record<string, string>>;
}

/** The manifest.json document. */
export type ManifestArtifact = Record<string, unknown> & {
  readonly metadata: Record<string, unknown>;
  readonly nodes: Record<string, Record<string, unknown>>;
  readonly sources: Record<string, Record<string, unknown>>;
  readonly parent_map: Record<string, string[]>;
  readonly child_map: Record<string, string[]>;
};

/** Builds manifest.json for a project and its graph. */
export function buildManifest(input: ManifestInput): ManifestArtifact {
  const { project, graph } = input;
  const createdAt = input.generatedAt.getTime() / 1000;
  const ctx: NodeContext = {
    createdAt,
    database: input.database ?? 'main',
    schema: input.schema ?? 'main',
    graph,
    compiled: input.compiled ?? new Map(),
    relationName: input.relationName ?? (() => null),
  };
  const nodes: Record<string, Record<string, unknown>> = {};
  for (const [id, n] of project.nodes) nodes[id] = nodeJson(n, ctx);
  const sources: Record<string, Record<string, unknown>> = {};
  for (const [id, s] of project.sources) sources[id] = sourceJson(s, ctx);
  const macros: Record<string, Record<string, unknown>> = {};
  for (const [id, m] of project.macros) macros[id] = macroJson(m, createdAt);
  const docs: Record<string, Record<string, unknown>> = {};
  for (const [id, d] of project.docs) {
    docs[id] = { name: d.name, resource_type: 'doc', package_name: d.packageName, path: d.path, original_file_path: d.originalFilePath, unique_id: id, block_contents: d.blockContents };
  }
  const disabled: Record<string, Record<string, unknown>[]> = {};
  for (const n of project.disabled) (disabled[n.uniqueId] ??= []).push(nodeJson(n, ctx));
  return {
    metadata: {
      dbt_schema_version: MANIFEST_SCHEMA,
      dbt_version: DBT_VERSION,
      generated_at: isoTimestamp(input.generatedAt),
      invocation_id: input.invocationId,
      env: { ...(input.env ?? {}) },
      project_name: project.root.name,
      project_id: createHash('md5').update(project.root.name).digest('hex'),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: 'duckrun',
    },
    nodes,
    sources,
    macros,
    docs,
    exposures: {},
    metrics: {},
    groups: {},
    selectors: {},
    disabled,
    parent_map: graph.parentMap(),
    child_map: graph.childMap(),
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
  };
}

interface NodeContext {
  readonly createdAt: number;
  readonly database: string;
  readonly schema: string;
  readonly graph: DependencyGraph;
  readonly compiled: ReadonlyMap<string, CompiledNodeInfo>;
  readonly relationName: (id: string) => string | null;
}

function nodeJson(n: ProjectNode, ctx: NodeContext): Record<string, unknown> {
  const info = ctx.compiled.get(n.uniqueId);
  const config = configJson(info?.config ?? n.config);
  const schema = typeof config['schema'] === 'string' ? config['schema'] : ctx.schema;
  const alias = typeof config['alias'] === 'string' ? config['alias'] : n.name;
  const base: Record<string, unknown> = {
    database: typeof config['database'] === 'string' ? config['database'] : ctx.database,
    schema,
    name: n.name,
    resource_type: n.resourceType,
    package_name: n.packageName,
    path: n.path,
    original_file_path: n.originalFilePath,
    unique_id: n.uniqueId,
    fqn: [...n.fqn],
    alias,
    checksum: { name: 'sha256', checksum: n.checksum },
    config,
    tags: Array.isArray(config['tags']) ? config['tags'] : [],
    description: n.description,
    columns: Object.fromEntries(Object.entries(n.columns).map(([k, c]) => [k, columnJson(c)])),
    meta: isRecord(config['meta']) ? config['meta'] : {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: n.patchPath ?? null,
    build_path: null,
    unrendered_config: {},
    created_at: ctx.createdAt,
    config_call_dict: {},
    unrendered_config_call_dict: {},
    relation_name: ctx.relationName(n.uniqueId),
    raw_code: n.rawCode,
    doc_blocks: [],
  };
  const parents = [...ctx.graph.parents(n.uniqueId)];
  const macros = [...(info?.macros ?? [])];
  if (n.resourceType === 'seed') return { ...base, root_path: n.rootPath, depends_on: { macros } };
  const compiledCode = info?.compiledCode;
  const refs = info?.refs ?? (n.staticRefs ?? []);
  const sources = info?.sources ?? (n.staticSources ?? []);
  const compiledNode: Record<string, unknown> = {
    ...base,
    language: n.language,
    refs: refs.map((r) => ({ name: r.name, package: r.package ?? null, version: r.version ?? null })),
    sources: sources.map((s) => [s.sourceName, s.tableName]),
    metrics: [],
    depends_on: { macros, nodes: parents },
    compiled_path: compiledCode === undefined ? null : `target/compiled/${n.packageName}/${n.originalFilePath}`,
    compiled: compiledCode !== undefined,
    compiled_code: compiledCode ?? null,
    extra_ctes_injected: false,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
  };
  if (n.resourceType === 'model') {
    return { ...compiledNode, access: 'protected', constraints: [], version: n.version ?? null, latest_version: n.latestVersion ?? null, deprecation_date: null };
  }
  if (n.resourceType === 'test' && n.testMetadata !== undefined) {
    return {
      ...compiledNode,
      column_name: n.columnName ?? null,
      file_key_name: fileKeyName(n),
      attached_node: n.attachedNode?.startsWith('source.') ? null : (n.attachedNode ?? null),
      test_metadata: { name: n.testMetadata.name, kwargs: n.testMetadata.kwargs, namespace: n.testMetadata.namespace ?? null },
    };
  }
  return compiledNode;
}

function sourceJson(s: SourceDefinition, ctx: NodeContext): Record<string, unknown> {
  return {
    database: s.database ?? ctx.database,
    schema: s.schema,
    name: s.name,
    resource_type: 'source',
    package_name: s.packageName,
    path: s.path,
    original_file_path: s.originalFilePath,
    unique_id: s.uniqueId,
    fqn: [...s.fqn],
    source_name: s.sourceName,
    source_description: s.sourceDescription,
    loader: s.loader,
    identifier: s.identifier,
    quoting: quotingJson(s.quoting),
    loaded_at_field: s.loadedAtField ?? null,
    freshness: { warn_after: { count: null, period: null }, error_after: { count: null, period: null }, filter: null },
    external: isRecord(s.external) ? s.external : null,
    description: s.description,
    columns: Object.fromEntries(Object.entries(s.columns).map(([k, c]) => [k, columnJson(c)])),
    meta: s.meta,
    source_meta: s.sourceMeta,
    tags: [...s.tags],
    config: { enabled: s.config['enabled'] !== false },
    patch_path: null,
    unrendered_config: {},
    relation_name: ctx.relationName(s.uniqueId),
    created_at: ctx.createdAt,
  };
}

function macroJson(m: MacroDefinition, createdAt: number): Record<string, unknown> {
  return {
    name: m.name,
    resource_type: 'macro',
    package_name: m.packageName,
    path: m.originalFilePath,
    original_file_path: m.originalFilePath,
    unique_id: m.uniqueId,
    macro_sql: m.macroSql,
    depends_on: { macros: [] },
    description: m.description,
    meta: m.meta,
    docs: { show: true, node_color: null },
    patch_path: null,
    arguments: m.arguments.map((a) => ({ name: a.name, type: a.type ?? null, description: a.description })),
    created_at: createdAt,
    supported_languages: null,
  };
}

function columnJson(c: ColumnDefinition): Record<string, unknown> {
  return { ...c.extra, name: c.name, description: c.description, meta: c.meta, data_type: c.dataType ?? null, constraints: [], quote: c.quote ?? null, tags: [...c.tags] };
}

/** Hooks become `{sql, transaction, index}` objects, as the manifest stores them (v12's Hook allows no other keys). */
function configJson(config: NodeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of ['pre-hook', 'post-hook']) {
    const v = config[key];
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    out[key] = list.map((h, index) =>
      isRecord(h) ? { sql: String(h['sql'] ?? ''), transaction: h['transaction'] !== false, index: Number.isInteger(h['index']) ? h['index'] : index } : { sql: String(h), transaction: true, index },
    );
  }
  return out;
}

/** A source's `quoting`: the four v12 keys, each a boolean or null (the schema allows nothing else). */
function quotingJson(q: Readonly<Record<string, unknown>>): Record<string, boolean | null> {
  const flag = (k: string) => (typeof q[k] === 'boolean' ? (q[k] as boolean) : null);
  return { database: flag('database'), schema: flag('schema'), identifier: flag('identifier'), column: flag('column') };
}

/** dbt's `file_key_name`: `models.<name>` or `sources.<source>`. */
function fileKeyName(n: ProjectNode): string | null {
  const a = n.attachedNode;
  if (a === undefined) return null;
  const parts = a.split('.');
  if (a.startsWith('source.')) return `sources.${parts[2]}`;
  return `${parts[0]}s.${parts[2]}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
