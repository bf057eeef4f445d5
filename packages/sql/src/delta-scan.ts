// delta_scan(): rewrites each call in a statement into a uniquely named DuckDB object holding the Delta
// snapshot's rows (deletion vectors applied), reading only the files that partition pruning keeps: a view
// over read_parquet of the live files on engines with a parquet reader (native DuckDB, local tables), else
// a table of the rows decoded in JS (the Arrow path).
import { DeltaTable, type ParquetDecoder, type Snapshot } from '@duckrun/delta';
import type { StorageOptions } from '@duckrun/storage';
import type { Engine } from './engine/engine.js';
import { Schema } from 'apache-arrow';
import { prunePartitions } from './partition-pruning.js';
import { usedColumns } from './sql/column-usage.js';
import { pruneByStats } from './stats-pruning.js';
import { findDeltaScanCalls, replaceRanges, type DeltaScanCall } from './sql/delta-scan-calls.js';
import { quoteIdentifier } from './sql/literals.js';
import { mentionsRowid } from './sql/rowid.js';
import { resolveTableUri } from './table-uri.js';
import { dropScanObjects, registerNativeParquetScan, type ScanObject } from './scan/native-parquet-scan.js';
import { registerChunkedScan, type ChunkedScan } from './scan/chunked-scan.js';

/** What one `delta_scan(...)` call read: reported to `onDeltaScan` listeners and by `--debug`. */
export interface DeltaScanReport {
  /** The URI as written in the SQL. */
  readonly uri: string;
  /** The resolved table URL. */
  readonly tableUri: string;
  /** Snapshot version read. */
  readonly version: number;
  /** Live files in the snapshot. */
  readonly filesTotal: number;
  /** Files actually read after partition and stats pruning. */
  readonly filesRead: number;
  /** WHERE conjuncts used to prune files by partition values. */
  readonly appliedFilters: readonly string[];
  /** Candidate conjuncts that did not bind to partition columns alone. */
  readonly skippedFilters: readonly string[];
  /** Files skipped because their partition values rule out the filters. */
  readonly prunedByPartitions: number;
  /** Files skipped (after partition pruning) because their min/max/nullCount stats rule out the filters. */
  readonly prunedByStats: number;
  /** WHERE conjuncts whose column/literal comparisons were checked against file stats. */
  readonly statsFilters: readonly string[];
  /** Columns read and registered (table order); fewer than the table's when the query names its columns. */
  readonly columnsRead: readonly string[];
  /** Columns of the table. */
  readonly columnsTotal: number;
  /** Name of the DuckDB table (or view) that stood in for the call. */
  readonly tableName: string;
  /**
   * How the rows were read: `read_parquet` = a view over DuckDB's own parquet reader of the live files;
   * `arrow` = decoded in JS and registered as a table (every engine, and what read_parquet cannot match).
   */
  readonly reader: 'read_parquet' | 'arrow';
  /** Why the engine's read_parquet was not used although it has one (e.g. a table on S3). */
  readonly fallbackReason?: string;
}

/** A statement with its delta_scan calls replaced by registered tables, to be released after running it. */
export interface PreparedStatement {
  /** The SQL to run. */
  readonly sql: string;
  /** One report per delta_scan call, in source order. */
  readonly scans: readonly DeltaScanReport[];
  /**
   * The statement's one delta_scan, registered one chunk at a time (only when asked for with
   * {@link PrepareOptions.chunked} and its rows are decoded in JS): the caller either runs a row-wise
   * statement once per chunk or calls `complete()` first.
   */
  readonly chunked?: ChunkedScan;
  /** Drops the tables registered for this statement; idempotent. */
  release(): Promise<void>;
}

/** Options of {@link prepareDeltaScans}. */
export interface PrepareOptions {
  /** Register a statement's only delta_scan chunk by chunk when its rows are decoded in JS (see {@link PreparedStatement.chunked}). */
  readonly chunked?: boolean;
}

/** Where and how delta_scan resolves tables. */
export interface DeltaScanContext {
  readonly engine: Engine;
  /** Session root URL against which relative table URIs resolve. */
  readonly root: string;
  readonly storageOptions?: StorageOptions;
  /** Prefix of registered table names; must be unique per session. */
  readonly namePrefix: string;
  /** Prune files by partition values and stats (default true); false reads every live file, e.g. for baselines. */
  readonly pruning?: boolean;
  /** Prune files by min/max/nullCount stats (default true; implied false by `pruning: false`). */
  readonly statsPruning?: boolean;
  /** Read only the columns the statement uses (default true). */
  readonly projection?: boolean;
  /**
   * Read local tables with the engine's own read_parquet when it has one (default true); false always
   * decodes in JS (the Arrow path), e.g. to compare the two.
   */
  readonly nativeParquet?: boolean;
  /** Where the Arrow path decodes data files (default: on the calling thread). */
  readonly decoder?: ParquetDecoder;
  /** Estimated Arrow bytes per chunk of a chunked scan (see {@link PrepareOptions.chunked}; default 64 MiB). */
  readonly chunkBytes?: number;
}

let counter = 0;

