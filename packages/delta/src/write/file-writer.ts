// Writes Arrow record batches as a table's parquet data files: split by partition into Hive-style folders,
// rolled at a target size, encoded with parquet-wasm, each returned as an `add` action with its stats.

import type { RecordBatch } from 'apache-arrow';
import type { ObjectStore } from '@duckrun/storage';
import { DataFileError, InvalidOptionError, SchemaError } from '../errors.js';
import type { AddFile } from '../kernel/actions/types.js';
import { logicalToPhysicalSchema, physicalName, type ColumnMappingMode } from '../kernel/features/column-mapping.js';
import { encodeAddPath, partitionDirectory } from '../kernel/partitions/path.js';
import { isPrimitiveType, typeToString, type StructField, type StructType } from '../kernel/schema/types.js';
import { ParquetStreamWriter } from '../parquet/stream-writer.js';
import { inlineEncoder, type ParquetEncoder } from '../parquet/encoder.js';
import { parseParquetFooter } from '../parquet/footer.js';
import { footerStats } from './footer-stats.js';
import { estimateBatchBytes } from './byte-size.js';
import { partitionGroups } from './partition-split.js';
import { PhysicalProjector } from './physical-batch.js';
import { StatsCollector, type StatsOptions } from './stats.js';
import { selectRows } from '../arrow/take.js';
import { concatBatches } from '../arrow/concat.js';

/** The table a write targets: its logical schema, partition columns and column mapping mode. */
export interface DataFileTarget {
  /** Logical table schema (partition columns included). */
  readonly schema: StructType;
  /** Logical names of the partition columns, in partition order. */
  readonly partitionColumns: readonly string[];
  /** Column mapping mode (`delta.columnMapping.mode`); default `none`. */
  readonly columnMapping?: ColumnMappingMode;
  /** The table's URL, for messages. */
  readonly table?: string;
}

/** Parquet compression codec of data files. */
export type DataFileCompression = 'snappy' | 'zstd';

/** Options of {@link writeDataFiles}. */
export interface WriteDataFilesOptions {
  /** Roll to a new file once this many bytes of Arrow data are buffered for it. Default 128 MiB. */
  readonly targetFileSize?: number;
  /** Upper bound of Arrow bytes buffered across all open partitions; the largest is flushed beyond it. Default `targetFileSize`. */
  readonly maxBufferedBytes?: number;
  /** Default `snappy`. */
  readonly compression?: DataFileCompression;
  /** Clock for `modificationTime` (epoch ms). Default `Date.now`. */
  readonly now?: () => number;
  /** Generator of the UUID in each file name. Default `crypto.randomUUID`. */
  readonly uuid?: () => string;
  /** Maximum rows per parquet row group. Default: about 64 MiB of Arrow data, between 16,384 and 1,048,576 rows. */
  readonly rowGroupRows?: number;
  /** Stats options (`numIndexedCols`, `stringPrefixLength`); keys are physical names regardless. */
  readonly stats?: Omit<StatsOptions, 'columnMapping'>;
  /** Where parquet is encoded; default parquet-wasm on this thread. See {@link ParquetEncoder}. */
  readonly encoder?: ParquetEncoder;
}

/** Arrow bytes a row group aims at when `rowGroupRows` is not given (Spark aims at 128 MB of parquet). */
const ROW_GROUP_BYTES = 64 * 1024 * 1024;

/** Most Arrow bytes a streaming file may queue ahead of its off-thread encoder. */
const MAX_QUEUE_BYTES = 256 * 1024 * 1024;

/** Default target size of a data file: 128 MiB. */
export const DEFAULT_TARGET_FILE_SIZE = 128 * 1024 * 1024;

interface OpenFile {
  readonly values: readonly (string | null)[];
  readonly batches: RecordBatch[];
  /** Stats from the rows; undefined when they come from the footer (an off-thread encoder). */
  readonly stats: StatsCollector | undefined;
  signature: string;
  bytes: number;
  rows: number;
  /** The encoder session of a file that streams (an off-thread encoder with a free slot). */
  writer?: ParquetStreamWriter | undefined;
}

