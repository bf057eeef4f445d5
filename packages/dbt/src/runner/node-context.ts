// The Jinja context of one node's execute-phase render: relations for this/ref/source, the
// resolved config, vars, target, adapter, graph and flags. Ephemeral refs are recorded so the
// caller can inject their CTEs.
import { CompilerError, type NodeContext, type RefCall } from '../jinja/index.js';
import type { ProjectNode, SourceDefinition } from '../project/index.js';
import { Relation, sqlString } from './relation.js';
import type { NodeInfo, RunContext } from './run-context.js';

/** Per-render adjustments. */
export interface RenderTweaks {
  readonly isIncremental?: boolean;
  /** Names the template sees besides the standard ones. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Rewrites the relation a ref() returns (microbatch filters inputs to the batch window). */
  readonly mapRef?: (target: NodeInfo, relation: Relation) => Relation;
  /** Extra keys of the `model` dict (e.g. microbatch's `batch`). */
  readonly modelExtra?: Readonly<Record<string, unknown>>;
}

/** Ids of ephemeral models a render referenced, in first-use order. */
export type CteCollector = Set<string>;

/** Builds the context; `ctes` collects ephemeral refs. */
export function nodeContext(ctx: RunContext, info: NodeInfo, tweaks: RenderTweaks, ctes: CteCollector): NodeContext {
  return {
    this: info.relation,
    model: { ...modelDict(info), ...(tweaks.modelExtra ?? {}) },
    target: ctx.targetContext,
    ref: (call) => {
      const target = resolveRef(ctx, info.node, call);
      if (target.materialized === 'ephemeral') {
        ctes.add(target.node.uniqueId);
        return new Relation({ schema: target.schema, identifier: target.identifier, type: 'cte', sqlText: cteName(target.node.name) });
      }
      return tweaks.mapRef ? tweaks.mapRef(target, target.relation) : target.relation;
    },
    source: (sourceName, tableName) => sourceRelation(resolveSource(ctx, info.node, sourceName, tableName)),
    config: {
      // The config was resolved by the parse phase; execute-phase config() calls change nothing.
      set: () => undefined,
      get: (key) => info.config[key],
    },
    vars: ctx.project.varsFor(info.node.packageName),
    envVars: ctx.envVars,
    isIncremental: tweaks.isIncremental ?? false,
    adapter: ctx.adapter,
    graph: graphOf(ctx),
    flags: flagsOf(ctx),
    invocationId: ctx.invocationId,
    runStartedAt: ctx.runStartedAt,
    extra: { database: 'main', schema: info.schema, ...(tweaks.extra ?? {}) },
  };
}

/** The CTE name an ephemeral model is injected as. */
export function cteName(name: string): string {
  return `__dbt__cte__${name}`;
}

/** dbt's ref lookup at execute time: the calling package, then the root project, then any package. */
export function resolveRef(ctx: RunContext, from: ProjectNode, call: RefCall): NodeInfo {
  const all = [...ctx.infos.values()].filter((i) => i.node.resourceType !== 'test' && i.node.name === call.name && (call.package === undefined || i.node.packageName === call.package));
  const pools = [all.filter((i) => i.node.packageName === from.packageName), all.filter((i) => i.node.packageName === ctx.project.root.name), all];
  const pool = pools.find((p) => p.length > 0) ?? [];
  let hit: NodeInfo | undefined;
  if (call.version !== undefined) hit = pool.find((i) => String(i.node.version) === String(call.version));
  else hit = pool.find((i) => i.node.latestVersion !== undefined && String(i.node.version) === String(i.node.latestVersion)) ?? pool[pool.length - 1];
  if (hit === undefined) throw new CompilerError(`${from.uniqueId} (${from.originalFilePath}) depends on a node named '${call.name}' which was not found`);
  return hit;
}

/** The source table a `source()` call names. */
export function resolveSource(ctx: RunContext, from: ProjectNode, sourceName: string, tableName: string): SourceDefinition {
  const candidates = [...ctx.project.sources.values()].filter((s) => s.sourceName === sourceName && s.name === tableName);
  const hit = candidates.find((s) => s.packageName === from.packageName) ?? candidates.find((s) => s.packageName === ctx.project.root.name) ?? candidates[0];
  if (hit === undefined) throw new CompilerError(`${from.uniqueId} (${from.originalFilePath}) depends on a source named '${sourceName}.${tableName}' which was not found`);
  return hit;
}

