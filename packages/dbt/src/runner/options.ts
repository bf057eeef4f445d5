// What runDbt takes and returns: dbt's command-line options as data, and RunResults plus the rows
// of `show` and the SQL of `compile`.
import type { Table } from 'apache-arrow';
import type { DbtCommand, RunEventListener, RunResults } from '../events.js';

/** Options of {@link runDbt}; each mirrors the dbt flag of the same name. */
export interface DbtRunOptions {
  /** Directory holding dbt_project.yml (`--project-dir`). */
  readonly projectDir: string;
  /** `--profiles-dir`; else DBT_PROFILES_DIR, the project directory, the working directory, ~/.dbt. */
  readonly profilesDir?: string;
  /** `--target`. */
  readonly target?: string;
  /** `--vars`: an object, or YAML/JSON text. */
  readonly vars?: Readonly<Record<string, unknown>> | string;
  /** `--select` values (dbt selector syntax). */
  readonly select?: readonly string[];
  /** `--exclude` values. */
  readonly exclude?: readonly string[];
  /** `--full-refresh`: rebuild incremental models and seeds from scratch. */
  readonly fullRefresh?: boolean;
  /** `--event-time-start` / `--event-time-end` for microbatch models (ISO dates or timestamps). */
  readonly eventTimeStart?: string;
  readonly eventTimeEnd?: string;
  /** `compile --inline` / `show --inline`: SQL to compile (and run) instead of the selected nodes. */
  readonly inline?: string;
  /** `show --limit` (default 5; a negative value shows every row). */
  readonly limit?: number;
  /** Receives the run's events (the CLI reporter). */
  readonly onEvent?: RunEventListener;
  /** Environment for env_var(), DBT_PROFILES_DIR, DBT_TARGET (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock for run_started_at and microbatch windows (default the system clock). */
  readonly now?: () => Date;
}

/** The SQL `compile` produced for one node (or for `--inline`). */
export interface CompiledNodeOutput {
  readonly uniqueId: string;
  readonly name: string;
  readonly compiledCode: string;
}

/** The rows `show` fetched. */
export interface ShowOutput {
  readonly uniqueId: string;
  readonly name: string;
  readonly columns: readonly string[];
  /** Plain values (numbers, strings, ISO-like dates and timestamps, null). */
  readonly rows: readonly (readonly unknown[])[];
  /** The same rows as Arrow, for renderers (e.g. @duckrun/sql renderTextTable). */
  readonly table: Table;
}

/** RunResults plus what `compile`, `show` and `ls` produce. */
export interface DbtRunResults extends RunResults {
  /** `compile`: one entry per compiled node, or one for `--inline`. */
  readonly compiled?: readonly CompiledNodeOutput[];
  /** `show`: the previewed rows. */
  readonly show?: ShowOutput;
  /** `ls`: the selected resources as dbt prints them (`shop.staging.stg_orders`, `source:…`). */
  readonly listed?: readonly string[];
}

export type { DbtCommand };
