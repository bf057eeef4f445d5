// Hook points for the MERGE steps of the lineitem chain (issue #7). Each step names its change set and its
// native DuckDB baseline (the same merge as a join over plain parquet, the compute floor); `run` is the
// duckrun merge itself and stays undefined until the MERGE API exists. A step without `run` is reported
// as pending and skipped together with its baseline, so the rest of the chain keeps measuring one table state.

import type { EngineKind } from '@duckrun/sql';
import type { ChangeSetOptions } from '../../tools/tpch/index.js';

/** Names of the merge steps, in chain order. */
export type MergeStepName = 'mixed-upsert' | 'insert-only' | 'update-only' | 'idempotent-remerge' | 'delete';

/** What a merge step gets (JSON: it is handed to the measuring child process). */
export interface MergeStepInput {
  /** Local path of the Delta table to merge into. */
  readonly table: string;
  readonly engine: EngineKind;
  readonly partitionBy: readonly string[];
  /** The source rows: `lineitemChangeSet(changes)` (tools/tpch), streamed as Arrow batches. */
  readonly changes: ChangeSetOptions;
  /** The merge key. */
  readonly keys: readonly ['l_orderkey', 'l_linenumber'];
}

/** What a merge step did, as the merge reports it; the chain checks the table's checksum independently. */
export interface MergeStepOutcome {
  readonly version: number;
  readonly rowsUpdated: number;
  readonly rowsInserted: number;
  readonly rowsDeleted: number;
  readonly filesAdded?: number;
  readonly filesRemoved?: number;
}

/** Runs one merge step in the measuring child; resolves when the commit is done. */
export type MergeStepRunner = (input: MergeStepInput) => Promise<MergeStepOutcome>;

/** One merge step of the chain. */
export interface MergeStep {
  readonly name: MergeStepName;
  readonly label: string;
  /** Change set of the step, completed with the chain's scale, seed and base orders. */
  readonly changes: Omit<ChangeSetOptions, 'scale' | 'seed' | 'baseOrders' | 'batchRows'>;
  /** `when matched` / `when not matched` behaviour, for the baseline and the report. */
  readonly kind: 'upsert' | 'insert' | 'update' | 'delete';
  /**
   * The duckrun merge. TODO(#7): implement with the MERGE API (DeltaTable.forPath(table).merge(source,
   * 'target.l_orderkey = source.l_orderkey AND target.l_linenumber = source.l_linenumber')…execute()).
   */
  readonly run?: MergeStepRunner;
}

/** The merge steps in chain order (after the create, before the append). Change seeds differ per step. */
export const MERGE_STEPS: readonly MergeStep[] = [
  { name: 'mixed-upsert', label: 'mixed upsert 1% (80% update / 20% new)', kind: 'upsert', changes: { changeSeed: 101, fraction: 0.01, newShare: 0.2, generation: 1 } },
  { name: 'insert-only', label: 'insert-only merge 5% (all new keys)', kind: 'insert', changes: { changeSeed: 102, fraction: 0.05, newShare: 1, generation: 2 } },
  { name: 'update-only', label: 'update-only merge 5% (all keys match)', kind: 'update', changes: { changeSeed: 103, fraction: 0.05, newShare: 0 } },
  // The same change set as the mixed upsert: every row matches and already holds the source values.
  { name: 'idempotent-remerge', label: 'idempotent re-merge of the 1% upsert', kind: 'upsert', changes: { changeSeed: 101, fraction: 0.01, newShare: 0.2, generation: 1 } },
  { name: 'delete', label: 'delete 1% by key', kind: 'delete', changes: { changeSeed: 105, fraction: 0.01, newShare: 0 } },
];

/**
 * The step as native DuckDB SQL over plain parquet: the merged table written to `out`. `target` and
 * `source` are relations (read_parquet(…)); the merge key is (l_orderkey, l_linenumber).
 */
export function mergeBaselineSql(kind: MergeStep['kind'], target: string, source: string, out: string, partitionBy: readonly string[]): string {
  const key = 'USING (l_orderkey, l_linenumber)';
  const query = {
    upsert: `SELECT t.* FROM ${target} t ANTI JOIN ${source} s ${key} UNION ALL BY NAME SELECT * FROM ${source}`,
    insert: `SELECT * FROM ${target} UNION ALL BY NAME SELECT s.* FROM ${source} s ANTI JOIN ${target} t ${key}`,
    update: `SELECT t.* FROM ${target} t ANTI JOIN ${source} s ${key} UNION ALL BY NAME SELECT s.* FROM ${source} s SEMI JOIN ${target} t ${key}`,
    delete: `SELECT t.* FROM ${target} t ANTI JOIN ${source} s ${key}`,
  }[kind];
  const partition = partitionBy.length > 0 ? `, PARTITION_BY (${partitionBy.join(', ')})` : '';
  return `COPY (${query}) TO '${out.replaceAll("'", "''")}' (FORMAT parquet${partition})`;
}
