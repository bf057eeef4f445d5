// Structured events of a dbt invocation. The runner emits them and never prints; the CLI's reporter turns
// them into dbt-shaped console lines (`1 of 8 START sql table model main.customers … [RUN]`).
import type { NodeRunResult } from './artifacts/index.js';

/** The dbt command being run. */
export type DbtCommand = 'run' | 'build' | 'test' | 'seed' | 'snapshot' | 'compile' | 'show' | 'ls';

/** What the reporter needs to name a node on one line. */
export interface NodeSummary {
  readonly uniqueId: string;
  readonly name: string;
  /** `model`, `seed`, `snapshot`, `test`, … */
  readonly resourceType: string;
  /** `table`, `view`, `incremental`, `ephemeral`, `seed`, `snapshot`, `test`. */
  readonly materialization: string;
  /** `schema.name` as dbt prints it (e.g. `main.customers`). */
  readonly relation: string;
  /** `sql` for SQL nodes, `seed` for seeds (dbt prints e.g. "sql table model"). */
  readonly language: string;
}

/** One event of a run, in order. */
export type RunEvent =
  | { readonly kind: 'run-start'; readonly command: DbtCommand; readonly total: number; readonly summary: string }
  | { readonly kind: 'hook-start'; readonly name: string; readonly index: number; readonly total: number }
  | { readonly kind: 'hook-finish'; readonly name: string; readonly index: number; readonly total: number; readonly status: 'success' | 'error'; readonly seconds: number; readonly message?: string }
  | { readonly kind: 'node-start'; readonly index: number; readonly total: number; readonly node: NodeSummary }
  /** A long step inside a node (rows written so far, file n of m), for a progress indicator. */
  | { readonly kind: 'node-progress'; readonly node: NodeSummary; readonly message: string }
  | { readonly kind: 'node-finish'; readonly index: number; readonly total: number; readonly node: NodeSummary; readonly result: NodeRunResult }
  | { readonly kind: 'log'; readonly level: 'info' | 'debug' | 'warn' | 'error'; readonly message: string; readonly node?: NodeSummary }
  | { readonly kind: 'run-finish'; readonly results: RunResults };

/** The outcome of an invocation: one result per node run, never a thrown model failure. */
export interface RunResults {
  readonly command: DbtCommand;
  readonly invocationId: string;
  readonly results: readonly NodeRunResult[];
  /** Seconds. */
  readonly elapsedTime: number;
  /** False when any node errored or any test failed (the CLI exits non-zero). */
  readonly success: boolean;
}

/** Receives events; the default does nothing. */
export type RunEventListener = (event: RunEvent) => void;
