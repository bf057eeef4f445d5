// The operations of the lineitem chain, each run in its own child process (bench/child.ts lineitem <json>)
// so its wall time and peak RSS are its own. `opMs` times the operation proper, without engine start-up.

import { writeDeltaTable } from '@duckrun/delta';
import { openNativeEngine, openSession, planCreate, writeQueryToDelta, type DeltaScanReport, type EngineKind } from '@duckrun/sql';
import { lineitemBatches } from '../../tools/tpch/index.js';
import { LAYOUTS, layoutBatches, type Layout } from './layout.js';
import { MERGE_STEPS, type MergeStepInput, type MergeStepName } from './merge-hooks.js';

/** Which orders of the generator a write takes. */
export interface RowsSpec {
  readonly scale: number;
  readonly seed: number;
  readonly firstOrder?: number;
  readonly orders?: number;
}

/** One operation, as JSON on the child's command line. */
export type LineitemOp =
  | { readonly op: 'noop' }
  | { readonly op: 'generate'; readonly rows: RowsSpec }
  | { readonly op: 'write'; readonly table: string; readonly mode: 'overwrite' | 'append'; readonly layout: Layout['name']; readonly rows: RowsSpec; readonly unpartitioned?: boolean }
  | {
      readonly op: 'sql-write';
      readonly engine: EngineKind;
      readonly root: string;
      /** Absolute path of the Delta table written (overwritten, with the layout's partitioning). */
      readonly table: string;
      readonly query: string;
      readonly partitionBy: readonly string[];
      /** false: keep the native engine on the Arrow path (for comparisons); default true. */
      readonly nativeWrite?: boolean;
    }
  | { readonly op: 'sql'; readonly engine: EngineKind; readonly root: string; readonly sql: string }
  | { readonly op: 'duckdb'; readonly sql: string }
  | { readonly op: 'merge'; readonly step: MergeStepName; readonly input: MergeStepInput };

/** What one delta_scan call read. */
export type ScanFacts = Pick<DeltaScanReport, 'filesTotal' | 'filesRead' | 'version'>;

/** What an operation reports (JSON-serialisable). */
export interface OpFacts {
  readonly opMs: number;
  readonly rows?: readonly Record<string, unknown>[];
  readonly scans?: readonly ScanFacts[];
  readonly [key: string]: unknown;
}

/** Runs `spec` and reports what it did. */
export async function runLineitemOp(spec: LineitemOp): Promise<OpFacts> {
  switch (spec.op) {
    case 'noop':
      return { opMs: 0 };
    case 'generate': {
      const t0 = performance.now();
      let rows = 0;
      for await (const batch of lineitemBatches(spec.rows)) rows += batch.numRows;
      return { opMs: performance.now() - t0, rowCount: rows };
    }
    case 'write': {
      const layout = LAYOUTS.find((l) => l.name === spec.layout)!;
      const t0 = performance.now();
      const result = await writeDeltaTable(spec.table, layoutBatches(layout, lineitemBatches(spec.rows)), {
        mode: spec.mode,
        ...(layout.partitionBy.length > 0 && spec.unpartitioned !== true ? { partitionBy: layout.partitionBy } : {}),
      });
      return { opMs: performance.now() - t0, rowCount: result.rowsWritten, filesAdded: result.filesAdded, version: result.version };
    }
    case 'sql-write': {
      // What CREATE OR REPLACE TABLE … AS, DataFrame writes and the dbt runner run (writeQueryToDelta), with
      // the layout's partitioning. Session (engine) start-up is not timed; the query and the write are.
      const session = await openSession({ engine: spec.engine, root: spec.root, readOnly: false, write: { nativeWrite: spec.nativeWrite !== false } });
      try {
        const t0 = performance.now();
        const result = await writeQueryToDelta(spec.query, spec.table, session.writeContext(), {
          what: 'CREATE OR REPLACE TABLE lineitem',
          plan: (columns, query) => planCreate(query, columns),
          writeOptions: { mode: 'overwrite', schemaMode: 'overwrite', partitionBy: [...spec.partitionBy], operation: 'CREATE OR REPLACE TABLE AS SELECT' },
        });
        const opMs = performance.now() - t0;
        return { opMs, rowCount: result.rowsWritten, filesAdded: result.filesAdded, version: result.version, dataFiles: result.dataFiles.writer, encoder: result.dataFiles.encoder, fallback: result.dataFiles.fallback };
      } finally {
        await session.close();
      }
    }
    case 'sql': {
      const scans: ScanFacts[] = [];
      const session = await openSession({
        engine: spec.engine,
        root: spec.root,
        onDeltaScan: (r) => scans.push({ filesTotal: r.filesTotal, filesRead: r.filesRead, version: r.version }),
      });
      try {
        const t0 = performance.now();
        const table = await session.sql(spec.sql);
        const opMs = performance.now() - t0;
        return { opMs, rows: table.toArray().map((r) => plain(r.toJSON())), scans };
      } finally {
        await session.close();
      }
    }
    case 'duckdb': {
      const engine = await openNativeEngine();
      try {
        const t0 = performance.now();
        const table = await engine.query(spec.sql);
        const opMs = performance.now() - t0;
        return { opMs, rows: table.toArray().map((r) => plain(r.toJSON())) };
      } finally {
        await engine.close();
      }
    }
    case 'merge': {
      const run = MERGE_STEPS.find((s) => s.name === spec.step)?.run;
      if (!run) throw new Error(`merge step ${spec.step} has no implementation yet (bench/lineitem/merge-hooks.ts)`);
      const t0 = performance.now();
      const outcome = await run(spec.input);
      return { opMs: performance.now() - t0, ...outcome };
    }
  }
}

/** Row values JSON can carry (bigints as text). */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? String(v) : v;
  return out;
}
