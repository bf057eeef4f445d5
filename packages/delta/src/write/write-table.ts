// writeDeltaTable: Arrow data → parquet data files → one commit, in mode error/append/overwrite/ignore,
// with replaceWhere, schema merge/overwrite and table creation. The data streams through: memory is
// bounded by the target file size, not by the input.

import type { RecordBatch, Schema } from 'apache-arrow';
import { resolveStore, toUrl, type ObjectStore, type StorageOptions } from '@duckrun/storage';
import type { CommitConflictError } from '../commit/errors.js';
import { commitTransaction, type TransactionResult } from '../commit/transaction.js';
import type { CommitOptions } from '../commit/commit-loop.js';
import type { PostCommitReport } from '../commit/post-commit.js';
import { InvalidOptionError, SchemaError, TableExistsError } from '../errors.js';
import type { Action, AddFile, Metadata, Protocol } from '../kernel/actions/types.js';
import { assignColumnMapping, columnMappingMode, physicalName } from '../kernel/features/column-mapping.js';
import { protocolForFeatures, requiredFeatures, upgradeProtocol } from '../kernel/features/protocol-for.js';
import { decodeAddPath } from '../kernel/partitions/path.js';
import { parsePartitionValue, type PartitionScalar } from '../kernel/partitions/values.js';
import { fromArrowSchema } from '../kernel/schema/arrow.js';
import { resolveWriteSchema } from '../kernel/schema/merge.js';
import { parseSchema, serializeSchema } from '../kernel/schema/parse.js';
import type { DataType, StructField, StructType } from '../kernel/schema/types.js';
import type { PartitionPredicate } from '../kernel/txn/conflicts.js';
import type { Snapshot } from '../snapshot.js';
import { DeltaTable } from '../table.js';
import { InputConformer } from './conform-input.js';
import { writeDataFiles, type DataFileCompression } from './file-writer.js';
import { openInput, type WriteData } from './input.js';
import { probeLocation } from './location.js';
import { checkWrittenRows, compileReplaceWhere, filePartitionValues, planReplacement, type ReplaceWhere } from './replace-where.js';
import { removeOf } from '../kernel/actions/remove-of.js';
import { dataSkippingNumIndexedCols, targetFileSizeBytes } from '../kernel/config/table-properties.js';

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
  /** `commitInfo.operation` (default `WRITE`); the SQL layer passes e.g. `CREATE TABLE AS SELECT`. */
  readonly operation?: string;
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

  let written = await writeFiles(store, table, plan, input.batches, options);
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
    return await commitWrite(store, table, existing, plan, written, options, removed);
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

/** Everything decided before any file is written. */
interface WritePlan {
  readonly mode: WriteMode;
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  /** Logical partition fields, in partition order. */
  readonly partitionFields: readonly StructField[];
  readonly columnMapping: ReturnType<typeof columnMappingMode>;
  /** The table configuration in force after the commit. */
  readonly configuration: Readonly<Record<string, string>>;
  /** New protocol/metadata actions to commit, when they change. */
  readonly protocol?: Protocol;
  readonly metadata?: Metadata;
  readonly columnsAdded: readonly string[];
  readonly replaceWhere?: ReplaceWhere;
  readonly emptyAppend: boolean;
  readonly schemaOverwritten: boolean;
}

interface WrittenFiles {
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
  if (options.txn !== undefined && (typeof options.txn.appId !== 'string' || options.txn.appId === '' || !Number.isSafeInteger(options.txn.version) || options.txn.version < 0)) {
    throw new InvalidOptionError(`txn for ${table} needs a non-empty appId and a whole-number version ≥ 0 (got ${JSON.stringify(options.txn)})`);
  }
  if (options.partitionBy !== undefined && !Array.isArray(options.partitionBy)) {
    throw new InvalidOptionError(`partitionBy for ${table} must be an array of column names`);
  }
}

