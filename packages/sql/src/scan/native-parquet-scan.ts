// delta_scan on engines with a parquet reader (native DuckDB): the snapshot becomes a view over
// read_parquet of its live local files instead of a table of rows decoded in JS. The view gives exactly the
// Arrow path's rows and types: partition values come from the log (never from paths), deletion vectors are
// applied by an anti-join on file_row_number, physical columns are renamed to logical ones and conformed to
// the table's types, and columns missing from older files come out NULL. What it cannot match value for
// value it refuses with NativeScanUnsupported, and delta_scan reads through the Arrow path instead.
import { tableFromArrays } from 'apache-arrow';
import { fieldId, physicalName, type DataType, type ScanFile, type Snapshot, type StructField } from '@duckrun/delta';
import { isDuckrunError } from '@duckrun/storage';
import type { Engine } from '../engine/engine.js';
import { partitionLiteral, quoteIdentifier, quoteString } from '../sql/literals.js';
import { conformExpression, findSourceField, NativeScanUnsupported, requireDuckType } from './conform-sql.js';
import { DuckTypeSyntaxError, parseDuckType, renderDuckType } from './duckdb-type.js';
import { localDataFilePaths } from './local-files.js';

/** A DuckDB object created for one scan, dropped when the statement is released. */
export interface ScanObject {
  readonly name: string;
  readonly kind: 'view' | 'table';
}

/** What to expose as view `name`: `columns` (logical names, table order) of the rows of `files`. */
export interface NativeParquetScanInput {
  readonly engine: Engine;
  readonly snapshot: Snapshot;
  readonly files: readonly ScanFile[];
  readonly columns: readonly string[];
  readonly name: string;
  /**
   * Materialise the rows in a table instead of a view: DuckDB tables have the `rowid` pseudo-column, which
   * the Arrow path's registered table has and a view lacks, so statements naming rowid keep working.
   */
  readonly materialize?: boolean;
  /** Adds a column of this name numbering each row by its position in its file (unique for one file). */
  readonly rowNumber?: string;
}

/** Registered objects (the view last), or why the Arrow path must read this scan. */
export type NativeParquetScanResult = { readonly objects: readonly ScanObject[] } | { readonly unsupported: string };

/** read_parquet's virtual columns; a data column of the same name would hide one the view relies on. */
const VIRTUAL_COLUMNS = ['filename', 'file_row_number', 'file_index'];

const FILE_ALIAS = '__duckrun_file';
const DV_FILE = '__duckrun_dv_file';
const DV_ROW = '__duckrun_dv_row';

/** Creates the view (and its helper table of deleted rows, if any); nothing is left behind on failure. */
export async function registerNativeParquetScan(input: NativeParquetScanInput): Promise<NativeParquetScanResult> {
  const created: ScanObject[] = [];
  try {
    const sql = await viewQuery(input, created);
    const kind = input.materialize ? 'table' : 'view';
    await input.engine.query(`CREATE ${kind.toUpperCase()} ${quoteIdentifier(input.name)} AS ${sql}`);
    created.push({ name: input.name, kind });
    return { objects: created };
  } catch (e) {
    await dropScanObjects(input.engine, created).catch(() => undefined);
    if (e instanceof NativeScanUnsupported || e instanceof DuckTypeSyntaxError) return { unsupported: e.message };
    // DuckDB could not bind the files (unreadable or missing ones): the Arrow path reports those with typed errors.
    if (isDuckrunError(e, 'SQL_QUERY')) return { unsupported: `read_parquet failed: ${e.message}` };
    throw e;
  }
}

/** Drops objects made by {@link registerNativeParquetScan}, the view before the tables it reads. */
export async function dropScanObjects(engine: Engine, objects: readonly ScanObject[]): Promise<void> {
  for (const o of [...objects].reverse()) {
    if (o.kind === 'view') await engine.query(`DROP VIEW IF EXISTS ${quoteIdentifier(o.name)}`);
    else await engine.dropTable(o.name);
  }
}

async function viewQuery(input: NativeParquetScanInput, created: ScanObject[]): Promise<string> {
  const { engine, snapshot, files } = input;
  const mode = snapshot.columnMapping;
  const partitions = new Set(snapshot.partitionColumns);
  const fields = input.columns.map((c) => snapshot.schema.fields.find((f) => f.name === c)!);
  const types = fields.map((f) => renderDuckType(requireDuckType(f.type, f.name)));
  if (files.length === 0) {
    return `SELECT ${fields.map((f, i) => `CAST(NULL AS ${types[i]}) AS ${quoteIdentifier(f.name)}`).join(', ')} LIMIT 0`;
  }
  const paths = localDataFilePaths(snapshot, files);
  // union_by_name: files written before a column was added lack it; DuckDB then reads NULLs for them.
  const scan = `read_parquet([${paths.map(quoteString).join(', ')}], union_by_name = true)`;
  const sourceColumns = await describe(engine, scan);
  if (mode === 'id') await checkFieldIds(engine, paths, snapshot.schema.fields);
  const clash = sourceColumns.find((c) => VIRTUAL_COLUMNS.includes(c.name.toLowerCase()));
  if (clash) throw new NativeScanUnsupported(`the data files have a column ${clash.name}, which hides read_parquet's own`);

  const select = fields.map((field, i) => {
    const value = partitions.has(field.name)
      ? partitionValue(files, field, types[i]!)
      : dataValue(field, sourceColumns, types[i]!, mode);
    return `${value} AS ${quoteIdentifier(field.name)}`;
  });
  if (input.rowNumber !== undefined) select.push(`${FILE_ALIAS}.file_row_number AS ${quoteIdentifier(input.rowNumber)}`);
  const deleted = await deletedRows(snapshot, files);
  if (deleted === undefined) return `SELECT ${select.join(', ')} FROM ${scan} AS ${FILE_ALIAS}`;
  const dvTable = `${input.name}_dv`;
  await engine.registerArrow(dvTable, tableFromArrays({ [DV_FILE]: deleted.file, [DV_ROW]: deleted.row }));
  created.push({ name: dvTable, kind: 'table' });
  const on = `${qualified(DV_FILE)} = ${FILE_ALIAS}.file_index AND ${qualified(DV_ROW)} = ${FILE_ALIAS}.file_row_number`;
  return `SELECT ${select.join(', ')} FROM ${scan} AS ${FILE_ALIAS} ANTI JOIN ${quoteIdentifier(dvTable)} ON ${on}`;

  function qualified(column: string): string {
    return `${quoteIdentifier(dvTable)}.${column}`;
  }
}

