// Runs a write statement: the query executes in DuckDB (delta_scan calls rewritten), its result streams out
// as Arrow IPC decoded by our apache-arrow into record batches, and @duckrun/delta's writer turns them into
// parquet files and one commit. Batches are pulled as the writer asks for them, so memory stays bounded by
// the writer's file buffer, not by the result. On the native engine with a local table, DuckDB writes the
// parquet files itself (copy-data-files.ts) and the writer only reads their footers and commits.
import { RecordBatch, type Schema } from 'apache-arrow';
import { DeltaTable, writeDeltaTable, type DataFilesReport, type ParquetEncoder, type Snapshot, type WriteOptions, type WriteResult } from '@duckrun/delta';
import { isDuckrunError, type StorageOptions } from '@duckrun/storage';
import type { PrepareOptions, PreparedStatement } from '../delta-scan.js';
import { isRowWise } from './row-wise.js';
import type { Engine, ResultStream } from '../engine/engine.js';
import { ColumnTypeError, QueryError, TableExistsError, TableNotFoundError } from '../errors.js';
import { replaceRanges } from '../sql/delta-scan-calls.js';
import { quoteIdentifier, quoteString } from '../sql/literals.js';
import { duckdbTableNames } from './duckdb-tables.js';
import { cteNames, findTableReferences } from './table-references.js';
import { describeSql, planCreate, planInsert, type QueryColumn, type SelectPlan } from './select-plan.js';
import { describeWriteStatement, type CreateTableAs, type InsertInto, type WriteStatement } from './statement.js';
import { schemaFolderCandidates, tableLocation, tableNameText } from './table-name.js';
import { timestampNtzPaths } from './type-mapping.js';
import { activeTombstone, clearTombstone } from '../dml/tombstone.js';
import { executeDmlStatement } from './execute-dml.js';
import { copyDataFiles, copyUnsupported } from './copy-data-files.js';

/** What a write statement needs from its session. */
export interface WriteContext {
  readonly engine: Engine;
  /** Root URL table names resolve under. */
  readonly root: string;
  readonly storageOptions?: StorageOptions;
  /** Rewrites the delta_scan calls of `sql` into registered tables (released by the caller). */
  prepare(sql: string, options?: PrepareOptions): Promise<PreparedStatement>;
  /**
   * Let an engine with a parquet writer write the data files of local tables itself (default true); false
   * keeps every write on the Arrow path.
   */
  readonly nativeWrite?: boolean;
  /** Where the Arrow path encodes parquet (default: on the calling thread). */
  readonly encoder?: ParquetEncoder;
}

/** Options of a write statement. */
export interface WriteStatementOptions {
  /**
   * Let CREATE TABLE make `timestamp_ntz` columns from zone-less TIMESTAMP columns (default false: such a
   * column fails with a hint to CAST it to TIMESTAMPTZ, since timestamp_ntz raises the table protocol).
   */
  readonly allowTimestampNtz?: boolean;
  /** Roll data files at about this many bytes (the writer's default otherwise). */
  readonly targetFileSize?: number;
  /**
   * On the native engine, let DuckDB write the data files of local tables with COPY (default true): much
   * faster than streaming rows to JS; false keeps the Arrow path.
   */
  readonly nativeWrite?: boolean;
  /**
   * Worker threads that encode parquet on the Arrow path (default: the machine's cores less one, at least
   * 1; delta_scan's Arrow path then also decodes in a worker of its own); 0 does both on the calling thread.
   */
  readonly encodeThreads?: number;
}

/** What a write statement did. */
export interface WriteOutcome {
  /**
   * `created` a new table, `replaced` an existing one, `inserted`, `updated` or `deleted` rows, `altered` the
   * schema, `dropped` the table, or `skipped` (IF [NOT] EXISTS made the statement a no-op).
   */
  readonly action: 'created' | 'replaced' | 'inserted' | 'updated' | 'deleted' | 'altered' | 'dropped' | 'skipped';
  /** The table name as SQL text, e.g. `sales` or `"my table"`. */
  readonly table: string;
  /** The table's URL. */
  readonly tableUri: string;
  /** The version committed, or the current version when nothing was committed. */
  readonly version: number;
  /** Rows written, updated or deleted. */
  readonly rowsWritten: number;
  readonly filesAdded: number;
  /** Which writer made the data files (`arrow` or `duckdb-copy`), and why the native one was not used. */
  readonly dataFiles?: DataFilesReport;
}