async function currentSnapshot(store: ObjectStore, table: string, options: WriteOptions): Promise<Snapshot | undefined> {
  if ((await probeLocation(store, table)) === 'empty') return undefined;
  return (await DeltaTable.open(table, { store, ...(options.storageOptions ? { storageOptions: options.storageOptions } : {}) })).snapshot();
}

function skipped(uri: string, version: number): WriteResult {
  return { uri, version, committed: false, created: false, rowsWritten: 0, filesAdded: 0, filesRemoved: 0, bytesWritten: 0, columnsAdded: [], attempts: 0, postCommit: {} };
}

function planWrite(table: string, existing: Snapshot | undefined, arrowSchema: Schema | undefined, mode: WriteMode, options: WriteOptions): WritePlan {
  if (arrowSchema === undefined && existing === undefined) {
    throw new SchemaError(`cannot create ${table} from a stream without batches: its schema is unknown; pass an Arrow Table (it carries a schema) or create the table with DeltaTable.create`);
  }
  const dataSchema = arrowSchema === undefined ? existing!.schema : fromArrowSchema(arrowSchema);
  const noRows = arrowSchema === undefined;

  if (existing === undefined || options.schemaMode === 'overwrite') {
    const partitionBy = options.partitionBy ?? existing?.partitionColumns.filter((p) => dataSchema.fields.some((f) => f.name === p)) ?? [];
    checkPartitionColumns(table, dataSchema, partitionBy);
    checkTimestampNtz(table, dataSchema, existing?.schema, options);
    if (existing === undefined) {
      const { protocol, metadata } = newTableActions(table, dataSchema, partitionBy, options);
      return finishPlan(table, mode, metadata, protocol, metadata, [], options, false, false);
    }
    // Overwrite with a new schema: same table id and history, new schema, partitioning and (merged) properties.
    const configuration = { ...existing.metadata.configuration, ...options.properties };
    checkColumnNames(table, dataSchema, configuration, partitionBy);
    const mapped = mapColumns(dataSchema, configuration);
    const metadata: Metadata = { ...existing.metadata, schemaString: serializeSchema(mapped.schema), partitionColumns: [...partitionBy], configuration: mapped.configuration };
    const protocol = upgradeProtocol(existing.protocol, requiredFeatures(mapped.schema, mapped.configuration));
    return finishPlan(table, mode, metadata, protocol, metadata, [], options, false, true);
  }

  if (options.partitionBy !== undefined && !sameNames(options.partitionBy, existing.partitionColumns)) {
    throw new SchemaError(
      `${table} is partitioned by [${existing.partitionColumns.join(', ')}], not [${options.partitionBy.join(', ')}]; ` +
        "leave partitionBy out, or rewrite the table with mode 'overwrite' and schemaMode 'overwrite' to change its partitioning",
    );
  }
  const resolved = resolveWriteSchema(table, existing.schema, dataSchema, options.schemaMode === 'merge' ? 'merge' : 'strict', noRows ? [] : existing.partitionColumns);
  let configuration: Record<string, string> = { ...existing.metadata.configuration };
  let configChanged = false;
  for (const [k, v] of Object.entries(options.properties ?? {})) {
    if (configuration[k] !== v) {
      configuration[k] = v;
      configChanged = true;
    }
  }
  let schema = resolved.schema;
  if (resolved.changed) {
    checkTimestampNtz(table, schema, existing.schema, options);
    checkColumnNames(table, schema, configuration, existing.partitionColumns, resolved.added);
    const mapped = mapColumns(schema, configuration);
    schema = mapped.schema;
    configuration = mapped.configuration;
  }
  // Emit metaData only when something really changed: a metaData action makes concurrent writers conflict.
  const metadata = resolved.changed || configChanged ? { ...existing.metadata, schemaString: serializeSchema(schema), configuration } : undefined;
  const protocol = metadata ? upgradeProtocol(existing.protocol, requiredFeatures(schema, configuration)) : undefined;
  const emptyAppend = noRows && mode === 'append' && metadata === undefined;
  return finishPlan(table, mode, metadata ?? existing.metadata, protocol, metadata, resolved.added, options, emptyAppend, false);
}

