// writeDeltaTable: Arrow data → parquet data files → one commit, in mode error/append/overwrite/ignore,
// with replaceWhere, schema merge/overwrite and table creation. The data streams through: memory is
// bounded by the target file size, not by the input.

import type { RecordBatch, Schema } from 'apache-arrow';
import { resolveStore, toUrl, type ObjectStore, type StorageOptions } from '@duckrun/storage';
import { CommitConflictError } from '../commit/errors.js';
import { commitTransaction, type TransactionResult } from '../commit/transaction.js';
import type { CommitOptions } from '../commit/commit-loop.js';
import type { PostCommitReport } from '../commit/post-commit.js';
import { InvalidOptionError, TableExistsError } from '../errors.js';
import { removeOf } from '../kernel/actions/remove-of.js';
import type { Action, AddFile, Metadata, Protocol } from '../kernel/actions/types.js';
import { dataSkippingNumIndexedCols, targetFileSizeBytes } from '../kernel/config/table-properties.js';
import { decodeAddPath } from '../kernel/partitions/path.js';
import { fromArrowSchema } from '../kernel/schema/arrow.js';
import { resolveWriteSchema } from '../kernel/schema/merge.js';
import { serializeSchema } from '../kernel/schema/parse.js';
import type { StructType } from '../kernel/schema/types.js';
import type { PartitionPredicate } from '../kernel/txn/conflicts.js';
import type { Snapshot } from '../snapshot.js';
import { DeltaTable } from '../table.js';
import { InputConformer } from './conform-input.js';
import { DEFAULT_TARGET_FILE_SIZE, writeDataFiles, type DataFileCompression } from './file-writer.js';
import { runDataFileStrategy, type DataFileStrategy, type DataFilesReport } from './data-file-strategy.js';
import { openInput, type WriteData } from './input.js';
import { probeLocation } from './location.js';
import { inlineEncoder, type ParquetEncoder } from '../parquet/encoder.js';
import { newTableActions, planWrite, sameNames, type WritePlan } from './write-plan.js';
import { checkWrittenRows, filePartitionValues, planReplacement, type ReplaceWhere } from './replace-where.js';

/** What a write does when the table exists: fail, add rows, replace rows, or do nothing. */
export type WriteMode = 'error' | 'append' | 'overwrite' | 'ignore';

/** How a write may change the table schema: add new columns (`merge`) or replace it (`overwrite`, with mode overwrite). */
export type SchemaMode = 'merge' | 'overwrite';

/** Options of {@link writeDeltaTable}. */
export interface WriteOptions {
  /** Default `error`: fail if a table exists. */
  readonly mode?: WriteMode;
  /** Partition columns of a new table (must equal the existing ones otherwise). */
  readonly partitionBy?: readonly string[];
  /** With mode `overwrite`: replace only the partitions matching this predicate over partition columns; every written row must match it. */
  readonly replaceWhere?: string;
  readonly schemaMode?: SchemaMode;
  /** Roll data files at about this many bytes (default 128 MiB). */
  readonly targetFileSize?: number;
  /** Parquet codec of data files (default `snappy`). */
  readonly compression?: DataFileCompression;
  /** Table properties (`delta.*`, …) of a new table, or merged into an existing table's configuration. */
  readonly properties?: Readonly<Record<string, string>>;
  /** Name and description of a new table. */
  readonly name?: string;
  readonly description?: string;
  /** Allow creating `timestamp_ntz` columns from zone-less Arrow timestamps (raises the protocol; default false). */
  readonly allowTimestampNtz?: boolean;
  readonly storageOptions?: StorageOptions;
  /** Use this store (rooted at the table) instead of resolving one from the URI. */
  readonly store?: ObjectStore;
  /** Retries, backoff, clock of the commit. */
  readonly commit?: CommitOptions;
  /**
   * Idempotent write (Spark's txnAppId/txnVersion): skipped when the table already records `version` (or a
   * later one) for `appId`, else committed together with that watermark, so a retried batch lands once.
   */
  readonly txn?: { readonly appId: string; readonly version: number };
  /**
   * Pinned write (safeappend, pinned merge): the table must still be at this version when the write
   * commits (-1: must not exist yet). Any commit in between fails the write with CommitConflictError
   * naming the winner, whatever its kind; nothing is half-applied.
   */
  readonly pinnedVersion?: number;
  /** `commitInfo.operation` (default `WRITE`); the SQL layer passes e.g. `CREATE TABLE AS SELECT`. */
  readonly operation?: string;
  /**
   * Writes the data files another way (e.g. a SQL engine's own parquet writer over the same rows); the
   * data's batches are then never pulled. When the strategy declines, the Arrow path writes them and
   * {@link WriteResult.dataFiles} says why.
   */
  readonly dataFiles?: DataFileStrategy;
  /**
   * Where the Arrow path encodes parquet (default parquet-wasm on this thread). Under Node,
   * `parquetWorkers()` from `@duckrun/delta/node` encodes in worker threads, several files at once.
   */
  readonly encoder?: ParquetEncoder;
}

