// target/run_results.json (schema v6): one result per executed node, with timing, the adapter
// response (rows affected) and the compiled SQL. Result objects carry only the schema's keys,
// since v6 forbids others.
import { DBT_VERSION, RUN_RESULTS_SCHEMA } from './schema-versions.js';

/** Node statuses dbt records: run/seed/snapshot, then test, then freshness vocabularies. */
export type RunStatus = 'success' | 'error' | 'skipped' | 'partial success' | 'pass' | 'fail' | 'warn' | 'runtime error';

/** One timed phase of a node (`compile`, `execute`). */
export interface PhaseTiming {
  readonly name: 'compile' | 'execute';
  readonly startedAt: Date;
  readonly completedAt: Date;
}

/** A node's outcome as the runner reports it. */
export interface NodeRunResult {
  readonly uniqueId: string;
  readonly status: RunStatus;
  readonly timing: readonly PhaseTiming[];
  /** Seconds. */
  readonly executionTime: number;
  readonly threadId?: string;
  readonly message?: string | null;
  /** Failing rows of a test; null for other nodes. */
  readonly failures?: number | null;
  /** What the engine said (e.g. `OK`, `INSERT 0 5`); absent for skipped nodes. */
  readonly adapterMessage?: string;
  readonly rowsAffected?: number;
  readonly compiledCode?: string | null;
  readonly relationName?: string | null;
}

/** Inputs of {@link buildRunResults}. */
export interface RunResultsInput {
  readonly results: readonly NodeRunResult[];
  readonly invocationId: string;
  readonly generatedAt: Date;
  /** Seconds the whole invocation took. */
  readonly elapsedTime: number;
  /** The invocation's arguments (`which`, `select`, `full_refresh`, …). */
  readonly args?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string>>;
}

/** The run_results.json document. */
export interface RunResultsArtifact {
  readonly metadata: { dbt_schema_version: string; dbt_version: string; generated_at: string; invocation_id: string; env: Record<string, string> };
  readonly results: readonly Record<string, unknown>[];
  readonly elapsed_time: number;
  readonly args: Readonly<Record<string, unknown>>;
}

/** Builds run_results.json from the runner's results. */
export function buildRunResults(input: RunResultsInput): RunResultsArtifact {
  return {
    metadata: {
      dbt_schema_version: RUN_RESULTS_SCHEMA,
      dbt_version: DBT_VERSION,
      generated_at: isoTimestamp(input.generatedAt),
      invocation_id: input.invocationId,
      env: { ...(input.env ?? {}) },
    },
    results: input.results.map(resultJson),
    elapsed_time: input.elapsedTime,
    args: { ...(input.args ?? {}) },
  };
}

/** One result object, with exactly the v6 keys. */
function resultJson(r: NodeRunResult): Record<string, unknown> {
  // dbt fills compiled, compiled_code and relation_name from the node only for compiled resources
  // (models, snapshots, tests); a seed is not one, so all three are null for it.
  const compiledResource = !r.uniqueId.startsWith('seed.');
  const compiledCode = compiledResource && typeof r.compiledCode === 'string' ? r.compiledCode : null;
  return {
    status: r.status,
    timing: r.timing.map((t) => ({ name: t.name, started_at: isoTimestamp(t.startedAt), completed_at: isoTimestamp(t.completedAt) })),
    thread_id: r.threadId ?? 'Thread-1',
    execution_time: r.executionTime,
    adapter_response:
      r.adapterMessage === undefined && r.rowsAffected === undefined
        ? {}
        : { _message: r.adapterMessage ?? 'OK', ...(r.rowsAffected === undefined ? {} : { rows_affected: r.rowsAffected }) },
    message: r.message ?? null,
    failures: r.failures ?? null,
    unique_id: r.uniqueId,
    compiled: compiledResource ? compiledCode !== null : null,
    compiled_code: compiledCode,
    relation_name: compiledResource ? (r.relationName ?? null) : null,
  };
}

/** dbt's timestamp form: ISO 8601 in UTC with microseconds and a Z. */
export function isoTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
