// runDbt: one dbt invocation. Load profile and project, parse every node, build and select the DAG,
// open the warehouse, run on-run-start hooks, the selected nodes in dependency order (downstream of a
// failure skipped), on-run-end hooks, and write target/manifest.json and target/run_results.json.
import { buildManifest, buildRunResults, writeArtifact, type NodeRunResult } from '../artifacts/index.js';
import type { DbtCommand, NodeSummary, RunEvent, RunResults } from '../events.js';
import { toUrl } from '@duckrun/storage';
import { buildGraph, selectNodes, type DependencyGraph } from '../graph/index.js';
import { createJinjaEnvironment, type JinjaEnvironment, type NodeContext } from '../jinja/index.js';
import { loadProfile, loadProject, parseYaml, targetContext, type LoadedProject, type ResolvedTarget } from '../project/index.js';
import { createAdapter } from './adapter.js';
import { compileNode } from './compile-node.js';
import { RunOptionError } from './errors.js';
import { INTERNAL_MACRO_FILES } from './internal-macros.js';
import type { CompiledNodeOutput, DbtRunOptions, DbtRunResults, ShowOutput } from './options.js';
import { parseNodes } from './parse-nodes.js';
import { tableToQueryResult } from './query-result.js';
import { Relation } from './relation.js';
import type { NodeInfo, RunContext } from './run-context.js';
import { compileOnly, runNode, skippedResult } from './run-node.js';
import { Warehouse } from './warehouse.js';

/** Which resource types each command executes. */
const COMMAND_TYPES: Record<DbtCommand, readonly string[]> = {
  run: ['model'],
  build: ['seed', 'model', 'snapshot', 'test'],
  test: ['test'],
  seed: ['seed'],
  snapshot: ['snapshot'],
  compile: ['model', 'snapshot', 'test'],
  show: ['model', 'snapshot', 'seed'],
  ls: ['model', 'seed', 'snapshot', 'test'],
};

/**
 * Runs a dbt command on a project and returns one result per node; a failing node never throws (its
 * result says why, naming the file, and its downstream nodes are skipped). Throws a DuckrunError, with
 * a one-line message naming the file, only when the invocation cannot start: no project or profile,
 * bad YAML, a Jinja syntax error, an unknown ref or a cycle.
 * @example
 * const results = await runDbt('build', { projectDir: 'examples/jaffle_shop', onEvent: (e) => report(e) });
 * process.exitCode = results.success ? 0 : 1;
 */