/**
 * Writes `batches` (logical column names) as parquet data files of `target` and returns their `add` actions
 * (dataChange true, stats set). Nothing is committed: the caller puts the actions in a commit.
 */
export async function writeDataFiles(
  store: ObjectStore,
  target: DataFileTarget,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: WriteDataFilesOptions = {},
): Promise<AddFile[]> {
  const table = target.table ?? store.url;
  const mode = target.columnMapping ?? 'none';
  const targetSize = options.targetFileSize ?? DEFAULT_TARGET_FILE_SIZE;
  const maxBuffered = options.maxBufferedBytes ?? targetSize;
  const compression = options.compression ?? 'snappy';
  const now = options.now ?? (() => Date.now());
  const uuid = options.uuid ?? (() => crypto.randomUUID());
  if (!(targetSize > 0) || !Number.isFinite(targetSize)) {
    throw new InvalidOptionError(`targetFileSize is ${targetSize}; use a positive number of bytes (default ${DEFAULT_TARGET_FILE_SIZE})`);
  }
  if (!(maxBuffered > 0) || !Number.isFinite(maxBuffered)) {
    throw new InvalidOptionError(`maxBufferedBytes is ${maxBuffered}; use a positive number of bytes (default: targetFileSize)`);
  }
  if (compression !== 'snappy' && compression !== 'zstd') {
    throw new InvalidOptionError(`compression "${String(compression)}" is not supported for ${table}; use 'snappy' (default) or 'zstd'`);
  }
  if (options.rowGroupRows !== undefined && !(Number.isInteger(options.rowGroupRows) && options.rowGroupRows > 0)) {
    throw new InvalidOptionError(`rowGroupRows is ${options.rowGroupRows}; use a positive integer`);
  }
  const partFields = partitionFields(target, table);
  const partPhysical = partFields.map((f) => physicalName(f, mode));
  const projector = new PhysicalProjector(target.schema, target.partitionColumns, mode, table);
  const physicalData = logicalToPhysicalSchema(projector.dataSchema, mode);
  if (physicalData.fields.length === 0) {
    throw new SchemaError(`every column of ${table} is a partition column, so its data files would hold no column; keep at least one non-partition column`);
  }

  const open = new Map<string, OpenFile>();
  const adds: AddFile[] = [];
  // Objects put so far: removed again when the write fails, since no commit can reference them.
  const written: string[] = [];
  // Arrow bytes held in `batches` of open files (a streaming file holds none).
  let buffered = 0;
  let fileIndex = 0;

  const encoder = options.encoder ?? inlineEncoder;
  const statsOptions = options.stats ?? {};
  // An off-thread encoder streams: a file's batches go to the encoder as they arrive while an encoder slot
  // is free, and a finished file completes in the background while the input is read on. Otherwise a file
  // is buffered whole and encoded when it is complete, one at a time.
  const streaming = encoder.offThread;
  const closing = new Set<Promise<void>>();
  /** Files with an encoder session: streaming, or closing. */
  let sessions = 0;
  let failed: unknown;

  const startWriter = async (file: OpenFile): Promise<ParquetStreamWriter> => {
    const relative = dataFileKey(partPhysical, file.values, fileIndex++, uuid(), compression);
    written.push(relative);
    sessions++;
    let writer: ParquetStreamWriter;
    try {
      writer = await ParquetStreamWriter.open(store, relative, {
        rowGroupRows: options.rowGroupRows ?? rowGroupRowsFor(file),
        table,
        compression,
        encoder,
        // A streaming file may run ahead of its encoder by about its own size, so the next file can start.
        ...(streaming ? { queueBytes: Math.min(targetSize, MAX_QUEUE_BYTES) } : {}),
        error: (message, cause) =>
          cause instanceof DataFileError ? cause : new DataFileError(message, { cause, file: relative }),
      });
    } catch (e) {
      sessions--;
      throw e;
    }
    file.writer = writer;
    buffered -= file.bytes;
    // Each batch is released once sent: the peak is the file's Arrow data plus one row group in the encoder.
    // Small batches (DuckDB's are 2,048 rows) are joined first: parquet-wasm pays per batch and column.
    try {
      while (file.batches.length > 0) await writer.write(nextChunk(file.batches));
    } catch (e) {
      await abandon(file, e);
      throw e;
    }
    return writer;
  };

  // A buffered file that must be encoded now needs an encoder slot; when streaming files hold every slot,
  // the largest of them is finished so that its slot frees up (else the write would wait on itself).
  const freeSlot = async (): Promise<void> => {
    while (streaming && sessions - closing.size >= encoder.parallelism) {
      const next = largestStreaming(open);
      if (next === undefined) return;
      await finish(next);
    }
  };

  const abandon = async (file: OpenFile, e: unknown): Promise<void> => {
    const writer = file.writer;
    if (writer === undefined) return;
    file.writer = undefined;
    sessions--;
    await writer.abort(e);
  };

  const finish = async (key: string): Promise<void> => {
    const file = open.get(key);
    if (file === undefined) return;
    open.delete(key);
    if (file.writer === undefined) await freeSlot();
    const writer = file.writer ?? (await startWriter(file));
    const task = writer.close().then(
      (result) => {
        adds.push({
          path: encodeAddPath(writer.key),
          partitionValues: Object.fromEntries(partPhysical.map((c, i) => [c, file.values[i] ?? null])),
          size: result.sizeInBytes,
          modificationTime: now(),
          dataChange: true,
          stats: file.stats?.toJSON() ?? footerStats(parseParquetFooter(result.tail, writer.key), projector.dataSchema, { ...statsOptions, columnMapping: mode }).stats,
        });
      },
      async (e: unknown) => {
        failed ??= e;
        await writer.abort(e);
      },
    );
    const settled = task.finally(() => {
      sessions--;
      closing.delete(settled);
    });
    closing.add(settled);
    if (!streaming) await settled;
    if (failed !== undefined) throw failed;
  };

  try {
    for await (const input of batches) {
      if (input.numRows === 0) continue;
      const physical = projector.project(input);
      const signature = physical.schema.fields.map((f) => String(f.type)).join('\u0000');
      for (const group of partitionGroups(input, partFields, table)) {
        for (const slice of selectRows(physical, group.indices)) await append(group.key, group.values, slice, signature);
      }
    }
    for (const key of [...open.keys()]) await finish(key);
    await Promise.all(closing);
    if (failed !== undefined) throw failed;
  } catch (e) {
    failed ??= e;
    for (const file of open.values()) await abandon(file, e);
    // Files still closing finish first, so that none is put after the cleanup below.
    await Promise.all(closing);
    // A source or encoding failure part-way: leave no orphaned data files behind (vacuum needs a log to find them).
    await store.delete(written).catch(() => undefined);
    throw e;
  }
  return adds;

  async function append(key: string, values: readonly (string | null)[], rows: RecordBatch, signature: string): Promise<void> {
    let rest: RecordBatch | undefined = rows;
    while (rest !== undefined && rest.numRows > 0) {
      if (failed !== undefined) throw failed;
      let file = open.get(key);
      // Batches of one file must share an Arrow schema; a batch with other Arrow types starts a new file.
      if (file !== undefined && file.signature !== signature) {
        await finish(key);
        file = undefined;
      }
      if (file === undefined) {
        file = { values, batches: [], stats: encoder.offThread ? undefined : new StatsCollector(physicalData, statsOptions), signature, bytes: 0, rows: 0 };
        open.set(key, file);
      }
      // A batch larger than the room left in the file is cut by rows (sizes pro rata), so files roll inside batches.
      let part: RecordBatch = rest;
      let size = estimateBatchBytes(part);
      const room = targetSize - file.bytes;
      if (size > room && part.numRows > 1) {
        const fit = Math.min(part.numRows, Math.max(1, Math.floor((part.numRows * room) / size)));
        if (fit < part.numRows) {
          part = rest.slice(0, fit);
          size = estimateBatchBytes(part);
        }
      }
      rest = part === rest ? undefined : rest.slice(part.numRows);
      file.stats?.add(part);
      file.rows += part.numRows;
      file.bytes += size;
      if (file.writer !== undefined) {
        await file.writer.write(part).catch(async (e: unknown) => {
          await abandon(file!, e);
          throw e;
        });
      } else {
        file.batches.push(part);
        buffered += size;
        if (streaming && sessions < encoder.parallelism) await startWriter(file);
      }
      if (file.bytes >= targetSize || rest !== undefined) await finish(key);
      while (buffered > maxBuffered) {
        const next = largestBuffered(open);
        if (next === undefined) break;
        await finish(next);
      }
    }
  }
}