/** The union schema of the files, as DuckDB reads them. */
async function describe(engine: Engine, scan: string): Promise<{ name: string; type: string }[]> {
  const result = await engine.query(`DESCRIBE SELECT * FROM ${scan}`);
  const names = result.getChild('column_name')!.toArray() as string[];
  const types = result.getChild('column_type')!.toArray() as string[];
  return names.map((name, i) => ({ name: String(name), type: String(types[i]) }));
}

/**
 * In id mode the Arrow path finds columns by parquet field id, read_parquet by name. They agree when every file
 * spells each field id with the field's physical name (as Delta writers do); anything else is left to the Arrow path.
 */
async function checkFieldIds(engine: Engine, paths: readonly string[], fields: readonly StructField[]): Promise<void> {
  const idOf = new Map<string, number>();
  const nameOf = new Map<number, string>();
  const visit = (fs: readonly StructField[]): void => {
    for (const f of fs) {
      const id = fieldId(f);
      const name = physicalName(f, 'id').toLowerCase();
      if (id !== undefined) {
        idOf.set(name, id);
        nameOf.set(id, name);
      }
      visitType(f.type);
    }
  };
  const visitType = (t: DataType): void => {
    if (typeof t === 'string') return;
    if (t.type === 'struct') visit(t.fields);
    else if (t.type === 'array') visitType(t.elementType);
    else if (t.type === 'map') {
      visitType(t.keyType);
      visitType(t.valueType);
    }
  };
  visit(fields);
  const result = await engine.query(
    `SELECT DISTINCT name, field_id FROM parquet_schema([${paths.map(quoteString).join(', ')}]) WHERE field_id IS NOT NULL`,
  );
  const names = result.getChild('name')!.toArray() as string[];
  const ids = result.getChild('field_id')!.toArray() as ArrayLike<number | bigint>;
  for (let i = 0; i < names.length; i++) {
    const name = String(names[i]).toLowerCase();
    const id = Number(ids[i]);
    const wantId = idOf.get(name);
    const wantName = nameOf.get(id);
    if ((wantId !== undefined && wantId !== id) || (wantName !== undefined && wantName !== name)) {
      throw new NativeScanUnsupported(`a data file has field id ${id} on column ${names[i]}, which the table schema maps differently (column mapping mode id)`);
    }
  }
}

/**
 * A partition column: the log's typed value of each row's file, looked up by read_parquet's file_index in a
 * constant list (no join, so row order and parallelism stay those of the scan).
 */
function partitionValue(files: readonly ScanFile[], field: StructField, type: string): string {
  const literals = files.map((f) => partitionLiteral(f.partitionValues[field.name] ?? null, type));
  if (literals.every((l) => l === literals[0])) return literals[0]!;
  return `CAST([${literals.join(', ')}][CAST(${FILE_ALIAS}.file_index AS BIGINT) + 1] AS ${type})`;
}

/** A data column: its physical column conformed to the table type, or NULL when no file has it. */
function dataValue(field: StructField, sources: readonly { name: string; type: string }[], type: string, mode: Snapshot['columnMapping']): string {
  const idx = findSourceField(sources, physicalName(field, mode));
  if (idx < 0) return `CAST(NULL AS ${type})`;
  const source = sources[idx]!;
  return conformExpression(`${FILE_ALIAS}.${quoteIdentifier(source.name)}`, parseDuckType(source.type), field.type, mode, field.name);
}

/** The deleted rows of every file with a deletion vector, as (file index, row index) pairs; undefined if none. */
async function deletedRows(snapshot: Snapshot, files: readonly ScanFile[]): Promise<{ file: Int32Array; row: BigInt64Array } | undefined> {
  const parts: { index: number; rows: Float64Array }[] = [];
  let total = 0;
  for (let i = 0; i < files.length; i++) {
    if (!files[i]!.add.deletionVector) continue;
    const rows = await snapshot.deletedRows(files[i]!);
    if (rows === undefined || rows.length === 0) continue;
    parts.push({ index: i, rows });
    total += rows.length;
  }
  if (total === 0) return undefined;
  const file = new Int32Array(total);
  const row = new BigInt64Array(total);
  let at = 0;
  for (const { index, rows } of parts) {
    for (const r of rows) {
      file[at] = index;
      row[at++] = BigInt(r);
    }
  }
  return { file, row };
}