export async function runDbt(command: DbtCommand, options: DbtRunOptions): Promise<DbtRunResults> {
  const started = Date.now();
  const emit = (e: RunEvent) => options.onEvent?.(e);
  const envVars = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const runStartedAt = now();
  const vars = typeof options.vars === 'string' ? ((parseYaml(options.vars, '--vars') ?? {}) as Record<string, unknown>) : (options.vars ?? {});
  const invocationId = globalThis.crypto.randomUUID();
  const env = createJinjaEnvironment({ now, newId: () => invocationId, onLog: (message, level) => emit({ kind: 'log', level, message }) });
  const render = (text: string, c: { file: string; vars: Readonly<Record<string, unknown>>; target?: Readonly<Record<string, unknown>> }) =>
    env.parse({ source: text, name: c.file }, { vars: c.vars, envVars, ...(c.target === undefined ? {} : { target: c.target }) }).output;

  const projectForProfile = loadProject({ projectDir: options.projectDir, vars, render });
  const target = loadProfile({
    profileName: projectForProfile.root.project.profile ?? projectForProfile.root.name,
    ...(options.profilesDir === undefined ? {} : { profilesDir: options.profilesDir }),
    ...(options.target === undefined ? {} : { target: options.target }),
    env: envVars,
    cwd: projectForProfile.projectDir,
    render,
  });
  const tctx = targetContext(target);
  // Schema YAML may read target.*: load again with the target known.
  const project = loadProject({ projectDir: options.projectDir, vars, render, target: tctx });
  for (const w of project.warnings) emit({ kind: 'log', level: 'warn', message: w });

  registerMacros(env, project);
  const { infos, dependencies } = parseNodes(env, project, tctx, envVars);
  const graph = buildGraph({ rootPackage: project.root.name, nodes: project.nodes.values(), sources: project.sources.values(), dependencies, disabled: project.disabled });

  if (command === 'ls') {
    const ids = select(command, options, graph, project, infos);
    const listed = ids.map((id) => infos.get(id)!.node.fqn.join('.'));
    return finish(command, invocationId, [], started, { listed });
  }

  const warehouse = await Warehouse.open({
    // A relative root_path is relative to the project, whatever folder duckrun runs from (as `duckrun debug` checks it).
    rootPath: toUrl(target.rootPath, project.projectDir),
    storageOptions: target.storageOptions,
    engine: target.engine === 'native' ? 'native' : 'wasm',
    defaultSchema: target.schema,
  });
  try {
    for (const info of infos.values()) {
      const location = info.config['location'];
      if (typeof location === 'string' && location !== '') warehouse.setLocation(info.schema, info.identifier, location);
    }
    const ctx = runContext(command, options, env, project, graph, target, tctx, warehouse, infos, envVars, runStartedAt, emit, invocationId);
    if (options.inline !== undefined && (command === 'compile' || command === 'show')) return await runInline(command, ctx, options.inline, started);
    const ids = select(command, options, graph, project, infos);
    if (command === 'compile') {
      const compiled: CompiledNodeOutput[] = [];
      for (const id of ids) compiled.push({ uniqueId: id, name: infos.get(id)!.node.name, compiledCode: await compileOnly(ctx, infos.get(id)!) });
      return finish(command, ctx.invocationId, [], started, { compiled });
    }
    if (command === 'show') {
      const id = ids[0];
      if (id === undefined) throw new RunOptionError('show needs a node: pass --select <model> or --inline "<sql>"');
      const info = infos.get(id)!;
      const sql = await compileOnly(ctx, info);
      return finish(command, ctx.invocationId, [], started, { show: await preview(ctx, id, info.node.name, sql, options.limit) });
    }
    const results = await execute(ctx, ids);
    const artifacts = { project, graph, target, infos, invocationId: ctx.invocationId, results, started, command, options };
    writeArtifacts(artifacts);
    return finish(command, ctx.invocationId, results, started, {}, emit);
  } finally {
    await warehouse.close();
  }
}

/** Runs the selected nodes with on-run-start/end hooks; emits the node events. */
async function execute(ctx: RunContext, ids: readonly string[]): Promise<NodeRunResult[]> {
  const total = ids.length;
  ctx.emit({ kind: 'run-start', command: ctx.command, total, summary: summarize(ctx) });
  await runProjectHooks(ctx, 'on-run-start');
  const results: NodeRunResult[] = [];
  const failed = new Map<string, string>();
  const testFailed = new Set<string>();
  for (const [i, id] of ids.entries()) {
    const info = ctx.infos.get(id)!;
    const node = ctx.summary(id);
    // A failing test blocks the models downstream of what it tests, not the other tests of that model.
    const blocker = [...ctx.graph.ancestors(id)].find((a) => failed.has(a) || (info.node.resourceType !== 'test' && testFailed.has(a)));
    if (blocker !== undefined) {
      const r = skippedResult(info, ctx.infos.get(blocker)?.node.name ?? blocker);
      failed.set(id, 'skipped');
      results.push(r);
      ctx.emit({ kind: 'node-finish', index: i + 1, total, node, result: r });
      continue;
    }
    ctx.emit({ kind: 'node-start', index: i + 1, total, node });
    const r = await runNode(ctx, info);
    if (info.node.resourceType === 'test') {
      // In build, a failing test stops what depends on the tested nodes, as in dbt.
      if ((r.status === 'error' || r.status === 'fail') && ctx.command === 'build') for (const parent of ctx.graph.parents(id)) testFailed.add(parent);
    } else if (r.status === 'error') failed.set(id, r.status);
    results.push(r);
    ctx.emit({ kind: 'node-finish', index: i + 1, total, node, result: r });
  }
  await runProjectHooks(ctx, 'on-run-end');
  return results;
}