/**
 * The key (relative to the table root) of a new data file: a Hive-style partition folder (escaped as Spark
 * does) and a Spark-style name, `part-00000-<uuid>.c000.snappy.parquet`.
 */
export function dataFileKey(
  partitionPhysical: readonly string[],
  values: readonly (string | null)[],
  index: number,
  uuid: string,
  compression: DataFileCompression,
): string {
  const dir = partitionPhysical.length === 0 ? '' : `${partitionDirectory(partitionPhysical.map((c, i) => [c, values[i] ?? null] as const))}/`;
  return `${dir}part-${String(index).padStart(5, '0')}-${uuid}.c000.${compression}.parquet`;
}

/** Rows per row group for `file`: bounded in bytes (the encoder buffers a row group), large enough to compress well. */
function rowGroupRowsFor(file: OpenFile): number {
  const rows = file.rows;
  const perRow = rows > 0 ? file.bytes / rows : 1;
  return Math.min(1_048_576, Math.max(16_384, Math.floor(ROW_GROUP_BYTES / Math.max(perRow, 1))));
}

/** Rows joined into one batch before it is encoded. */
const ENCODE_CHUNK_ROWS = 65_536;

/** Takes batches off the front of `batches`, up to about {@link ENCODE_CHUNK_ROWS} rows, as one batch. */
function nextChunk(batches: RecordBatch[]): RecordBatch {
  let rows = 0;
  let n = 0;
  while (n < batches.length && (n === 0 || rows + batches[n]!.numRows <= ENCODE_CHUNK_ROWS)) rows += batches[n++]!.numRows;
  if (n === 1) return batches.shift()!;
  const taken = batches.slice(0, n);
  const joined = concatBatches(taken);
  if (joined === undefined) return batches.shift()!;
  batches.splice(0, n);
  return joined;
}