/** The outcome of a write. */
export interface WriteResult {
  /** The table's URL. */
  readonly uri: string;
  /** The version committed, or the current version when nothing was committed. */
  readonly version: number;
  /** False when mode `ignore` found a table, or an append had no rows. */
  readonly committed: boolean;
  /** True when the write created the table. */
  readonly created: boolean;
  readonly rowsWritten: number;
  readonly filesAdded: number;
  readonly filesRemoved: number;
  readonly bytesWritten: number;
  /** Columns added by schema merge (logical paths). */
  readonly columnsAdded: readonly string[];
  /** Commit attempts (more than one after rebasing over concurrent commits). */
  readonly attempts: number;
  readonly postCommit: PostCommitReport;
  /** Which writer made the data files (`arrow`, or the strategy's name), and why a strategy offered was not used. */
  readonly dataFiles: DataFilesReport;
}

const MODES: readonly WriteMode[] = ['error', 'append', 'overwrite', 'ignore'];

/**
 * Writes Arrow data to the Delta table at `uri`, creating it if needed.
 * @example
 * await writeDeltaTable('s3://bucket/sales', tableFromArrays({ id: [1, 2], day: ['2024-05-01', '2024-05-02'] }), { mode: 'append', partitionBy: ['day'] });
 */
export async function writeDeltaTable(uri: string, data: WriteData, options: WriteOptions = {}): Promise<WriteResult> {
  const mode = options.mode ?? 'error';
  const store = options.store ?? (await resolveStore(uri, options.storageOptions));
  const table = options.store ? store.url : toUrl(uri);
  validateOptions(table, mode, options);

  const existing = await currentSnapshot(store, table, options);
  if (existing !== undefined && mode === 'error') {
    throw new TableExistsError(
      `a Delta table already exists at ${table} (version ${existing.version}); write with mode 'append' or 'overwrite', or 'ignore' to leave it alone`,
    );
  }
  if (existing !== undefined && mode === 'ignore') return skipped(table, existing.version);
  if (options.txn !== undefined && existing !== undefined && (existing.txns.get(options.txn.appId)?.version ?? -1) >= options.txn.version) {
    return skipped(table, existing.version);
  }

  const input = await openInput(data, table);
  const plan = planWrite(table, existing, input.schema, mode, options);
  if (plan.emptyAppend) return skipped(table, existing!.version);

  const strategy = options.dataFiles ? await writeWithStrategy(store, table, plan, options.dataFiles, options) : undefined;
  const arrow = { writer: 'arrow', encoder: (options.encoder ?? inlineEncoder).name };
  const dataFiles: DataFilesReport = strategy === undefined ? arrow : 'unsupported' in strategy ? { ...arrow, fallback: strategy.unsupported } : { writer: options.dataFiles!.name };
  let written = strategy !== undefined && !('unsupported' in strategy) ? strategy : await writeFiles(store, table, plan, input.batches, options);
  try {
    checkReplaceWhere(table, plan, written.adds);
    let removed: AddFile[] | undefined;
    if (existing !== undefined && plan.mode === 'overwrite' && plan.replaceWhere !== undefined) {
      // Rows of replaced files that the predicate does not match stay in the table, in new files.
      const replacement = planReplacement(plan.replaceWhere, existing);
      const kept = await writeFiles(store, table, { ...plan, replaceWhere: undefined }, replacement.kept, options);
      written = { adds: [...written.adds, ...kept.adds], rows: written.rows, rewrittenRows: kept.rows };
      removed = replacement.removed;
    }
    return { ...(await commitWrite(store, table, existing, plan, written, options, removed)), dataFiles };
  } catch (e) {
    // Nobody references files of a write that did not commit; remove them rather than wait for vacuum.
    await store.delete(written.adds.map((a) => relativePath(a.path))).catch(() => undefined);
    throw e;
  }
}