/** on-run-start / on-run-end: rendered with the run's context (no node) and run in order. */
async function runProjectHooks(ctx: RunContext, which: 'on-run-start' | 'on-run-end'): Promise<void> {
  if (ctx.command === 'compile' || ctx.command === 'show') return;
  const hooks = which === 'on-run-start' ? ctx.project.onRunStart : ctx.project.onRunEnd;
  for (const [i, hook] of hooks.entries()) {
    const name = `${hook.packageName}-${which}-${hook.index}`;
    ctx.emit({ kind: 'hook-start', name, index: i + 1, total: hooks.length });
    const t0 = Date.now();
    try {
      const node: NodeContext = { target: ctx.targetContext, vars: ctx.project.varsFor(hook.packageName), envVars: ctx.envVars, adapter: ctx.adapter, invocationId: ctx.invocationId, runStartedAt: ctx.runStartedAt, flags: { WHICH: ctx.command } };
      const out = await ctx.env.render({ source: hook.sql, name: `dbt_project.yml (${which} ${hook.index + 1})` }, node, { runQuery: (sql) => ctx.warehouse.queryResult(sql) });
      if (out.output.trim() !== '') await ctx.warehouse.query(out.output);
      ctx.emit({ kind: 'hook-finish', name, index: i + 1, total: hooks.length, status: 'success', seconds: (Date.now() - t0) / 1000 });
    } catch (e) {
      const message = `dbt_project.yml (${which} ${hook.index + 1}): ${e instanceof Error ? e.message : String(e)}`;
      ctx.emit({ kind: 'hook-finish', name, index: i + 1, total: hooks.length, status: 'error', seconds: (Date.now() - t0) / 1000, message });
      ctx.emit({ kind: 'log', level: 'error', message });
    }
  }
}

/** compile/show --inline: the SQL rendered as a model of the root project named `inline_query`. */
async function runInline(command: DbtCommand, ctx: RunContext, sql: string, started: number): Promise<DbtRunResults> {
  const node = {
    uniqueId: `sql_operation.${ctx.project.root.name}.inline_query`,
    resourceType: 'model' as const,
    name: 'inline_query',
    packageName: ctx.project.root.name,
    path: 'inline_query.sql',
    originalFilePath: '--inline',
    rootPath: ctx.project.projectDir,
    fqn: [ctx.project.root.name, 'inline_query'],
    rawCode: sql,
    language: 'sql' as const,
    checksum: '',
    config: { materialized: 'view' },
    description: '',
    columns: {},
    properties: {},
  };
  const info: NodeInfo = { node, config: { materialized: 'view' }, schema: ctx.target.schema, identifier: 'inline_query', relation: new Relation({ schema: ctx.target.schema, identifier: 'inline_query' }), materialized: 'view', refs: [], sources: [] };
  const compiled = await compileNode(ctx, info);
  if (command === 'compile') return finish(command, ctx.invocationId, [], started, { compiled: [{ uniqueId: node.uniqueId, name: node.name, compiledCode: compiled }] });
  return finish(command, ctx.invocationId, [], started, { show: await preview(ctx, node.uniqueId, node.name, compiled, ctx.options.limit) });
}

async function preview(ctx: RunContext, uniqueId: string, name: string, sql: string, limit: number | undefined): Promise<ShowOutput> {
  const n = limit ?? 5;
  const table = await ctx.warehouse.query(n < 0 ? sql : `select * from (\n${sql}\n) as dbt_show limit ${Math.floor(n)}`);
  const r = tableToQueryResult(table);
  return { uniqueId, name, columns: r.columns, rows: r.rows, table };
}

