// The render driver: parse-phase and execute-phase renders of one node. The execute phase replays
// a render each time a synchronous template function suspends on an async call, until it completes.
import type { ActiveRender } from './active-render.js';
import type { JinjaEnvironment, JinjaTemplate } from './environment.js';
import { JinjaRenderError } from './errors.js';
import type { NodeContext, ParseCapture } from './node-context.js';
import type { QueryResult } from './query-result.js';
import { ReplayState } from './replay.js';
import { SuspendSignal } from './signals.js';

/** A compiled template, or source plus the name (file path) errors should cite. */
export type TemplateInput = JinjaTemplate | { readonly source: string; readonly name: string };

/** Options of an execute-phase render. */
export interface RenderOptions {
  /** Runs one SQL statement for run_query/statement; called once per distinct call. */
  readonly runQuery?: (sql: string) => Promise<QueryResult>;
  /** Upper bound on render attempts (default 1000): a template issuing more calls is refused. */
  readonly maxRenders?: number;
}

/** Result of an execute-phase render. */
export interface RenderOutcome {
  readonly output: string;
  /** Render attempts, including the final one (queries + 1 when each query suspended once). */
  readonly renders: number;
  /** Async calls that ran (each once). */
  readonly asyncCalls: number;
}

/** Result of a parse-phase render. */
export interface ParseOutcome extends ParseCapture {
  readonly output: string;
}

function compiled(env: JinjaEnvironment, t: TemplateInput): JinjaTemplate {
  return 'compiled' in t ? t : env.compile(t.source, t.name);
}

/** Renders `template` for `node` with execute=true; see RenderOptions. */
export async function renderNode(env: JinjaEnvironment, template: TemplateInput, node: NodeContext, options: RenderOptions = {}): Promise<RenderOutcome> {
  const tpl = compiled(env, template);
  const replay = new ReplayState();
  const max = options.maxRenders ?? 1000;
  for (let renders = 1; ; renders++) {
    replay.beginAttempt();
    const active: ActiveRender = { node, execute: true, capture: undefined, replay, runQuery: options.runQuery, results: new Map(), logs: [] };
    try {
      const output = env.renderWith(tpl, active, false);
      env.flushLogs(active.logs);
      return { output, renders, asyncCalls: replay.executed };
    } catch (e) {
      if (!(e instanceof SuspendSignal) || replay.pending === undefined) {
        env.flushLogs(active.logs);
        throw e;
      }
      // Logs of a suspended attempt are dropped: the replay writes them again.
    }
    if (renders >= max) throw new JinjaRenderError(`gave up after ${max} render attempts; the template issues too many database calls`, { template: tpl.name });
    await replay.resolvePending();
  }
}

/** Renders `template` for `node` with execute=false, recording ref/source/config calls. */
export function parseNode(env: JinjaEnvironment, template: TemplateInput, node: NodeContext = {}): ParseOutcome {
  const tpl = compiled(env, template);
  const capture: ParseCapture = { refs: [], sources: [], configs: [] };
  const replay = new ReplayState();
  replay.beginAttempt();
  const active: ActiveRender = { node, execute: false, capture, replay, runQuery: undefined, results: new Map(), logs: [] };
  try {
    const output = env.renderWith(tpl, active, true);
    return { output, ...capture };
  } finally {
    env.flushLogs(active.logs);
  }
}