function finishPlan(
  table: string,
  mode: WriteMode,
  effective: Metadata,
  protocol: Protocol | undefined,
  metadata: Metadata | undefined,
  columnsAdded: readonly string[],
  options: WriteOptions,
  emptyAppend: boolean,
  schemaOverwritten: boolean,
): WritePlan {
  const schema = parseSchema(effective.schemaString);
  const partitionFields = effective.partitionColumns.map((p) => schema.fields.find((f) => f.name === p)!);
  return {
    mode,
    schema,
    partitionColumns: effective.partitionColumns,
    partitionFields,
    columnMapping: columnMappingMode(effective.configuration),
    configuration: effective.configuration,
    ...(protocol ? { protocol } : {}),
    ...(metadata ? { metadata } : {}),
    columnsAdded,
    ...(options.replaceWhere !== undefined
      ? { replaceWhere: compileReplaceWhere(options.replaceWhere, schema, effective.partitionColumns, columnMappingMode(effective.configuration), table) }
      : {}),
    emptyAppend,
    schemaOverwritten,
  };
}

function newTableActions(
  table: string,
  schema: StructType,
  partitionBy: readonly string[],
  options: Pick<WriteOptions, 'properties' | 'name' | 'description' | 'allowTimestampNtz'>,
): { protocol: Protocol; metadata: Metadata } {
  checkPartitionColumns(table, schema, partitionBy);
  checkTimestampNtz(table, schema, undefined, options);
  checkColumnNames(table, schema, options.properties ?? {}, partitionBy);
  const mapped = mapColumns(schema, { ...options.properties });
  const protocol = protocolForFeatures(requiredFeatures(mapped.schema, mapped.configuration));
  const metadata: Metadata = {
    id: globalThis.crypto.randomUUID(),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    format: { provider: 'parquet', options: {} },
    schemaString: serializeSchema(mapped.schema),
    partitionColumns: [...partitionBy],
    configuration: mapped.configuration,
    createdTime: Date.now(),
  };
  return { protocol, metadata };
}

// Spark refuses these in parquet column names (ParquetSchemaConverter.checkFieldName) unless column mapping
// gives the files physical names, so a table with them would be unreadable there.
const INVALID_NAME_CHARS = /[ ,;{}()\n\t=]/;

/**
 * Refuses names of data columns other Delta readers cannot read from parquet, unless column mapping is on.
 * Partition columns never reach a parquet file, so any name is fine for them.
 */
function checkColumnNames(
  table: string,
  schema: StructType,
  configuration: Readonly<Record<string, string>>,
  partitionColumns: readonly string[],
  columns?: readonly string[],
): void {
  if (columnMappingMode(configuration) !== 'none') return;
  const data: StructType = { type: 'struct', fields: schema.fields.filter((f) => !partitionColumns.includes(f.name)) };
  const bad: string[] = [];
  const visit = (type: DataType, prefix: string): void => {
    if (typeof type !== 'object') return;
    if (type.type === 'struct') {
      for (const f of type.fields) {
        const path = `${prefix}${f.name}`;
        if (INVALID_NAME_CHARS.test(f.name) && (columns === undefined || columns.some((c) => path === c || path.startsWith(`${c}.`)))) bad.push(path);
        visit(f.type, `${path}.`);
      }
    } else if (type.type === 'array') visit(type.elementType, prefix);
    else if (type.type === 'map') {
      visit(type.keyType, prefix);
      visit(type.valueType, prefix);
    }
  };
  visit(data, '');
  if (bad.length === 0) return;
  throw new SchemaError(
    `column name${bad.length === 1 ? '' : 's'} ${bad.map((c) => JSON.stringify(c)).join(', ')} of ${table} contain${bad.length === 1 ? 's' : ''} a character of " ,;{}()\\n\\t=", ` +
      "which Spark and other Delta readers refuse in parquet column names; rename the column (e.g. SELECT count(*) AS n), or create the table with properties { 'delta.columnMapping.mode': 'name' }",
  );
}

