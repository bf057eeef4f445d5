// rewriteFiles: the commit shape of DELETE, UPDATE and MERGE. Some live files of a snapshot are replaced by
// new files holding their surviving (and changed or inserted) rows, in one commit. Which rows survive is the
// caller's business (the SQL layer decides it with DuckDB); this module writes, commits and cleans up.

import type { RecordBatch } from 'apache-arrow';
import type { TransactionOptions } from '../commit/transaction.js';
import type { ParquetEncoder } from '../parquet/encoder.js';
import { commitTransaction } from '../commit/transaction.js';
import type { PostCommitReport } from '../commit/post-commit.js';
import { InvalidOptionError } from '../errors.js';
import { removeOf } from '../kernel/actions/remove-of.js';
import type { Action, AddFile } from '../kernel/actions/types.js';
import type { PartitionPredicate } from '../kernel/txn/conflicts.js';
import type { Snapshot } from '../snapshot.js';
import type { DeltaTable } from '../table.js';
import { DEFAULT_TARGET_FILE_SIZE, type DataFileCompression } from './file-writer.js';
import { runDataFileStrategy, type DataFileStrategy } from './data-file-strategy.js';
import { dataSkippingNumIndexedCols, targetFileSizeBytes } from '../kernel/config/table-properties.js';
import { planWrite } from './write-plan.js';
import { relativePath, writeFiles } from './write-table.js';

/** What a rewrite replaces and with what. */
export interface FileRewrite {
  /**
   * Rows to write (logical column names of the snapshot's schema; missing nullable columns become null).
   * Consumed once, before `remove` is read, so a caller may decide which files go while it yields rows.
   */
  readonly data: AsyncIterable<RecordBatch> | Iterable<RecordBatch>;
  /** Live files of the snapshot whose rows are replaced; read after `data` is exhausted. */
  readonly remove: Iterable<AddFile> | (() => Iterable<AddFile>);
  /**
   * Files written meanwhile by a {@link DataFileStrategy} through {@link RewriteWriter.writeWith} (e.g. a SQL
   * engine's own parquet writer); read after `data` is exhausted, committed with the rest.
   */
  readonly written?: () => readonly { readonly adds: readonly AddFile[]; readonly rows: number }[];
}

/** Writes some of a rewrite's rows with a strategy; undefined-free result or why it declined. */
export interface RewriteWriter {
  /** Runs `strategy` for rows of the snapshot's table layout; the files are not committed. */
  writeWith(strategy: DataFileStrategy): Promise<{ adds: AddFile[]; rows: number } | { unsupported: string }>;
}

/** A writer of strategy files laid out as the snapshot's table (schema, partitions, target size, stats). */
export function rewriteWriter(table: DeltaTable, snapshot: Snapshot, options: Pick<RewriteOptions, 'targetFileSize' | 'compression'> = {}): RewriteWriter {
  const config = snapshot.metadata.configuration;
  const indexedCols = dataSkippingNumIndexedCols(table.uri, config);
  const partitionFields = snapshot.partitionColumns.map((p) => snapshot.schema.fields.find((f) => f.name === p)!);
  return {
    writeWith: (strategy) =>
      runDataFileStrategy(
        table.store,
        table.uri,
        {
          schema: snapshot.schema,
          partitionColumns: snapshot.partitionColumns,
          partitionFields,
          columnMapping: snapshot.columnMapping,
          targetFileSize: options.targetFileSize ?? targetFileSizeBytes(table.uri, config) ?? DEFAULT_TARGET_FILE_SIZE,
          compression: options.compression ?? 'snappy',
          stats: indexedCols !== undefined ? { numIndexedCols: indexedCols } : {},
        },
        strategy,
      ),
  };
}

/** Options of {@link rewriteFiles}. */
export interface RewriteOptions {
  /** `commitInfo.operation`, e.g. `DELETE`, `UPDATE`, `MERGE`. */
  readonly operation: string;
  readonly operationParameters?: Readonly<Record<string, unknown>>;
  /** Metrics of the operation (`numTargetRowsUpdated`, …); a function is called once the data is consumed. */
  readonly operationMetrics?: Readonly<Record<string, number | string>> | (() => Readonly<Record<string, number | string>>);
  /**
   * Commit only if the table is still at the snapshot's version (any later commit → CommitConflictError,
   * nothing half-applied). Default false: Delta's conflict rules decide, so a concurrent blind append
   * rebases while a concurrent change to a removed file conflicts.
   */
  readonly pinned?: boolean;
  /**
   * What the operation read, for the conflict rules when not pinned: a predicate over partition values
   * (files a concurrent writer adds where it holds would have been read), or `all` (default).
   */
  readonly reads?: 'all' | PartitionPredicate;
  readonly targetFileSize?: number;
  readonly compression?: DataFileCompression;
  /** Where the new files are encoded (default parquet-wasm on this thread); see WriteOptions.encoder. */
  readonly encoder?: ParquetEncoder;
  readonly commit?: TransactionOptions;
}