/** Executes `statement` against the session described by `ctx`. */
export async function executeWriteStatement(statement: WriteStatement, ctx: WriteContext, options: WriteStatementOptions = {}): Promise<WriteOutcome> {
  if (statement.kind !== 'create' && statement.kind !== 'insert') return executeDmlStatement(statement, ctx, options);
  const name = tableNameText(statement.table);
  const tableUri = tableLocation(statement.table, ctx.root);
  const { snapshot: existing, dropped } = await tableState(tableUri, ctx.storageOptions);
  if (statement.kind === 'insert' && dropped) {
    throw new TableNotFoundError(`INSERT INTO ${name}: table ${name} at ${tableUri} was dropped; create it again with CREATE TABLE ${name} AS …`);
  }
  if (statement.kind === 'create' && existing !== undefined && statement.mode === 'error') {
    throw new TableExistsError(
      `table ${name} already exists at ${tableUri} (version ${existing.version}); use CREATE OR REPLACE TABLE ${name} AS … to replace it, INSERT INTO ${name} … to add rows, or CREATE TABLE IF NOT EXISTS`,
    );
  }
  if (statement.kind === 'create' && existing !== undefined && statement.mode === 'ignore') {
    return { action: 'skipped', table: name, tableUri, version: existing.version, rowsWritten: 0, filesAdded: 0 };
  }
  if (statement.kind === 'insert' && existing === undefined) {
    throw new TableNotFoundError(`INSERT INTO ${name}: there is no Delta table at ${tableUri}; create it first with CREATE TABLE ${name} AS …`);
  }

  const what = describeWriteStatement(statement);
  const result = await writeQueryToDelta(statement.query, tableUri, ctx, {
    what,
    plan: (columns, query) => planSelect(statement, columns, query, existing, options, name, what),
    writeOptions: { ...writerOptions(statement, existing, ctx, options), ...(dropped ? REVIVE : {}) },
  });
  if (dropped) await clearTombstone(tableUri, ctx.storageOptions);
  const action = statement.kind === 'insert' ? 'inserted' : !result.committed ? 'skipped' : existing !== undefined ? 'replaced' : 'created';
  return { action, table: name, tableUri, version: result.version, rowsWritten: result.rowsWritten, filesAdded: result.filesAdded, dataFiles: result.dataFiles };
}

/** How {@link writeQueryToDelta} shapes and commits a query's result. */
export interface QueryWrite {
  /** Names the write in error messages, e.g. `INSERT INTO sales`. */
  readonly what: string;
  /** The SELECT to stream, given the (prepared) query's columns; it casts to the Delta columns. */
  plan(columns: readonly QueryColumn[], query: string): SelectPlan;
  readonly writeOptions: WriteOptions;
}

/**
 * Streams the result of `query` (delta_scan calls and bare Delta table names allowed) into the Delta table
 * at `tableUri`: shared by SQL write statements and DataFrame writers so both write the same way.
 */
export async function writeQueryToDelta(query: string, tableUri: string, ctx: WriteContext, write: QueryWrite): Promise<WriteResult> {
  const native = ctx.nativeWrite === false ? 'the session turned the native write path off (nativeWrite: false)' : copyUnsupported(ctx.engine, tableUri);
  // Rows streamed to JS: a row-wise query over one delta_scan may run chunk by chunk (bounded memory).
  const prepared = await ctx.prepare(await resolveBareTables(query, ctx), { chunked: native !== undefined });
  try {
    const plan = write.plan(await describe(ctx.engine, prepared.sql), prepared.sql);
    if (native !== undefined) {
      const chunked = prepared.chunked;
      const byChunk = chunked !== undefined && (await isRowWise(ctx.engine, plan.sql, chunked.table));
      if (chunked !== undefined && !byChunk) await chunked.complete();
      let stream: ResultStream | undefined;
      const rows = async function* (): AsyncGenerator<RecordBatch> {
        do {
          stream = await ctx.engine.stream(plan.sql);
          yield* batchesOf(stream);
        } while (byChunk && (await chunked.next()));
      };
      try {
        const result = await writeDeltaTable(tableUri, rows(), withEncoder(write.writeOptions, ctx));
        return ctx.engine.capabilities.parquet ? { ...result, dataFiles: { ...result.dataFiles, fallback: native } } : result;
      } finally {
        // The writer may stop early (an error after the first batch): free the engine before releasing tables.
        await (stream as ResultStream | undefined)?.close();
      }
    }
    // DuckDB writes the files itself; the rows only stream to JS if the writer falls back to the Arrow path,
    // so the schema comes from the query with no rows.
    const schema = (await ctx.engine.query(`SELECT * FROM (\n${plan.sql}\n) AS __duckrun_schema LIMIT 0`)).schema;
    let stream: ResultStream | undefined;
    const rows = async function* (): AsyncGenerator<RecordBatch> {
      stream = await ctx.engine.stream(plan.sql);
      yield* batchesOf(stream);
    };
    try {
      return await writeDeltaTable(tableUri, { schema, batches: rows() }, { ...withEncoder(write.writeOptions, ctx), dataFiles: copyDataFiles(ctx.engine, plan.sql, plan.fields) });
    } finally {
      await (stream as ResultStream | undefined)?.close();
    }
  } catch (e) {
    // DuckDB's message (a failed cast, a missing column) does not say which statement it came from.
    if (e instanceof QueryError) throw new QueryError(`${write.what}: ${e.detail}`, { cause: e });
    throw e;
  } finally {
    await prepared.release();
  }
}