/** The streaming open file that has taken the most bytes, if any. */
function largestStreaming(open: Map<string, OpenFile>): string | undefined {
  let best: string | undefined;
  let size = -1;
  for (const [key, file] of open) {
    if (file.writer !== undefined && file.bytes > size) {
      best = key;
      size = file.bytes;
    }
  }
  return best;
}

/** The open file holding the most buffered bytes (streaming files hold none), if any. */
function largestBuffered(open: Map<string, OpenFile>): string | undefined {
  let best: string | undefined;
  let size = 0;
  for (const [key, file] of open) {
    if (file.writer === undefined && file.bytes > size) {
      best = key;
      size = file.bytes;
    }
  }
  return best;
}

function partitionFields(target: DataFileTarget, table: string): StructField[] {
  const seen = new Set<string>();
  return target.partitionColumns.map((name) => {
    const field = target.schema.fields.find((f) => f.name === name);
    if (field === undefined) {
      throw new SchemaError(`partition column "${name}" is not a column of ${table}; partition by one of ${target.schema.fields.map((f) => f.name).join(', ')}`);
    }
    if (seen.has(name)) throw new SchemaError(`partition column "${name}" of ${table} is listed twice; list each partition column once`);
    seen.add(name);
    if (!isPrimitiveType(field.type) || field.type === 'variant' || field.type === 'void') {
      throw new SchemaError(`column "${name}" of ${table} has type ${typeToString(field.type)}, which cannot be a partition column; partition by a primitive column`);
    }
    return field;
  });
}