/** With column mapping on, gives new columns ids and physical names and records the max id. */
function mapColumns(schema: StructType, configuration: Record<string, string>): { schema: StructType; configuration: Record<string, string> } {
  if (columnMappingMode(configuration) === 'none') return { schema, configuration };
  const max = Number(configuration['delta.columnMapping.maxColumnId'] ?? 0);
  const mapped = assignColumnMapping(schema, Number.isFinite(max) ? max : 0, () => globalThis.crypto.randomUUID());
  return { schema: mapped.schema, configuration: { ...configuration, 'delta.columnMapping.maxColumnId': String(mapped.maxColumnId) } };
}

function checkPartitionColumns(table: string, schema: StructType, partitionBy: readonly string[]): void {
  const seen = new Set<string>();
  for (const p of partitionBy) {
    if (typeof p !== 'string' || !schema.fields.some((f) => f.name === p)) {
      throw new SchemaError(
        `partition column "${String(p)}" is missing from the data written to ${table}; partition by one of its columns (${schema.fields.map((f) => f.name).join(', ')})`,
      );
    }
    if (seen.has(p)) throw new SchemaError(`partition column "${p}" of ${table} is listed twice; list each partition column once`);
    seen.add(p);
  }
  if (partitionBy.length > 0 && partitionBy.length === schema.fields.length) {
    throw new SchemaError(`every column of ${table} would be a partition column, leaving its data files without columns; keep at least one non-partition column`);
  }
}

/** Design rule: never create a `timestamp_ntz` column by accident (it raises the protocol and some readers refuse it). */
function checkTimestampNtz(table: string, schema: StructType, before: StructType | undefined, options: Pick<WriteOptions, 'allowTimestampNtz'>): void {
  if (options.allowTimestampNtz === true) return;
  const had = new Set(before ? ntzColumns(before, '') : []);
  const fresh = ntzColumns(schema, '').filter((c) => !had.has(c));
  if (fresh.length === 0) return;
  throw new SchemaError(
    `column${fresh.length === 1 ? '' : 's'} ${fresh.map((c) => `"${c}"`).join(', ')} of the data for ${table} ${fresh.length === 1 ? 'is a timestamp' : 'are timestamps'} without a time zone, which would create timestamp_ntz columns ` +
      "(reader 3 / writer 7; some readers refuse them); give the Arrow timestamp a time zone (e.g. 'UTC') to write a Delta timestamp, or pass allowTimestampNtz: true",
  );
}

function ntzColumns(struct: StructType, prefix: string): string[] {
  const out: string[] = [];
  const visit = (type: DataType, path: string): void => {
    if (type === 'timestamp_ntz') out.push(path);
    else if (typeof type === 'object' && type.type === 'struct') for (const f of type.fields) visit(f.type, `${path}.${f.name}`);
    else if (typeof type === 'object' && type.type === 'array') visit(type.elementType, `${path}.element`);
    else if (typeof type === 'object' && type.type === 'map') {
      visit(type.keyType, `${path}.key`);
      visit(type.valueType, `${path}.value`);
    }
  };
  for (const f of struct.fields) visit(f.type, `${prefix}${f.name}`);
  return out;
}

async function writeFiles(store: ObjectStore, table: string, plan: WritePlan, batches: AsyncIterable<RecordBatch>, options: WriteOptions): Promise<WrittenFiles> {
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
    },
  );
  return { adds, rows };
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
      pinned: false,
      blindAppend: append && plan.metadata === undefined,
      reads,
      readFiles: removed.map((a) => a.path),
    }, options.commit);
  } catch (e) {
    // Two writers creating the same table: the loser's rows still belong in it when it appends.
    if (existing === undefined && (e as CommitConflictError).reason === 'tableExists') return retryAsAppend(store, table, plan, written, options, e);
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

function relativePath(addPath: string): string {
  const decoded = decodeAddPath(addPath);
  return 'relative' in decoded ? decoded.relative : decoded.absolute;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