/** `options` with the session's Arrow-path encoder, when it has one. */
function withEncoder(options: WriteOptions, ctx: WriteContext): WriteOptions {
  return ctx.encoder !== undefined && options.encoder === undefined ? { ...options, encoder: ctx.encoder } : options;
}

function planSelect(
  statement: CreateTableAs | InsertInto,
  columns: readonly QueryColumn[],
  query: string,
  existing: Snapshot | undefined,
  options: WriteStatementOptions,
  name: string,
  what: string,
): SelectPlan {
  if (statement.kind === 'insert') return planInsert(query, columns, statement, existing!.schema, name);
  let plan: SelectPlan;
  try {
    plan = planCreate(query, columns);
  } catch (e) {
    if (e instanceof ColumnTypeError) throw new ColumnTypeError(`${what}: ${e.message}`, { cause: e });
    throw e;
  }
  if (options.allowTimestampNtz !== true) refuseAccidentalNtz(plan, existing, what);
  return plan;
}

function writerOptions(statement: CreateTableAs | InsertInto, existing: Snapshot | undefined, ctx: WriteContext, options: WriteStatementOptions): WriteOptions {
  return {
    ...(statement.kind === 'insert'
      ? { mode: 'append', operation: 'WRITE' }
      : statement.mode === 'overwrite'
        ? // The statement defines the whole table: its schema and (no) partitioning replace the old ones.
          { mode: 'overwrite', schemaMode: 'overwrite', partitionBy: [], operation: existing ? 'CREATE OR REPLACE TABLE AS SELECT' : 'CREATE TABLE AS SELECT' }
        : { mode: statement.mode, partitionBy: [], operation: 'CREATE TABLE AS SELECT' }),
    ...(options.allowTimestampNtz === true ? { allowTimestampNtz: true } : {}),
    ...(options.targetFileSize !== undefined ? { targetFileSize: options.targetFileSize } : {}),
    ...(ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {}),
  };
}

/**
 * `FROM orders` where `orders` is no CTE and no DuckDB table but a Delta table under the root becomes
 * `FROM delta_scan('orders') AS "orders"`, so a write's query (or a connect() DataFrame) may name sibling tables directly.
 */
export async function resolveBareTables(query: string, ctx: Pick<WriteContext, 'engine' | 'root' | 'storageOptions'>): Promise<string> {
  const refs = findTableReferences(query);
  if (refs.length === 0) return query;
  const ctes = cteNames(query);
  const local = await duckdbTableNames(ctx.engine);
  const isDelta = new Map<string, Promise<boolean>>();
  const edits: { start: number; end: number; text: string }[] = [];
  for (const ref of refs) {
    const last = ref.parts[ref.parts.length - 1]!;
    if (local.has(last.toLowerCase()) || (ref.parts.length === 1 && ctes.has(last.toLowerCase()))) continue;
    let uri: string;
    try {
      uri = tableLocation({ parts: ref.parts }, ctx.root);
    } catch {
      continue; // not a name under the root: DuckDB reports it as an unknown table
    }
    let found: string | undefined;
    // `schema.name` under the root, or beside it when the root is a schema folder itself (see schemaFolderCandidates).
    for (const candidate of [uri, ...schemaFolderCandidates({ parts: ref.parts }, ctx.root)]) {
      let known = isDelta.get(candidate);
      if (known === undefined) {
        known = isDeltaTable(candidate, ctx.storageOptions);
        isDelta.set(candidate, known);
      }
      if (await known) {
        found = candidate;
        break;
      }
    }
    if (found === undefined) continue;
    const call = `delta_scan(${quoteString(found === uri ? ref.parts.join('/') : found)})`;
    edits.push({ start: ref.start, end: ref.end, text: ref.aliased ? call : `${call} AS ${quoteIdentifier(last)}` });
  }
  return replaceRanges(query, edits);
}

