// Runs one node: capture the version of its table (what `{{ this }}` reads, pinned before any hook
// runs), compile, pre-hooks, materialize, post-hooks. A failure becomes the node's result: one line
// naming the file; nothing is thrown.
import type { NodeRunResult, PhaseTiming } from '../artifacts/index.js';
import { compileNode } from './compile-node.js';
import { nodeErrorLine } from './errors.js';
import { runNodeHooks } from './hooks.js';
import type { RenderTweaks } from './node-context.js';
import type { NodeInfo, RunContext } from './run-context.js';
import type { ExpandOptions } from './sql-expand.js';
import { materializeIncremental, incrementalStrategy } from './materializations/incremental.js';
import { materializeMicrobatch } from './materializations/microbatch.js';
import type { MaterializeOutcome } from './materializations/outcome.js';
import { materializeSeed } from './materializations/seed.js';
import { materializeSnapshot } from './materializations/snapshot.js';
import { materializeTable } from './materializations/table.js';
import { runTest } from './materializations/test.js';
import { materializeView } from './materializations/view.js';
import { renderTestKwargs } from './test-kwargs.js';

/** Runs `info` and returns its result. */
export async function runNode(ctx: RunContext, info: NodeInfo): Promise<NodeRunResult> {
  const timing: PhaseTiming[] = [];
  const started = new Date();
  let phaseStart = started;
  let compiledCode: string | undefined;
  const phase = (name: PhaseTiming['name']) => {
    const now = new Date();
    timing.push({ name, startedAt: phaseStart, completedAt: now });
    phaseStart = now;
  };
  try {
    const outcome = await materializeNode(ctx, info, (sql) => {
      compiledCode = sql;
      phase('compile');
    });
    if (timing.length === 0) phase('compile');
    phase('execute');
    return result(info, outcome.status ?? 'success', timing, started, {
      message: outcome.status === 'pass' ? null : outcome.message,
      adapterMessage: outcome.message,
      ...(outcome.rowsAffected === undefined ? {} : { rowsAffected: outcome.rowsAffected }),
      ...(outcome.failures === undefined ? {} : { failures: outcome.failures }),
      compiledCode: outcome.compiledCode ?? compiledCode ?? null,
    });
  } catch (e) {
    if (timing.length === 0) phase('compile');
    phase('execute');
    return result(info, 'error', timing, started, { message: nodeErrorLine(e, info.node.originalFilePath), compiledCode: compiledCode ?? null });
  }
}

/** A skipped node's result (an upstream node failed). */
export function skippedResult(info: NodeInfo, because: string): NodeRunResult {
  return { uniqueId: info.node.uniqueId, status: 'skipped', timing: [], executionTime: 0, threadId: 'Thread-1', message: `SKIP: ${because} failed`, failures: null, relationName: relationName(info) };
}

/** Compiles a node without running it (compile, show). */
export async function compileOnly(ctx: RunContext, info: NodeInfo): Promise<string> {
  const { tweaks, expand } = await renderSetup(ctx, info);
  return compileNode(ctx, info, tweaks, expand);
}

async function materializeNode(ctx: RunContext, info: NodeInfo, compiled: (sql: string) => void): Promise<MaterializeOutcome> {
  const type = info.node.resourceType;
  if (type === 'seed') {
    compiled('');
    const setup = await renderSetup(ctx, info);
    await runNodeHooks(ctx, info, 'pre-hook', setup.tweaks, setup.expand);
    const out = await materializeSeed(ctx, info);
    await runNodeHooks(ctx, info, 'post-hook', setup.tweaks, setup.expand);
    return out;
  }
  const setup = await renderSetup(ctx, info);
  if (type === 'model' && info.materialized === 'incremental' && incrementalStrategy(info) === 'microbatch') {
    compiled('');
    await runNodeHooks(ctx, info, 'pre-hook', setup.tweaks, setup.expand);
    const out = await materializeMicrobatch(ctx, info, setup.expand, setup.readVersion);
    await runNodeHooks(ctx, info, 'post-hook', setup.tweaks, setup.expand);
    return out;
  }
  const sql = await compileNode(ctx, info, setup.tweaks, setup.expand);
  compiled(sql);
  if (type === 'test') return runTest(ctx, info, sql);
  await runNodeHooks(ctx, info, 'pre-hook', setup.tweaks, setup.expand);
  let out: MaterializeOutcome;
  if (type === 'snapshot') out = await materializeSnapshot(ctx, info, sql, setup.readVersion);
  else if (info.materialized === 'view') out = await materializeView(ctx, info, sql);
  else if (info.materialized === 'table') out = await materializeTable(ctx, info, sql, setup.expand);
  else if (info.materialized === 'incremental') {
    if (setup.incremental && setup.readVersion !== undefined) {
      let readsThis = false;
      await ctx.warehouse.expand(sql, { ...setup.expand, onRead: (k) => (readsThis ||= k === info.relation.key) });
      out = await materializeIncremental(ctx, info, sql, setup.expand, setup.readVersion, readsThis);
    } else out = await materializeTable(ctx, info, sql, setup.expand, 'CREATE OR REPLACE TABLE AS SELECT');
  } else {
    throw new Error(`materialization '${info.materialized}' is not supported by duckrun; use view, table, incremental, ephemeral, seed or snapshot`);
  }
  await runNodeHooks(ctx, info, 'post-hook', setup.tweaks, setup.expand);
  return out;
}

interface RenderSetup {
  readonly tweaks: RenderTweaks;
  readonly expand: ExpandOptions;
  /** Version of the node's own table when it exists (what `{{ this }}` reads). */
  readonly readVersion: number | undefined;
  /** An incremental model whose table exists and is not being fully refreshed. */
  readonly incremental: boolean;
}

/** Reads the node's table version once, before hooks and rendering; every read of `{{ this }}` is pinned to it. */
async function renderSetup(ctx: RunContext, info: NodeInfo): Promise<RenderSetup> {
  const w = ctx.warehouse;
  w.forget(info.schema, info.identifier);
  const entry = await w.lookup(info.relation.key);
  const readVersion = entry?.kind === 'table' ? entry.version : undefined;
  const configured = info.config['full_refresh'];
  const fullRefresh = typeof configured === 'boolean' ? configured : ctx.options.fullRefresh === true;
  const incremental = info.materialized === 'incremental' && readVersion !== undefined && !fullRefresh;
  const extra = info.node.resourceType === 'test' && info.node.testMetadata !== undefined ? { _dbt_generic_test_kwargs: await renderTestKwargs(ctx, info) } : undefined;
  return {
    tweaks: { isIncremental: incremental, ...(extra === undefined ? {} : { extra }) },
    expand: readVersion === undefined ? {} : { pins: new Map([[info.relation.key, readVersion]]) },
    readVersion,
    incremental,
  };
}

function result(info: NodeInfo, status: NodeRunResult['status'], timing: PhaseTiming[], started: Date, fields: Partial<NodeRunResult>): NodeRunResult {
  return {
    uniqueId: info.node.uniqueId,
    status,
    timing,
    executionTime: (Date.now() - started.getTime()) / 1000,
    threadId: 'Thread-1',
    failures: null,
    relationName: relationName(info),
    ...fields,
  };
}

function relationName(info: NodeInfo): string | null {
  return info.materialized === 'ephemeral' || info.node.resourceType === 'test' ? null : info.relation.render();
}
