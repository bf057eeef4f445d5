// The native write path: DuckDB writes a write's data files itself with `COPY (<the planned SELECT>) TO …
// (FORMAT parquet)`, multi-threaded, instead of streaming the rows to JS for parquet-wasm. It is a
// DataFileStrategy of @duckrun/delta's writer, which plans the write, reads the files' footers for sizes and
// stats, and commits; this module only makes and places the files:
//   1. COPY into a staging folder of the table: unpartitioned with FILE_SIZE_BYTES (DuckDB rolls files at
//      row-group boundaries); partitioned with PARTITION_BY over key columns that encode each partition
//      value exactly (partition-keys.ts), one file per partition — DuckDB cannot roll files while
//      partitioning, so a partition file well over the target size is split by a second COPY.
//   2. Each file moves to the key the writer names for its partition values (Hive folders as Spark escapes
//      them, Spark-style file names), and the staging folder goes.
// Whatever DuckDB could not write the way Delta readers expect is declined up front, so the Arrow path
// writes it instead.
import type { DataFileOutcome, DataFileRequest, DataFileStrategy, DataType, StrategyDataFile, StructField } from '@duckrun/delta';
import { toUrl } from '@duckrun/storage';
import type { Engine, LocalFiles } from '../engine/engine.js';
import { QueryError } from '../errors.js';
import { quoteIdentifier, quoteString } from '../sql/literals.js';
import { decodePartitionKeys, partitionKeySql, partitionKeyUnsupported, PARTITION_KEY_PREFIX } from './partition-keys.js';
import { duckTypeOf } from './type-mapping.js';

/** Name of the strategy in write results. */
export const COPY_STRATEGY = 'duckdb-copy';

/** A partition file above this multiple of the target size is split into target-sized files. */
const SPLIT_FACTOR = 1.5;

const ROWS = '__duckrun_rows';

/** Characters read_parquet takes as glob syntax in a path. */
const GLOB = /[*?[\]{}]/;

/** Why this engine and table cannot use the native write path, or undefined when they can. */
export function copyUnsupported(engine: Engine, tableUri: string): string | undefined {
  if (!engine.capabilities.parquet) return `engine ${engine.capabilities.name} has no parquet writer`;
  if (engine.localFiles === undefined) return `engine ${engine.capabilities.name} does not write the local file system`;
  const dir = engine.localFiles.pathOf(toUrl(tableUri));
  if (dir === undefined) return `table ${tableUri} is not on local disk (DuckDB's remote file systems are extensions that cannot be loaded offline)`;
  if (GLOB.test(dir)) return `the table path ${dir} has characters read_parquet would take as a glob pattern`;
  return undefined;
}

/**
 * The strategy writing the rows of `select` (whose columns are `fields`, the SelectPlan's) with DuckDB's
 * COPY; use only where {@link copyUnsupported} found nothing.
 */
export function copyDataFiles(engine: Engine, select: string, fields: readonly StructField[]): DataFileStrategy {
  return {
    name: COPY_STRATEGY,
    write: (request) => writeWithCopy(engine, engine.localFiles!, select, fields, request),
  };
}

