// An extension point of writeDeltaTable: data files written by someone else (e.g. a SQL engine with its own
// parquet writer, much faster than encoding in JS). The writer plans the write as usual and hands the
// strategy the resolved layout; the strategy writes parquet files under the table root and names them with
// their partition values; the writer then reads each file's footer for size and stats, checks what it must
// (NOT NULL columns, row counts) and commits exactly as for its own files. A strategy that cannot honour the
// request answers `unsupported` and the data goes through the Arrow path instead.

import type { ObjectStore } from '@duckrun/storage';
import { DataFileError, SchemaError } from '../errors.js';
import type { AddFile } from '../kernel/actions/types.js';
import { physicalName, type ColumnMappingMode } from '../kernel/features/column-mapping.js';
import { encodeAddPath } from '../kernel/partitions/path.js';
import { formatPartitionValue, type PartitionScalar } from '../kernel/partitions/values.js';
import { isPrimitiveType, type StructField, type StructType } from '../kernel/schema/types.js';
import { footerSize, parseParquetFooter, ParquetFooterError } from '../parquet/footer.js';
import { dataFileKey, type DataFileCompression } from './file-writer.js';
import { footerStats } from './footer-stats.js';
import type { StatsOptions } from './stats.js';

/** What a strategy is asked to write: the table's resolved layout. */
export interface DataFileRequest {
  /** The table's URL. */
  readonly table: string;
  /** The store rooted at the table. */
  readonly store: ObjectStore;
  /** Logical table schema (partition columns included), after schema resolution. */
  readonly schema: StructType;
  /** Logical partition fields, in partition order. */
  readonly partitionFields: readonly StructField[];
  readonly columnMapping: ColumnMappingMode;
  /** Roll data files at about this many bytes. */
  readonly targetFileSize: number;
  readonly compression: DataFileCompression;
  /**
   * A fresh key prefix (ending in `/`) under the table root for temporary files; the strategy removes what
   * it puts there. Leftovers of a crashed write there do not block creating a table at the location.
   */
  readonly stagingPrefix: string;
  /** Serializes typed partition values (partition order) exactly as the log stores them (null for null). */
  serializePartition(values: readonly PartitionScalar[]): (string | null)[];
  /** A new key (relative to the table root) for a data file with these serialized partition values. */
  dataFileKey(values: readonly (string | null)[]): string;
}

/** A parquet data file a strategy wrote, at its final key; it must hold rows of one partition only. */
export interface StrategyDataFile {
  /** Key relative to the table root. */
  readonly path: string;
  /** Serialized partition values in partition order (from {@link DataFileRequest.serializePartition}). */
  readonly partitionValues: readonly (string | null)[];
}

/** What a strategy did: wrote files, or declined (nothing written) and says why. */
export type DataFileOutcome = { readonly files: readonly StrategyDataFile[] } | { readonly unsupported: string };

/** Writes a write's data files itself; see {@link DataFileRequest}. */
export interface DataFileStrategy {
  /** Names the strategy in write results, e.g. `duckdb-copy`. */
  readonly name: string;
  /** Writes the data; on failure it leaves no files behind. */
  write(request: DataFileRequest): Promise<DataFileOutcome>;
}

/** Which writer produced a write's data files, and why the Arrow path was used when a strategy was offered. */
export interface DataFilesReport {
  readonly writer: string;
  /** The parquet encoder of the Arrow path (`parquet-wasm`, `parquet-wasm-workers`), when it wrote the files. */
  readonly encoder?: string;
  readonly fallback?: string;
}

/** What {@link runDataFileStrategy} needs of the plan. */
export interface StrategyTarget {
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  readonly partitionFields: readonly StructField[];
  readonly columnMapping: ColumnMappingMode;
  readonly targetFileSize: number;
  readonly compression: DataFileCompression;
  readonly stats: Omit<StatsOptions, 'columnMapping'>;
}

/** Prefix of staging folders (`_staging-<uuid>/`): underscore-led, so Spark and Hive listings skip them. */
export const STAGING_FOLDER = '_staging-';

/** Files described at once (a footer read each). */
const CONCURRENCY = 8;
/** Bytes read from a file's end in one go: most footers fit, larger ones take a second read. */
const TAIL_BYTES = 64 * 1024;

/**
 * Runs `strategy` for a write to `table` and turns its files into `add` actions (dataChange true, exact
 * size and stats from the footers), or returns why it declined. Files without rows are deleted and left
 * out; on any failure every file the strategy wrote is deleted.
 */