/** Options of {@link createDeltaTable} / `DeltaTable.create`. */
export type CreateOptions = Pick<WriteOptions, 'partitionBy' | 'properties' | 'name' | 'description' | 'storageOptions' | 'store' | 'commit' | 'allowTimestampNtz'>;

/** Creates an empty Delta table at `uri` (version 0: protocol and metadata only); fails if one exists. */
export async function createDeltaTable(uri: string, schema: Schema | StructType, options: CreateOptions = {}): Promise<DeltaTable> {
  const store = options.store ?? (await resolveStore(uri, options.storageOptions));
  const table = options.store ? store.url : toUrl(uri);
  if ((await probeLocation(store, table)) === 'table') {
    throw new TableExistsError(`a Delta table already exists at ${table}; open it with DeltaTable.open, or create the table elsewhere`);
  }
  const struct = 'type' in schema && schema.type === 'struct' ? schema : fromArrowSchema(schema as Schema);
  const { protocol, metadata } = newTableActions(table, struct, options.partitionBy ?? [], options);
  try {
    await commitTransaction(store, table, undefined, {
      actions: [{ protocol }, { metaData: metadata }],
      operation: 'CREATE TABLE',
      operationParameters: { isManaged: false, description: options.description, partitionBy: metadata.partitionColumns, properties: metadata.configuration },
      pinned: false,
      blindAppend: false,
    }, options.commit);
  } catch (e) {
    if ((e as CommitConflictError).reason === 'tableExists') {
      throw new TableExistsError(`a Delta table was created at ${table} concurrently; open it with DeltaTable.open`, { cause: e });
    }
    throw e;
  }
  return DeltaTable.open(table, { store });
}

// ---------------------------------------------------------------------------------------------------

export interface WrittenFiles {
  readonly adds: AddFile[];
  /** Rows of the caller's data. */
  readonly rows: number;
  /** Rows of replaced files written again (replaceWhere over data columns). */
  readonly rewrittenRows?: number;
}