async function writeWithCopy(engine: Engine, fs: LocalFiles, select: string, fields: readonly StructField[], request: DataFileRequest): Promise<DataFileOutcome> {
  const tableDir = fs.pathOf(request.table);
  if (tableDir === undefined) return { unsupported: `table ${request.table} is not on local disk` };
  const shaped = copySelect(select, fields, request);
  if ('unsupported' in shaped) return shaped;
  const partitioned = request.partitionFields.length > 0;
  const staging = fs.join(tableDir, request.stagingPrefix);
  const options = [`FORMAT parquet`, `COMPRESSION ${request.compression}`];
  if (partitioned) options.push(`PARTITION_BY (${request.partitionFields.map((_f, i) => quoteIdentifier(`${PARTITION_KEY_PREFIX}${i}`)).join(', ')})`);
  else options.push(`FILE_SIZE_BYTES ${Math.max(1, Math.floor(request.targetFileSize))}`);
  options.push(`ROW_GROUP_SIZE ${rowGroupRows(request)}`);
  const placed: string[] = [];
  try {
    // DuckDB creates the COPY target folder, not its parents (a new table's folder may not exist yet).
    await fs.makeDirs(tableDir);
    try {
      await engine.query(`COPY (${shaped.sql}) TO ${quoteString(staging)} (${options.join(', ')})`);
    } catch (e) {
      // A partition value too long for a folder name (its hex key is twice its UTF-8 length).
      if (e instanceof QueryError && /name too long/i.test(e.message)) {
        await fs.removeTree(staging);
        return { unsupported: 'a partition value is too long for a folder name of the staged files' };
      }
      throw e;
    }
    const types = request.partitionFields.map((f) => f.type);
    const files: StrategyDataFile[] = [];
    for (const staged of await stagedFiles(engine, fs, request, staging, partitioned)) {
      const partitionValues = request.serializePartition(decodePartitionKeys(staged.relative, types));
      const key = request.dataFileKey(partitionValues);
      await fs.move(fs.join(tableDir, `${request.stagingPrefix}${staged.relative}`), fs.join(tableDir, key));
      placed.push(key);
      files.push({ path: key, partitionValues });
    }
    await fs.removeTree(staging);
    return { files };
  } catch (e) {
    await fs.removeTree(staging).catch(() => undefined);
    await request.store.delete(placed).catch(() => undefined);
    throw e;
  }
}

/** The SELECT DuckDB copies: the table's data columns (table order, table types) and the partition key columns. */
function copySelect(select: string, fields: readonly StructField[], request: DataFileRequest): { sql: string } | { unsupported: string } {
  if (request.columnMapping !== 'none') {
    return { unsupported: `column mapping mode ${request.columnMapping} needs physical column names and field ids in the files, which only the Arrow path writes` };
  }
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const partitions = new Set(request.partitionFields.map((f) => f.name));
  const exprs: string[] = [];
  for (const target of request.schema.fields) {
    if (partitions.has(target.name)) continue;
    const bad = unwritable(target.type);
    if (bad !== undefined) return { unsupported: `column "${target.name}" holds ${bad}, which DuckDB's parquet writer does not write as Delta readers expect` };
    const value = columnValue(byName.get(target.name.toLowerCase()), target);
    if (typeof value !== 'string') return value;
    exprs.push(`${value} AS ${quoteIdentifier(target.name)}`);
  }
  for (const [i, field] of request.partitionFields.entries()) {
    const bad = partitionKeyUnsupported(field.type);
    if (bad !== undefined) return { unsupported: `partition column "${field.name}" is ${bad}` };
    const source = byName.get(field.name.toLowerCase());
    if (source === undefined) return { unsupported: `partition column "${field.name}" is missing from the data` };
    const value = columnValue(source, field);
    if (typeof value !== 'string') return value;
    exprs.push(partitionKeySql(value, field.type, i));
  }
  return { sql: `SELECT ${exprs.join(', ')} FROM (\n${select}\n) AS ${ROWS}` };
}

/**
 * The expression giving table column `target` from the query's column of that name, cast to the table
 * column's DuckDB type: a no-op when they agree, a widening as the Arrow path's conformer does, and a plain
 * type where the query keeps a DuckDB-only one (an ENUM is a string column to Delta, but DuckDB would
 * annotate it as a parquet ENUM); NULL when the query lacks the column.
 */
function columnValue(source: StructField | undefined, target: StructField): string | { unsupported: string } {
  const type = duckTypeOf(target.type, target.name);
  if (source === undefined) return `CAST(NULL AS ${type})`;
  const nested = (t: DataType) => typeof t === 'object' && t.type !== 'decimal';
  if ((nested(source.type) || nested(target.type)) && JSON.stringify(source.type) !== JSON.stringify(target.type)) {
    return { unsupported: `column "${target.name}" of the data (${JSON.stringify(source.type)}) differs from the table's nested type; the Arrow path conforms it` };
  }
  return `CAST(${ROWS}.${quoteIdentifier(source.name)} AS ${type})`;
}

/** DuckDB's default row group: also the most rows per row group here (larger ones buy little compression). */
const MAX_ROW_GROUP_ROWS = 122_880;
const MIN_ROW_GROUP_ROWS = 2_048;