/** The outcome of {@link rewriteFiles}. */
export interface RewriteResult {
  /** The version committed, or the snapshot's version when there was nothing to change. */
  readonly version: number;
  readonly committed: boolean;
  readonly rowsWritten: number;
  readonly filesAdded: number;
  readonly filesRemoved: number;
  readonly bytesWritten: number;
  readonly bytesRemoved: number;
  readonly attempts: number;
  readonly postCommit: PostCommitReport;
}

/**
 * Writes `change.data` as new files of `table` and commits them together with the removal of
 * `change.remove` on top of `snapshot`. Nothing is committed when no file is removed and no row written.
 * Files written by a rewrite that does not commit are deleted again.
 * @example
 * const snap = await table.snapshot();
 * const file = snap.addFiles()[0]!;
 * await rewriteFiles(table, snap, { data: survivorsOf(file), remove: [file] }, { operation: 'DELETE', pinned: true });
 */
export async function rewriteFiles(table: DeltaTable, snapshot: Snapshot, change: FileRewrite, options: RewriteOptions): Promise<RewriteResult> {
  if (typeof options.operation !== 'string' || options.operation === '') {
    throw new InvalidOptionError(`a rewrite of ${table.uri} needs an operation name (e.g. 'DELETE')`);
  }
  const plan = planWrite(table.uri, snapshot, undefined, 'append', {});
  let written: { adds: AddFile[]; rows: number };
  try {
    written = await writeFiles(table.store, table.uri, plan, toAsync(change.data), options);
  } catch (e) {
    await dropFiles(table, (change.written?.() ?? []).flatMap((w) => w.adds));
    throw e;
  }
  for (const w of change.written?.() ?? []) written = { adds: [...written.adds, ...w.adds], rows: written.rows + w.rows };
  try {
    const live = new Map(snapshot.addFiles().map((a) => [a.path, a] as const));
    const removed = [...(typeof change.remove === 'function' ? change.remove() : change.remove)];
    for (const r of removed) {
      if (!live.has(r.path)) {
        throw new InvalidOptionError(`a rewrite of ${table.uri} removes ${r.path}, which is not a live file of version ${snapshot.version}; pass files of the snapshot rewritten`);
      }
    }
    const unchanged = removed.length === 0 && written.rows === 0;
    if (unchanged) {
      await dropFiles(table, written.adds);
      return { version: snapshot.version, committed: false, rowsWritten: 0, filesAdded: 0, filesRemoved: 0, bytesWritten: 0, bytesRemoved: 0, attempts: 0, postCommit: {} };
    }
    const now = (options.commit?.now ?? Date.now)();
    const actions: Action[] = [];
    for (const r of removed) actions.push({ remove: removeOf(r, now, true) });
    for (const add of written.adds) actions.push({ add });
    const bytesWritten = written.adds.reduce((n, a) => n + a.size, 0);
    const bytesRemoved = removed.reduce((n, a) => n + a.size, 0);
    const metrics = typeof options.operationMetrics === 'function' ? options.operationMetrics() : options.operationMetrics;
    const result = await commitTransaction(
      table.store,
      table.uri,
      snapshot,
      {
        actions,
        operation: options.operation,
        operationParameters: options.operationParameters ?? {},
        operationMetrics: {
          numAddedFiles: written.adds.length,
          numRemovedFiles: removed.length,
          numAddedBytes: bytesWritten,
          numRemovedBytes: bytesRemoved,
          ...metrics,
        },
        pinned: options.pinned === true,
        blindAppend: false,
        reads: options.reads === undefined || options.reads === 'all' ? 'all' : [options.reads],
        readFiles: removed.map((r) => r.path),
      },
      options.commit,
    );
    return {
      version: result.version,
      committed: true,
      rowsWritten: written.rows,
      filesAdded: written.adds.length,
      filesRemoved: removed.length,
      bytesWritten,
      bytesRemoved,
      attempts: result.attempts,
      postCommit: result.postCommit,
    };
  } catch (e) {
    await dropFiles(table, written.adds);
    throw e;
  }
}

async function dropFiles(table: DeltaTable, adds: readonly AddFile[]): Promise<void> {
  if (adds.length > 0) await table.store.delete(adds.map((a) => relativePath(a.path))).catch(() => undefined);
}

async function* toAsync(data: AsyncIterable<RecordBatch> | Iterable<RecordBatch>): AsyncIterable<RecordBatch> {
  yield* data;
}