function select(command: DbtCommand, options: DbtRunOptions, graph: DependencyGraph, project: LoadedProject, infos: ReadonlyMap<string, NodeInfo>): string[] {
  // Selectors see each node's whole config: dbt_project.yml, schema YAML and the model's own config() call
  // (captured by the parse phase), with the materialization defaulted as it will run.
  const nodes = new Map([...project.nodes].map(([id, node]) => {
    const info = infos.get(id);
    return [id, info === undefined ? node : { ...node, config: { ...info.config, materialized: info.materialized } }] as const;
  }));
  const ids = selectNodes(
    { graph, nodes, sources: project.sources },
    { ...(options.select === undefined ? {} : { select: options.select }), ...(options.exclude === undefined ? {} : { exclude: options.exclude }) },
  );
  const types = COMMAND_TYPES[command];
  const chosen = ids.filter((id) => {
    const info = infos.get(id);
    if (info === undefined || !types.includes(info.node.resourceType)) return false;
    // dbt parses a model file without SQL into a node that never runs (there is nothing to materialize).
    if (info.node.resourceType === 'model' && info.node.rawCode.trim() === '' && command !== 'ls') return false;
    return command === 'ls' || info.materialized !== 'ephemeral';
  });
  return testsAfterTheirParents(chosen, graph, infos);
}

/** Orders each test right after the last of its selected parents, so (in build) it runs before their children. */
function testsAfterTheirParents(ids: readonly string[], graph: DependencyGraph, infos: ReadonlyMap<string, NodeInfo>): string[] {
  const selected = new Set(ids);
  const tests = ids.filter((id) => infos.get(id)?.node.resourceType === 'test');
  const pending = new Set(tests);
  const done = new Set<string>();
  const out: string[] = [];
  const ready = (t: string) => graph.parents(t).every((p) => done.has(p) || !selected.has(p));
  const flush = () => {
    for (const t of pending) {
      if (!ready(t)) continue;
      out.push(t);
      pending.delete(t);
    }
  };
  flush();
  for (const id of ids) {
    if (pending.has(id) || tests.includes(id)) continue;
    out.push(id);
    done.add(id);
    flush();
  }
  out.push(...pending);
  return out;
}

function registerMacros(env: JinjaEnvironment, project: LoadedProject): void {
  for (const f of INTERNAL_MACRO_FILES) env.macros.addFile(f);
  for (const f of project.macroFiles) {
    env.macros.addFile({ path: f.originalFilePath, source: f.text, packageName: f.packageName, kind: f.packageName === project.root.name ? 'root' : 'package' });
  }
  env.macros.setDispatchConfig(project.dispatch.map((d) => ({ macro_namespace: d.macroNamespace, search_order: d.searchOrder })));
}

function runContext(
  command: DbtCommand,
  options: DbtRunOptions,
  env: JinjaEnvironment,
  project: LoadedProject,
  graph: DependencyGraph,
  target: ResolvedTarget,
  tctx: Readonly<Record<string, unknown>>,
  warehouse: Warehouse,
  infos: ReadonlyMap<string, NodeInfo>,
  envVars: Readonly<Record<string, string | undefined>>,
  runStartedAt: Date,
  emit: (e: RunEvent) => void,
  invocationId: string,
): RunContext {
  return {
    command,
    options,
    env,
    project,
    graph,
    target,
    targetContext: tctx,
    warehouse,
    infos,
    adapter: createAdapter(env, warehouse),
    invocationId,
    runStartedAt,
    envVars,
    ephemeralSql: new Map(),
    emit,
    summary: (id) => nodeSummary(infos.get(id)!),
  };
}

