// The MERGE steps of the lineitem chain (issue #7). Each step names its change set, its native DuckDB
// baseline (the same merge as a join over plain parquet, the compute floor) and `run`, the duckrun merge
// itself. A step without `run` is reported as pending and skipped together with its baseline.

import * as path from 'node:path';
import { mergeInto, openSession, type EngineKind, type MergeSpec } from '@duckrun/sql';
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
  /** The same rows staged (untimed) as a Delta table in the table's layout: what the merge reads. */
  readonly source: string;
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
  /** The duckrun merge; a step without one is reported as pending. */
  readonly run?: MergeStepRunner;
}

/** The merge steps in chain order (after the create, before the append). Change seeds differ per step. */
export const MERGE_STEPS: readonly MergeStep[] = [
  { name: 'mixed-upsert', label: 'mixed upsert 1% (80% update / 20% new)', kind: 'upsert', changes: { changeSeed: 101, fraction: 0.01, newShare: 0.2, generation: 1 }, run: duckrunMerge('upsert') },
  { name: 'insert-only', label: 'insert-only merge 5% (all new keys)', kind: 'insert', changes: { changeSeed: 102, fraction: 0.05, newShare: 1, generation: 2 }, run: duckrunMerge('insert') },
  { name: 'update-only', label: 'update-only merge 5% (all keys match)', kind: 'update', changes: { changeSeed: 103, fraction: 0.05, newShare: 0 }, run: duckrunMerge('update') },
  // The same change set as the mixed upsert: every row matches and already holds the source values.
  { name: 'idempotent-remerge', label: 'idempotent re-merge of the 1% upsert', kind: 'upsert', changes: { changeSeed: 101, fraction: 0.01, newShare: 0.2, generation: 1 }, run: duckrunMerge('upsert') },
  { name: 'delete', label: 'delete 1% by key', kind: 'delete', changes: { changeSeed: 105, fraction: 0.01, newShare: 0 }, run: duckrunMerge('delete') },
];

/** The step as duckrun's pinned MERGE (@duckrun/sql mergeInto), reading the staged source through delta_scan. */
function duckrunMerge(kind: MergeStep['kind']): MergeStepRunner {
  return async (input) => {
    const session = await openSession({ root: path.dirname(input.table), engine: input.engine, readOnly: false });
    try {
      const spec: MergeSpec = {
        tableUri: input.table,
        label: path.basename(input.table),
        source: `SELECT * FROM delta_scan('${input.source.replaceAll("'", "''")}')`,
        condition: input.keys.map((k) => `target.${k} = source.${k}`).join(' AND '),
        targetAlias: 'target',
        sourceAlias: 'source',
        matched: kind === 'upsert' || kind === 'update' ? [{ kind: 'update', set: '*' }] : kind === 'delete' ? [{ kind: 'delete' }] : [],
        notMatched: kind === 'upsert' || kind === 'insert' ? [{ kind: 'insert', values: '*' }] : [],
        notMatchedBySource: [],
      };
      const r = await mergeInto(session.writeContext(), spec);
      return {
        version: r.version,
        rowsUpdated: r.numTargetRowsUpdated,
        rowsInserted: r.numTargetRowsInserted,
        rowsDeleted: r.numTargetRowsDeleted,
        filesAdded: r.numTargetFilesAdded,
        filesRemoved: r.numTargetFilesRemoved,
      };
    } finally {
      await session.close();
    }
  };
}

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