async function isDeltaTable(tableUri: string, storageOptions: StorageOptions | undefined): Promise<boolean> {
  try {
    const table = await DeltaTable.open(tableUri, storageOptions ? { storageOptions } : {});
    return (await activeTombstone(table.store)) === undefined;
  } catch (e) {
    if (isDuckrunError(e, 'DELTA_NOT_A_TABLE')) return false;
    throw e;
  }
}

/** The latest snapshot of the Delta table at `tableUri`, or undefined when there is none (or it was dropped). */
export async function currentSnapshot(tableUri: string, storageOptions: StorageOptions | undefined): Promise<Snapshot | undefined> {
  return (await tableState(tableUri, storageOptions)).snapshot;
}

/** The table at a location: its latest snapshot when it is live, and whether a dropped table is there. */
export async function tableState(tableUri: string, storageOptions: StorageOptions | undefined): Promise<{ snapshot?: Snapshot; dropped: boolean }> {
  let table: DeltaTable;
  try {
    table = await DeltaTable.open(tableUri, storageOptions ? { storageOptions } : {});
  } catch (e) {
    // Nothing there (or a folder of other files, which the writer refuses with its own message).
    if (isDuckrunError(e, 'DELTA_NOT_A_TABLE')) return { dropped: false };
    throw e;
  }
  if (await activeTombstone(table.store)) return { dropped: true };
  return { snapshot: await table.snapshot(), dropped: false };
}

/**
 * Writer options that create a table afresh where a dropped one lies: a new version replaces its rows,
 * schema and partitioning, and the history before the drop stays readable by time travel.
 */
export const REVIVE: WriteOptions = { mode: 'overwrite', schemaMode: 'overwrite' };

/** The names and DuckDB types of the columns `query` returns. */
export async function describe(engine: Engine, query: string): Promise<QueryColumn[]> {
  const table = await engine.query(describeSql(query));
  const names = table.getChild('column_name');
  const types = table.getChild('column_type');
  const out: QueryColumn[] = [];
  for (let i = 0; i < table.numRows; i++) out.push({ name: String(names?.get(i)), type: String(types?.get(i)) });
  return out;
}

/** Design §8: never create timestamp_ntz by accident; columns the replaced table already had as such may stay. */
function refuseAccidentalNtz(plan: SelectPlan, existing: Snapshot | undefined, what: string): void {
  const had = new Set(existing ? existing.schema.fields.flatMap((f) => timestampNtzPaths(f.type, f.name)) : []);
  const fresh = plan.fields.flatMap((f) => timestampNtzPaths(f.type, f.name)).filter((p) => !had.has(p));
  if (fresh.length === 0) return;
  const first = fresh[0]!;
  throw new ColumnTypeError(
    `${what}: column "${first}" is a TIMESTAMP without time zone, which would make a Delta timestamp_ntz column (table feature timestampNtz, reader 3 / writer 7; some readers refuse it); ` +
      `CAST it to TIMESTAMPTZ for a Delta timestamp${fresh.length > 1 ? ` (also ${fresh.slice(1).map((p) => `"${p}"`).join(', ')})` : ''}`,
  );
}

/** The stream's batches; an empty result still yields one empty batch so the writer learns the schema. */
async function* batchesOf(stream: ResultStream): AsyncGenerator<RecordBatch> {
  let yielded = false;
  for await (const batch of stream) {
    yielded = true;
    yield batch;
  }
  if (!yielded) yield emptyBatch(stream.schema);
}

function emptyBatch(schema: Schema): RecordBatch {
  // Two arguments on purpose: with one, apache-arrow reads the schema as a `{ name: Vector }` map.
  return new RecordBatch(schema, undefined);
}
