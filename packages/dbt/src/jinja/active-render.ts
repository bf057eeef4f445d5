// The "current node" slot: everything one render attempt of one node reads through env.globals.
import type { LogSink } from './globals.js';
import type { NodeContext, ParseCapture } from './node-context.js';
import type { QueryResult } from './query-result.js';
import type { ReplayState } from './replay.js';

/** One buffered log line (flushed when the render finishes, so replays do not repeat it). */
export interface LogEntry {
  readonly message: string;
  readonly level: Parameters<LogSink>[1];
}

/** The slot's content while a node renders. */
export interface ActiveRender {
  readonly node: NodeContext;
  /** dbt's `execute`: false at parse time. */
  readonly execute: boolean;
  /** Present in the parse phase: ref/source/config calls are recorded here. */
  readonly capture: ParseCapture | undefined;
  readonly replay: ReplayState;
  /** Runs SQL for run_query/statement; absent → those calls fail with a clear message. */
  readonly runQuery: ((sql: string) => Promise<QueryResult>) | undefined;
  /** Statement results of this attempt (`load_result(name)`). */
  readonly results: Map<string, unknown>;
  /** Log lines of this attempt. */
  logs: LogEntry[];
}