/** The reporter's view of a node. */
export function nodeSummary(info: NodeInfo): NodeSummary {
  const type = info.node.resourceType;
  return {
    uniqueId: info.node.uniqueId,
    name: info.node.name,
    resourceType: type,
    materialization: type === 'model' ? info.materialized : type,
    relation: type === 'test' ? info.node.name : info.relation.render(),
    language: type === 'seed' ? 'seed' : 'sql',
  };
}

/** dbt's "Found …" line: the whole project's resources, in dbt's order and words. */
function summarize(ctx: RunContext): string {
  const counts = new Map<string, number>();
  for (const info of ctx.infos.values()) counts.set(info.node.resourceType, (counts.get(info.node.resourceType) ?? 0) + 1);
  const parts: string[] = [];
  const add = (n: number, one: string, many: string, always = false): void => {
    if (n > 0 || always) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  add(counts.get('model') ?? 0, 'model', 'models', true);
  add(counts.get('snapshot') ?? 0, 'snapshot', 'snapshots');
  add(counts.get('seed') ?? 0, 'seed', 'seeds');
  add(counts.get('test') ?? 0, 'data test', 'data tests');
  add(ctx.project.sources.size, 'source', 'sources');
  add(ctx.project.macros.size, 'macro', 'macros');
  return parts.join(', ');
}

interface ArtifactInputs {
  readonly project: LoadedProject;
  readonly graph: DependencyGraph;
  readonly target: ResolvedTarget;
  readonly infos: ReadonlyMap<string, NodeInfo>;
  readonly invocationId: string;
  readonly results: readonly NodeRunResult[];
  readonly started: number;
  readonly command: DbtCommand;
  readonly options: DbtRunOptions;
}

function writeArtifacts(a: ArtifactInputs): void {
  const targetPath = a.project.root.project.targetPath;
  const dir = /^([a-zA-Z]:)?[\\/]/.test(targetPath) ? targetPath : `${a.project.projectDir.replace(/[\\/]+$/, '')}/${targetPath}`;
  const generatedAt = new Date();
  const compiled = new Map([...a.infos].map(([id, i]) => [id, { config: i.config, refs: i.refs, sources: i.sources, ...compiledOf(a.results, id) }]));
  writeArtifact(
    dir,
    'manifest.json',
    buildManifest({
      project: a.project,
      graph: a.graph,
      invocationId: a.invocationId,
      generatedAt,
      schema: a.target.schema,
      compiled,
      relationName: (id) => {
        const i = a.infos.get(id);
        if (i !== undefined) return i.materialized === 'ephemeral' || i.node.resourceType === 'test' ? null : i.relation.render();
        const s = a.project.sources.get(id);
        return s === undefined ? null : `${s.schema}.${s.identifier}`;
      },
    }),
  );
  writeArtifact(
    dir,
    'run_results.json',
    buildRunResults({
      results: a.results,
      invocationId: a.invocationId,
      generatedAt,
      elapsedTime: (Date.now() - a.started) / 1000,
      args: { which: a.command, select: [...(a.options.select ?? [])], exclude: [...(a.options.exclude ?? [])], full_refresh: a.options.fullRefresh === true },
    }),
  );
}

function compiledOf(results: readonly NodeRunResult[], id: string): { compiledCode?: string } {
  const code = results.find((r) => r.uniqueId === id)?.compiledCode;
  return typeof code === 'string' && code !== '' ? { compiledCode: code } : {};
}

function finish(command: DbtCommand, invocationId: string, results: NodeRunResult[], started: number, extra: Partial<DbtRunResults>, emit?: (e: RunEvent) => void): DbtRunResults {
  const run: RunResults = {
    command,
    invocationId,
    results,
    elapsedTime: (Date.now() - started) / 1000,
    success: results.every((r) => r.status !== 'error' && r.status !== 'fail' && r.status !== 'runtime error'),
  };
  const out = { ...run, ...extra };
  emit?.({ kind: 'run-finish', results: run });
  return out;
}