/**
 * A source as a relation. `meta.delta_table_path` reads a Delta table anywhere; `meta.location` with
 * `format` (csv | parquet | delta, else from the extension) reads files; otherwise `schema.identifier`
 * under the root.
 */
export function sourceRelation(s: SourceDefinition): Relation {
  const meta = s.meta;
  const deltaPath = typeof meta['delta_table_path'] === 'string' ? meta['delta_table_path'] : undefined;
  const location = typeof meta['location'] === 'string' ? meta['location'] : undefined;
  const base = { schema: s.schema, identifier: s.identifier, type: 'external' as const };
  if (deltaPath !== undefined) return new Relation({ ...base, sqlText: `delta_scan(${sqlString(deltaPath)})` });
  if (location !== undefined) {
    const format = typeof meta['format'] === 'string' ? meta['format'].toLowerCase() : /\.csv(\.gz)?$/i.test(location) ? 'csv' : /\.parquet$/i.test(location) ? 'parquet' : 'delta';
    const call = format === 'csv' ? `read_csv_auto(${sqlString(location)})` : format === 'parquet' ? `read_parquet(${sqlString(location)})` : `delta_scan(${sqlString(location)})`;
    return new Relation({ ...base, sqlText: call });
  }
  return new Relation({ schema: s.schema, identifier: s.identifier, type: 'table' });
}

/** The `model` dict templates read (`model.config.materialized`, `model.unique_id`, …). */
export function modelDict(info: NodeInfo): Record<string, unknown> {
  const n = info.node;
  return {
    unique_id: n.uniqueId,
    name: n.name,
    alias: info.identifier,
    schema: info.schema,
    database: 'main',
    resource_type: n.resourceType,
    package_name: n.packageName,
    path: n.path,
    original_file_path: n.originalFilePath,
    fqn: [...n.fqn],
    config: info.config,
    tags: (info.config['tags'] as unknown[] | undefined) ?? [],
    meta: (info.config['meta'] as Record<string, unknown> | undefined) ?? {},
    description: n.description,
    columns: Object.fromEntries(
      Object.entries(n.columns).map(([k, c]) => [k, { name: c.name, description: c.description, data_type: c.dataType ?? null, meta: c.meta, tags: [...c.tags] }]),
    ),
    raw_code: n.rawCode,
    raw_sql: n.rawCode,
    language: 'sql',
    refs: info.refs.map((r) => ({ name: r.name, package: r.package ?? null, version: r.version ?? null })),
    sources: info.sources.map((s) => [s.sourceName, s.tableName]),
    version: n.version ?? null,
    latest_version: n.latestVersion ?? null,
    ...(n.testMetadata === undefined ? {} : { test_metadata: { name: n.testMetadata.name, namespace: n.testMetadata.namespace ?? null, kwargs: n.testMetadata.kwargs } }),
    ...(n.columnName === undefined ? {} : { column_name: n.columnName }),
    ...(n.attachedNode === undefined ? {} : { attached_node: n.attachedNode }),
  };
}

const graphs = new WeakMap<RunContext, unknown>();
const flags = new WeakMap<RunContext, unknown>();

function graphOf(ctx: RunContext): unknown {
  let g = graphs.get(ctx);
  if (g === undefined) {
    const nodes: Record<string, unknown> = {};
    for (const [id, i] of ctx.infos) nodes[id] = { ...modelDict(i), depends_on: { nodes: [...ctx.graph.parents(id)] } };
    const sources: Record<string, unknown> = {};
    for (const [id, s] of ctx.project.sources) {
      sources[id] = { unique_id: id, name: s.name, source_name: s.sourceName, schema: s.schema, identifier: s.identifier, resource_type: 'source', package_name: s.packageName, meta: s.meta, tags: [...s.tags], fqn: [...s.fqn] };
    }
    g = { nodes, sources, exposures: {}, metrics: {}, groups: {}, semantic_models: {}, saved_queries: {} };
    graphs.set(ctx, g);
  }
  return g;
}

function flagsOf(ctx: RunContext): unknown {
  let f = flags.get(ctx);
  if (f === undefined) {
    f = {
      FULL_REFRESH: ctx.options.fullRefresh === true,
      WHICH: ctx.command,
      STORE_FAILURES: false,
      EVENT_TIME_START: ctx.options.eventTimeStart ?? null,
      EVENT_TIME_END: ctx.options.eventTimeEnd ?? null,
      USE_COLORS: false,
      WARN_ERROR: false,
    };
    flags.set(ctx, f);
  }
  return f;
}
