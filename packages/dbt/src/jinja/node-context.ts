// The per-node context: what the dbt runner supplies for the node being rendered. The environment
// exposes these names as getters on its globals, reading the node currently in the slot, so macros
// compiled once see `this`, `config`, `target`… of whichever node calls them.
import type { Kwargs } from './py/call.js';

/** A `ref()` call: `ref('m')`, `ref('pkg', 'm')`, `ref('m', v=2)`. */
export interface RefCall {
  readonly package?: string | undefined;
  readonly name: string;
  readonly version?: string | number | undefined;
}

/** The `config` object: callable at parse time (`config(materialized='table')`) and readable. */
export interface NodeConfig {
  /** `config(...)` in the node body. */
  set(values: Readonly<Record<string, unknown>>): void;
  /** `config.get('key', default)`; return `undefined` for unset keys (the default then applies). */
  get(key: string): unknown;
}

/** The values and callbacks of the node being rendered; all optional except what the template uses. */
export interface NodeContext {
  /** Relation of the node (`{{ this }}`). */
  readonly this?: unknown;
  /** The node as a dict (`model.config.materialized`, `model.unique_id`). */
  readonly model?: unknown;
  /** `target` (name, type, schema, threads…). */
  readonly target?: Readonly<Record<string, unknown>>;
  /** Resolves `ref(...)` to a relation. */
  readonly ref?: (call: RefCall) => unknown;
  /** Resolves `source(name, table)` to a relation. */
  readonly source?: (sourceName: string, tableName: string) => unknown;
  /** Node config; when absent `config()` is recorded and `config.get` reads what was recorded. */
  readonly config?: NodeConfig;
  /** Project and CLI vars (`var('x')`). */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Environment variables for `env_var('X')`; the runner passes process.env (this layer has no IO). */
  readonly envVars?: Readonly<Record<string, string | undefined>>;
  /** What `is_incremental()` answers (the runner knows relation existence and full-refresh). */
  readonly isIncremental?: boolean;
  /** `adapter.*` methods (get_relation, get_columns_in_relation, quote…); `dispatch` is added here. */
  readonly adapter?: object;
  /** `graph` (nodes, sources…). */
  readonly graph?: unknown;
  /** `flags` (FULL_REFRESH, WHICH…). */
  readonly flags?: unknown;
  /** Run-wide id; generated once per environment when absent. */
  readonly invocationId?: string;
  /** Run start; taken once per environment from its clock when absent. */
  readonly runStartedAt?: Date;
  /** Any further names for this node (`sql`, `compiled_code`, `pre_hooks`, `database`, `schema`…). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** What a parse-phase render recorded: the calls that build the DAG and the node config. */
export interface ParseCapture {
  readonly refs: RefCall[];
  readonly sources: [string, string][];
  /** `config(...)` calls, in order. */
  readonly configs: Kwargs[];
}