/**
 * Rows per row group. DuckDB rolls files only between row groups, so a small target needs small row
 * groups: aim at about a quarter of the target per row group, from a rough width of the row's values
 * (their in-memory size; parquet is smaller, so files end up a little over the target, never far).
 */
function rowGroupRows(request: DataFileRequest): number {
  const width = request.schema.fields.reduce((n, f) => n + valueWidth(f.type), 0);
  const rows = Math.floor(request.targetFileSize / 4 / Math.max(width, 1));
  return Math.min(MAX_ROW_GROUP_ROWS, Math.max(MIN_ROW_GROUP_ROWS, rows));
}

function valueWidth(type: DataType): number {
  if (typeof type === 'string') {
    switch (type) {
      case 'boolean':
      case 'byte':
        return 1;
      case 'short':
        return 2;
      case 'integer':
      case 'float':
      case 'date':
        return 4;
      case 'string':
      case 'binary':
        return 24;
      default:
        return 8;
    }
  }
  switch (type.type) {
    case 'decimal':
      return 16;
    case 'struct':
      return type.fields.reduce((n, f) => n + valueWidth(f.type), 0);
    case 'array':
      return 4 * valueWidth(type.elementType);
    case 'map':
      return 4 * (valueWidth(type.keyType) + valueWidth(type.valueType));
  }
}

/** What in `type` DuckDB's parquet files would not carry as Delta readers expect, or undefined. */
function unwritable(type: DataType): string | undefined {
  if (typeof type === 'string') return type === 'variant' || type === 'void' ? `a ${type} value` : undefined;
  switch (type.type) {
    case 'decimal':
      return undefined;
    case 'array':
      return unwritable(type.elementType);
    case 'map':
      return unwritable(type.keyType) ?? unwritable(type.valueType);
    case 'struct':
      for (const f of type.fields) {
        const bad = unwritable(f.type);
        if (bad !== undefined) return bad;
      }
      return undefined;
  }
}

/** The staged parquet files (keys relative to the staging folder), partition files over the target split first. */
async function stagedFiles(
  engine: Engine,
  fs: LocalFiles,
  request: DataFileRequest,
  staging: string,
  partitioned: boolean,
): Promise<{ relative: string }[]> {
  const listed: { relative: string; size: number }[] = [];
  for await (const meta of request.store.list(request.stagingPrefix)) {
    if (meta.path.endsWith('.parquet')) listed.push({ relative: meta.path.slice(request.stagingPrefix.length), size: meta.size });
  }
  // DuckDB numbers the files it rolls (data_0, data_1, …): keep its order, which is the rows' order.
  listed.sort((a, b) => fileNumber(a.relative) - fileNumber(b.relative) || (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  if (!partitioned) return listed;
  const out: { relative: string }[] = [];
  let split = 0;
  for (const file of listed) {
    if (file.size <= request.targetFileSize * SPLIT_FACTOR) {
      out.push(file);
      continue;
    }
    // Same partition folders under a fresh split folder, so the keys still decode; hive_partitioning off,
    // or DuckDB would add the key folders as columns.
    const folder = file.relative.slice(0, file.relative.lastIndexOf('/') + 1);
    const into = `${folder}split-${split++}`;
    const path = fs.join(staging, file.relative);
    await engine.query(
      `COPY (SELECT * FROM read_parquet(${quoteString(path)}, hive_partitioning = false)) TO ${quoteString(fs.join(staging, into))} ` +
        `(FORMAT parquet, COMPRESSION ${request.compression}, FILE_SIZE_BYTES ${Math.max(1, Math.floor(request.targetFileSize))}, ROW_GROUP_SIZE ${rowGroupRows(request)})`,
    );
    await request.store.delete([`${request.stagingPrefix}${file.relative}`]);
    for await (const meta of request.store.list(`${request.stagingPrefix}${into}/`)) {
      if (meta.path.endsWith('.parquet')) out.push({ relative: meta.path.slice(request.stagingPrefix.length) });
    }
  }
  return out;
}

function fileNumber(relative: string): number {
  const m = /(\d+)\.parquet$/.exec(relative);
  return m ? Number(m[1]) : 0;
}