/** Resolves and registers every delta_scan call of `sql`; the caller runs `sql` and then `release()`s. */
export async function prepareDeltaScans(sql: string, ctx: DeltaScanContext, options: PrepareOptions = {}): Promise<PreparedStatement> {
  const calls = findDeltaScanCalls(sql);
  const registered: ScanObject[] = [];
  let chunked: ChunkedScan | undefined;
  const release = async (): Promise<void> => {
    await chunked?.close();
    await dropScanObjects(ctx.engine, registered.splice(0));
  };
  if (calls.length === 0) return { sql, scans: [], release };
  const chunk = options.chunked === true && calls.length === 1;
  const tables = new Map<string, Promise<DeltaTable>>();
  const snapshots = new Map<string, Promise<Snapshot>>();
  const scans: DeltaScanReport[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  try {
    for (const call of calls) {
      const tableUri = resolveTableUri(call.uri, ctx.root);
      const snapshotKey = `${tableUri}\u0000${call.version ?? ''}\u0000${call.timestamp ?? ''}`;
      let table = tables.get(tableUri);
      if (!table) {
        table = DeltaTable.open(tableUri, ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {});
        tables.set(tableUri, table);
      }
      let snapshot = snapshots.get(snapshotKey);
      if (!snapshot) {
        snapshot = table.then((t) => t.snapshot(selector(call)));
        snapshots.set(snapshotKey, snapshot);
      }
      const snap = await snapshot;
      const tableName = `${ctx.namePrefix}_${++counter}`;
      const report = await registerSnapshot(ctx, snap, call, tableName, tableUri, sql, registered, chunk ? (c) => (chunked = c) : undefined);
      scans.push(report);
      edits.push({ start: call.start, end: call.end, text: quoteIdentifier(tableName) });
    }
  } catch (e) {
    await release().catch(() => undefined);
    throw e;
  }
  return { sql: replaceRanges(sql, edits), scans, ...(chunked ? { chunked } : {}), release };
}

async function registerSnapshot(
  ctx: DeltaScanContext,
  snap: Snapshot,
  call: DeltaScanCall,
  tableName: string,
  tableUri: string,
  sql: string,
  registered: ScanObject[],
  onChunked?: (scan: ChunkedScan) => void,
): Promise<DeltaScanReport> {
  const engine = ctx.engine;
  const all = snap.files();
  const schema = snap.arrowSchema();
  const pruning = ctx.pruning !== false;
  const filters = pruning ? call.pruningFilters : [];
  const alias = call.alias !== undefined ? { alias: call.alias } : {};
  const byPartition = await prunePartitions(engine, {
    files: all,
    schema,
    partitionColumns: snap.partitionColumns,
    filters,
    ...alias,
  });
  const byStats =
    pruning && ctx.statsPruning !== false
      ? await pruneByStats(engine, {
          files: byPartition.files,
          fields: snap.schema.fields,
          arrowSchema: schema,
          partitionColumns: snap.partitionColumns,
          columnMapping: snap.columnMapping,
          filters,
          ...alias,
        })
      : { files: byPartition.files, applied: [] };
  const files = byStats.files;
  const columns = projectedColumns(ctx, sql, call, schema, snap.partitionColumns);
  const projected = columns === undefined ? schema : new Schema(schema.fields.filter((f) => columns.includes(f.name)));
  const names = projected.fields.map((f) => f.name);
  let reader: DeltaScanReport['reader'] = 'arrow';
  let fallbackReason: string | undefined;
  if (engine.capabilities.parquet && ctx.nativeParquet !== false) {
    const materialize = mentionsRowid(sql);
    const native = await registerNativeParquetScan({ engine, snapshot: snap, files, columns: names, name: tableName, materialize });
    if ('objects' in native) {
      registered.push(...native.objects);
      reader = 'read_parquet';
    } else fallbackReason = native.unsupported;
  }
  if (reader === 'arrow') {
    const source = { schema: projected, batches: snap.scan({ files, ...(columns !== undefined ? { columns } : {}), ...(ctx.decoder ? { decoder: ctx.decoder } : {}) }) };
    if (onChunked) onChunked(await registerChunkedScan(engine, tableName, source, ctx.chunkBytes));
    else await engine.registerArrow(tableName, source);
    registered.push({ name: tableName, kind: 'table' });
  }
  return {
    uri: call.uri,
    tableUri,
    version: snap.version,
    filesTotal: all.length,
    filesRead: files.length,
    appliedFilters: byPartition.applied,
    skippedFilters: byPartition.skipped,
    prunedByPartitions: all.length - byPartition.files.length,
    prunedByStats: byPartition.files.length - files.length,
    statsFilters: byStats.applied,
    columnsRead: names,
    columnsTotal: schema.fields.length,
    tableName,
    reader,
    ...(fallbackReason !== undefined ? { fallbackReason } : {}),
  };
}

/** The columns to read (undefined = all): those the statement may use, or one cheap column when it uses none. */
function projectedColumns(
  ctx: DeltaScanContext,
  sql: string,
  call: DeltaScanCall,
  schema: Schema,
  partitionColumns: readonly string[],
): string[] | undefined {
  if (ctx.projection === false) return undefined;
  const names = schema.fields.map((f) => f.name);
  const used = usedColumns(sql, names, call);
  if (used === undefined || used.length === names.length) return undefined;
  // DuckDB tables need a column; count(*) still needs the rows. A partition column costs no parquet column.
  if (used.length === 0) return [partitionColumns[0] ?? names[0]!];
  return used;
}

function selector(call: DeltaScanCall): { version?: number; timestamp?: string } {
  if (call.version !== undefined) return { version: call.version };
  if (call.timestamp !== undefined) return { timestamp: call.timestamp };
  return {};
}