function validateOptions(table: string, mode: WriteMode, options: WriteOptions): void {
  if (!MODES.includes(mode)) {
    throw new InvalidOptionError(`mode "${String(mode)}" for ${table} is not a write mode; use one of ${MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  const schemaMode = options.schemaMode;
  if (schemaMode !== undefined && schemaMode !== 'merge' && schemaMode !== 'overwrite') {
    throw new InvalidOptionError(`schemaMode "${String(schemaMode)}" for ${table} is not supported; use 'merge' (add new columns) or 'overwrite' (replace the schema, with mode 'overwrite')`);
  }
  if (schemaMode === 'overwrite' && mode !== 'overwrite') {
    throw new InvalidOptionError(`schemaMode 'overwrite' replaces the schema of ${table} and needs mode 'overwrite' (got '${mode}'); use schemaMode 'merge' to add columns while appending`);
  }
  if (options.replaceWhere !== undefined && mode !== 'overwrite') {
    throw new InvalidOptionError(`replaceWhere applies to mode 'overwrite', but the write to ${table} uses mode '${mode}'; pass mode: 'overwrite'`);
  }
  if (options.replaceWhere !== undefined && schemaMode === 'overwrite') {
    throw new InvalidOptionError(`replaceWhere cannot be combined with schemaMode 'overwrite' for ${table}: replacing some partitions keeps the others, which need the old schema`);
  }
  if (options.pinnedVersion !== undefined && !(Number.isSafeInteger(options.pinnedVersion) && options.pinnedVersion >= -1)) {
    throw new InvalidOptionError(`pinnedVersion ${String(options.pinnedVersion)} for ${table} is invalid; use the table version read (≥ 0), or -1 for a table that must not exist yet`);
  }
  if (options.txn !== undefined && (typeof options.txn.appId !== 'string' || options.txn.appId === '' || !Number.isSafeInteger(options.txn.version) || options.txn.version < 0)) {
    throw new InvalidOptionError(`txn for ${table} needs a non-empty appId and a whole-number version ≥ 0 (got ${JSON.stringify(options.txn)})`);
  }
  if (options.partitionBy !== undefined && !Array.isArray(options.partitionBy)) {
    throw new InvalidOptionError(`partitionBy for ${table} must be an array of column names`);
  }
}

async function currentSnapshot(store: ObjectStore, table: string, options: WriteOptions): Promise<Snapshot | undefined> {
  const pinned = options.pinnedVersion;
  if ((await probeLocation(store, table)) === 'empty') {
    if (pinned !== undefined && pinned >= 0) throw pinnedConflict(table, pinned, -1);
    return undefined;
  }
  const dt = await DeltaTable.open(table, { store, ...(options.storageOptions ? { storageOptions: options.storageOptions } : {}) });
  const latest = await dt.snapshot();
  if (pinned !== undefined && latest.version !== pinned) throw pinnedConflict(table, pinned, latest.version);
  return latest;
}

function pinnedConflict(table: string, pinned: number, current: number): CommitConflictError {
  const what = current < 0 ? 'does not exist' : `is at version ${current}`;
  return new CommitConflictError(
    `pinned write to ${table} expected version ${pinned < 0 ? 'none (a new table)' : pinned}, but the table ${what}; re-read the table and run the operation again`,
    { winningVersion: current, winningOperation: current < 0 ? 'NONE' : 'UNKNOWN', retries: 0, reason: 'pinned' },
  );
}

function skipped(uri: string, version: number): WriteResult {
  return { uri, version, committed: false, created: false, rowsWritten: 0, filesAdded: 0, filesRemoved: 0, bytesWritten: 0, columnsAdded: [], attempts: 0, postCommit: {}, dataFiles: { writer: 'arrow' } };
}

/** Conforms `batches` to the plan's schema and writes them as data files (not committed). */
export async function writeFiles(
  store: ObjectStore,
  table: string,
  plan: WritePlan,
  batches: AsyncIterable<RecordBatch>,
  options: Pick<WriteOptions, 'targetFileSize' | 'compression' | 'encoder'>,
): Promise<WrittenFiles> {
  const conformer = new InputConformer(plan.schema, table);
  const targetSize = options.targetFileSize ?? targetFileSizeBytes(table, plan.configuration);
  const indexedCols = dataSkippingNumIndexedCols(table, plan.configuration);
  let rows = 0;
  let checkedSchema: Schema | undefined;
  const conformed = async function* (): AsyncIterable<RecordBatch> {
    for await (const batch of batches) {
      if (checkedSchema !== batch.schema) {
        // A later batch may differ from the first: it must still fit the (resolved) table schema.
        resolveWriteSchema(table, plan.schema, fromArrowSchema(batch.schema), 'strict', plan.partitionColumns);
        checkedSchema = batch.schema;
      }
      rows += batch.numRows;
      const conformed = conformer.conform(batch);
      if (plan.replaceWhere?.touchesData) checkWrittenRows(plan.replaceWhere, conformed, table);
      yield conformed;
    }
  };
  const adds = await writeDataFiles(
    store,
    { schema: plan.schema, partitionColumns: plan.partitionColumns, columnMapping: plan.columnMapping, table },
    conformed(),
    {
      // The table's own properties are the defaults, as in Spark: delta.targetFileSize, delta.dataSkippingNumIndexedCols.
      ...(targetSize !== undefined ? { targetFileSize: targetSize } : {}),
      ...(options.compression !== undefined ? { compression: options.compression } : {}),
      ...(indexedCols !== undefined ? { stats: { numIndexedCols: indexedCols } } : {}),
      ...(options.encoder !== undefined ? { encoder: options.encoder } : {}),
    },
  );
  return { adds, rows };
}

/** The data files written by `strategy`, or why it declined (then nothing was written). */
async function writeWithStrategy(
  store: ObjectStore,
  table: string,
  plan: WritePlan,
  strategy: DataFileStrategy,
  options: WriteOptions,
): Promise<WrittenFiles | { unsupported: string }> {
  // Every written row must be checked against a replaceWhere over data columns; only the Arrow path sees rows.
  if (plan.replaceWhere?.touchesData) return { unsupported: 'replaceWhere over data columns checks every written row, which only the Arrow path does' };
  const indexedCols = dataSkippingNumIndexedCols(table, plan.configuration);
  const outcome = await runDataFileStrategy(
    store,
    table,
    {
      schema: plan.schema,
      partitionColumns: plan.partitionColumns,
      partitionFields: plan.partitionFields,
      columnMapping: plan.columnMapping,
      targetFileSize: options.targetFileSize ?? targetFileSizeBytes(table, plan.configuration) ?? DEFAULT_TARGET_FILE_SIZE,
      compression: options.compression ?? 'snappy',
      stats: indexedCols !== undefined ? { numIndexedCols: indexedCols } : {},
    },
    strategy,
  );
  return 'unsupported' in outcome ? outcome : { adds: outcome.adds, rows: outcome.rows };
}

/** Delta's replaceWhere constraint for partition predicates, checked per written file (data predicates: per row). */
function checkReplaceWhere(table: string, plan: WritePlan, adds: readonly AddFile[]): void {
  const rw = plan.replaceWhere;
  if (rw === undefined || rw.touchesData) return;
  for (const add of adds) {
    const values = filePartitionValues(rw, add.partitionValues);
    if (rw.predicate.evaluate(values) !== true) {
      const shown = plan.partitionColumns.map((c) => `${c}=${String(values[c])}`).join(', ');
      throw new InvalidOptionError(
        `data written to ${table} does not match replaceWhere "${rw.predicate.text}" (rows with ${shown}); nothing was committed. ` +
          'Filter the data to the replaced partitions, or widen the predicate',
      );
    }
  }
}

async function commitWrite(
  store: ObjectStore,
  table: string,
  existing: Snapshot | undefined,
  plan: WritePlan,
  written: WrittenFiles,
  options: WriteOptions,
  replaced?: readonly AddFile[],
): Promise<WriteResult> {
  const now = (options.commit?.now ?? Date.now)();
  const removed = existing !== undefined && plan.mode === 'overwrite' ? (replaced ?? existing.addFiles()) : [];
  const actions: Action[] = [];
  if (plan.protocol) actions.push({ protocol: plan.protocol });
  if (plan.metadata) actions.push({ metaData: plan.metadata });
  for (const add of removed) actions.push({ remove: removeOf(add, now, true) });
  for (const add of written.adds) actions.push({ add });
  if (options.txn !== undefined) actions.push({ txn: { appId: options.txn.appId, version: options.txn.version, lastUpdated: now } });
  const append = existing === undefined || plan.mode === 'append';
  const modeName = plan.mode === 'append' ? 'Append' : plan.mode === 'overwrite' ? 'Overwrite' : plan.mode === 'ignore' ? 'Ignore' : 'ErrorIfExists';
  const reads: 'all' | PartitionPredicate[] = append ? [] : plan.replaceWhere ? [partitionReadPredicate(plan.replaceWhere)] : 'all';
  let result: TransactionResult;
  try {
    result = await commitTransaction(store, table, existing, {
      actions,
      operation: options.operation ?? 'WRITE',
      operationParameters: {
        mode: modeName,
        partitionBy: plan.partitionColumns,
        ...(plan.replaceWhere ? { predicate: [plan.replaceWhere.predicate.text] } : {}),
        ...(existing === undefined ? { isManaged: 'false', properties: plan.metadata?.configuration ?? {} } : {}),
      },
      operationMetrics: {
        numFiles: written.adds.length,
        numOutputRows: written.rows,
        numOutputBytes: written.adds.reduce((n, a) => n + a.size, 0),
        ...(removed.length > 0 ? { numRemovedFiles: removed.length, numRemovedBytes: removed.reduce((n, a) => n + a.size, 0) } : {}),
      },
      pinned: options.pinnedVersion !== undefined,
      blindAppend: append && plan.metadata === undefined,
      reads,
      readFiles: removed.map((a) => a.path),
    }, options.commit);
  } catch (e) {
    // Two writers creating the same table: the loser's rows still belong in it when it appends.
    if (existing === undefined && options.pinnedVersion === undefined && (e as CommitConflictError).reason === 'tableExists') {
      return retryAsAppend(store, table, plan, written, options, e);
    }
    // The same idempotent batch committed by someone else meanwhile: this one is a duplicate, not a failure.
    if (options.txn !== undefined && (e as CommitConflictError).reason === 'concurrentTransaction') {
      const now = await (await DeltaTable.open(table, { store })).snapshot();
      if ((now.txns.get(options.txn.appId)?.version ?? -1) >= options.txn.version) {
        await store.delete(written.adds.map((a) => relativePath(a.path))).catch(() => undefined);
        return skipped(table, now.version);
      }
    }
    throw e;
  }
  return {
    dataFiles: { writer: 'arrow' },
    uri: table,
    version: result.version,
    committed: true,
    created: existing === undefined,
    rowsWritten: written.rows,
    filesAdded: written.adds.length,
    filesRemoved: removed.length,
    bytesWritten: written.adds.reduce((n, a) => n + a.size, 0),
    columnsAdded: plan.columnsAdded,
    attempts: result.attempts,
    postCommit: result.postCommit,
  };
}

async function retryAsAppend(store: ObjectStore, table: string, plan: WritePlan, written: WrittenFiles, options: WriteOptions, cause: unknown): Promise<WriteResult> {
  if (plan.mode === 'error') throw new TableExistsError(`a Delta table was created at ${table} concurrently; write with mode 'append' or 'overwrite'`, { cause });
  const winner = await (await DeltaTable.open(table, { store })).snapshot();
  if (plan.mode === 'ignore') {
    await store.delete(written.adds.map((a) => relativePath(a.path))).catch(() => undefined);
    return skipped(table, winner.version);
  }
  const sameLayout =
    serializeSchema(winner.schema) === serializeSchema(plan.schema) &&
    sameNames(winner.partitionColumns, plan.partitionColumns) &&
    winner.columnMapping === 'none' &&
    plan.columnMapping === 'none';
  if (plan.mode !== 'append' || !sameLayout) throw cause;
  const rebased: WritePlan = { ...plan, mode: 'append' };
  delete (rebased as { protocol?: Protocol }).protocol;
  delete (rebased as { metadata?: Metadata }).metadata;
  return commitWrite(store, table, winner, rebased, written, options);
}

function partitionReadPredicate(rw: ReplaceWhere): PartitionPredicate {
  // What the overwrite read: every file that may hold a replaced row (a file we cannot place counts as read).
  const known = new Set(rw.partitionFields.map((f) => f.name));
  return (values) => rw.predicate.mayMatch(filePartitionValues(rw, values), known);
}

/** The store key of an add path (relative to the table root). */
export function relativePath(addPath: string): string {
  const decoded = decodeAddPath(addPath);
  return 'relative' in decoded ? decoded.relative : decoded.absolute;
}