export async function runDataFileStrategy(
  store: ObjectStore,
  table: string,
  target: StrategyTarget,
  strategy: DataFileStrategy,
  now: () => number = Date.now,
): Promise<{ adds: AddFile[]; rows: number } | { unsupported: string }> {
  const unsupported = unsupportedLayout(target);
  if (unsupported !== undefined) return { unsupported };
  const partPhysical = target.partitionFields.map((f) => physicalName(f, target.columnMapping));
  let index = 0;
  const outcome = await strategy.write({
    table,
    store,
    schema: target.schema,
    partitionFields: target.partitionFields,
    columnMapping: target.columnMapping,
    targetFileSize: target.targetFileSize,
    compression: target.compression,
    stagingPrefix: `${STAGING_FOLDER}${crypto.randomUUID()}/`,
    serializePartition: (values) => target.partitionFields.map((f, i) => formatPartitionValue(values[i] ?? null, f.type, f.name)),
    dataFileKey: (values) => dataFileKey(partPhysical, values, index++, crypto.randomUUID(), target.compression),
  });
  if ('unsupported' in outcome) return outcome;
  const files = outcome.files;
  try {
    const dataSchema: StructType = { type: 'struct', fields: target.schema.fields.filter((f) => !target.partitionColumns.includes(f.name)) };
    const adds: (AddFile | undefined)[] = new Array(files.length);
    let rows = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const i = next++;
        const file = files[i]!;
        checkFile(table, target, file);
        const described = await describeFile(store, file.path, dataSchema, target);
        if (described.numRecords === 0) {
          await store.delete([file.path]);
          continue;
        }
        rows += described.numRecords;
        adds[i] = {
          path: encodeAddPath(file.path),
          partitionValues: Object.fromEntries(partPhysical.map((c, j) => [c, file.partitionValues[j] ?? null])),
          size: described.size,
          modificationTime: now(),
          dataChange: true,
          stats: described.stats,
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
    return { adds: adds.filter((a): a is AddFile => a !== undefined), rows };
  } catch (e) {
    await store.delete(files.map((f) => f.path)).catch(() => undefined);
    throw e;
  }
}

/** Why the Arrow path must write this layout, or undefined. */
function unsupportedLayout(target: StrategyTarget): string | undefined {
  // NOT NULL is checked from footer null counts, which say nothing exact about a struct, array or map itself.
  const nested = target.schema.fields.find((f) => !f.nullable && !isPrimitiveType(f.type) && !target.partitionColumns.includes(f.name));
  if (nested !== undefined) return `column "${nested.name}" is a NOT NULL ${typeof nested.type === 'object' ? nested.type.type : nested.type}, whose nulls only the Arrow path checks`;
  return undefined;
}

function checkFile(table: string, target: StrategyTarget, file: StrategyDataFile): void {
  if (file.path.startsWith('/') || file.path.split('/').some((s) => s === '..' || s === '.' || s === '') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(file.path)) {
    throw new DataFileError(`data file "${file.path}" written for ${table} is not a key under the table root`, { file: file.path });
  }
  if (file.partitionValues.length !== target.partitionFields.length) {
    throw new DataFileError(`data file ${file.path} written for ${table} has ${file.partitionValues.length} partition values for ${target.partitionFields.length} partition columns`, { file: file.path });
  }
  target.partitionFields.forEach((f, i) => {
    if (!f.nullable && file.partitionValues[i] === null) {
      throw new SchemaError(`column "${f.name}" of ${table} is NOT NULL but the data holds nulls in it; filter or fill them before writing`);
    }
  });
}

async function describeFile(
  store: ObjectStore,
  path: string,
  dataSchema: StructType,
  target: StrategyTarget,
): Promise<{ size: number; numRecords: number; stats: string }> {
  const { size } = await store.head(path);
  try {
    let tail = await store.get(path, { offset: Math.max(0, size - TAIL_BYTES), length: Math.min(size, TAIL_BYTES) });
    const need = footerSize(tail, path);
    if (need > size) throw new ParquetFooterError(`${path} announces a ${need}-byte footer in a ${size}-byte file`);
    if (need > tail.length) tail = await store.get(path, { offset: size - need, length: need });
    const footer = parseParquetFooter(tail, path);
    const stats = footerStats(footer, dataSchema, { ...target.stats, columnMapping: target.columnMapping });
    for (const f of dataSchema.fields) {
      if (f.nullable) continue;
      const nulls = stats.nulls([physicalName(f, target.columnMapping)]);
      if (nulls === undefined) throw new DataFileError(`data file ${path} does not record the null count of NOT NULL column "${f.name}", so it cannot be checked`, { file: path });
      if (nulls > 0) throw new SchemaError(`column "${f.name}" is NOT NULL but the data holds ${nulls} nulls in it; filter or fill them before writing`);
    }
    return { size, numRecords: stats.numRecords, stats: stats.stats };
  } catch (e) {
    if (e instanceof ParquetFooterError) throw new DataFileError(`data file ${path} written for the table is not a readable parquet file: ${e.message}`, { cause: e, file: path });
    throw e;
  }
}
