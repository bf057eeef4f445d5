// The Delta table a DELETE, UPDATE or MERGE changes: its snapshot read once up front (what the operation
// commits against), the files that may hold affected rows, and loading one file at a time into DuckDB.
import { DeltaTable, type ScanFile, type Snapshot } from '@duckrun/delta';
import { isDuckrunError } from '@duckrun/storage';
import type { Engine } from '../engine/engine.js';
import { TableNotFoundError } from '../errors.js';
import { prunePartitions } from '../partition-pruning.js';
import { quoteIdentifier } from '../sql/literals.js';
import { dropScanObjects, registerNativeParquetScan } from '../scan/native-parquet-scan.js';
import { pruneByStats } from '../stats-pruning.js';
import type { WriteContext } from '../write/execute.js';
import { duckTypeOf } from '../write/type-mapping.js';

/** A table opened for a row-level change, pinned to the snapshot read first. */
export interface DmlTarget {
  readonly table: DeltaTable;
  readonly snapshot: Snapshot;
  /** The table as the user named it, for messages. */
  readonly label: string;
}

/**
 * Opens the table at `uri` and reads its latest snapshot (or the snapshot at `version`, which a caller
 * pins when it read the table earlier); a missing table fails naming it and the root.
 */
export async function openTarget(ctx: Pick<WriteContext, 'root' | 'storageOptions'>, uri: string, label: string, what: string, version?: number): Promise<DmlTarget> {
  let table: DeltaTable;
  try {
    table = await DeltaTable.open(uri, ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {});
  } catch (e) {
    if (isDuckrunError(e, 'DELTA_NOT_A_TABLE')) {
      throw new TableNotFoundError(`${what}: there is no Delta table ${label} at ${uri} (root ${ctx.root}); check the name, or create it first`, { cause: e });
    }
    throw e;
  }
  return { table, snapshot: await table.snapshot(version === undefined ? {} : { version }), label };
}

/**
 * The live files that may hold rows satisfying every filter (SQL conjuncts over the table's columns,
 * optionally qualified by `alias`): partition values first, then min/max stats. Pruning only ever keeps
 * too much, never too little, so callers still test every row they read.
 */
export async function candidateFiles(engine: Engine, snapshot: Snapshot, filters: readonly string[], alias?: string): Promise<readonly ScanFile[]> {
  const files = snapshot.files();
  if (filters.length === 0 || files.length === 0) return files;
  const schema = snapshot.arrowSchema();
  const aliasOption = alias === undefined ? {} : { alias };
  const byPartition = await prunePartitions(engine, { files, schema, partitionColumns: snapshot.partitionColumns, filters, ...aliasOption });
  const byStats = await pruneByStats(engine, {
    files: byPartition.files,
    fields: snapshot.schema.fields,
    arrowSchema: schema,
    partitionColumns: snapshot.partitionColumns,
    columnMapping: snapshot.columnMapping,
    filters,
    ...aliasOption,
  });
  return byStats.files;
}

/** A data file's rows loaded by {@link loadFile}. */
export interface LoadedFile {
  /**
   * Column (quoted) numbering the file's rows uniquely, for statements that must tell target rows apart:
   * DuckDB's `rowid` on a table, the row's position in the file on a view over the parquet file.
   */
  readonly rowId: string;
  /** Drops what the load created. */
  unload(): Promise<void>;
}

/** Options of {@link loadFile}. */
export interface LoadFileOptions {
  /** Load into a table even where a view over the file would do: statements name `rowid`, which views lack. */
  readonly materialize?: boolean;
  /** Statements need {@link LoadedFile.rowId}; a view then carries one extra column, so `SELECT *` must not be used. */
  readonly rowId?: boolean;
}

/** The extra column of a view over a file, numbering its rows. */
const ROW_NUMBER_COLUMN = '__duckrun_row_number';

/**
 * Registers the rows of one data file (deletion vector applied, logical columns) as DuckDB object `name`.
 * Engines with a parquet reader get a view over the local file: statements then read only the columns
 * they use, and the file's rows are never copied into DuckDB (copying a 5M-row file took 1.4 s of a 7 s
 * merge). Otherwise the rows are decoded here and handed over as Arrow into a table.
 */
export async function loadFile(engine: Engine, snapshot: Snapshot, file: ScanFile, name: string, options: LoadFileOptions = {}): Promise<LoadedFile> {
  if (engine.capabilities.parquet) {
    const columns = snapshot.schema.fields.map((f) => f.name);
    const materialize = options.materialize === true;
    const rowNumber = options.rowId && !materialize ? ROW_NUMBER_COLUMN : undefined;
    const native = await registerNativeParquetScan({ engine, snapshot, files: [file], columns, name, materialize, ...(rowNumber ? { rowNumber } : {}) });
    if ('objects' in native) {
      return { rowId: rowNumber ? quoteIdentifier(rowNumber) : 'rowid', unload: () => dropScanObjects(engine, native.objects) };
    }
  }
  await engine.registerArrow(name, { schema: snapshot.arrowSchema(), batches: snapshot.scan({ files: [file] }) });
  return { rowId: 'rowid', unload: () => engine.dropTable(name) };
}

/** `CAST(expr AS <column's DuckDB type>) AS "column"`: output columns keep the table's types exactly. */
export function castToColumn(snapshot: Snapshot, column: string, expr: string): string {
  const field = snapshot.schema.fields.find((f) => f.name === column)!;
  return `CAST(${expr} AS ${duckTypeOf(field.type, column)}) AS ${quoteIdentifier(column)}`;
}

/** The table column named `name` (case-insensitively, as DuckDB binds it), or undefined. */
export function findColumn(snapshot: Snapshot, name: string): string | undefined {
  const lower = name.toLowerCase();
  return snapshot.schema.fields.find((f) => f.name.toLowerCase() === lower)?.name;
}

let sequence = 0;

/** A DuckDB table name for one DML operation's scratch tables. */
export function scratchName(kind: string): string {
  return `__duckrun_${kind}_${++sequence}`;
}
