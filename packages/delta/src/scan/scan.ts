// Reads the live data files of a snapshot as Arrow record batches in the logical schema: physical
// columns conformed, partition values filled in, deleted rows (deletion vectors) dropped.

import { RecordBatch, Schema, Struct, makeData, type Data, type Field, type Table } from 'apache-arrow';
import { isDuckrunError } from '@duckrun/storage';
import { DataFileError } from '../errors.js';
import type { ColumnMappingMode } from '../kernel/features/column-mapping.js';
import type { StructField } from '../kernel/schema/types.js';
import type { PartitionScalar } from '../kernel/partitions/values.js';
import type { AddFile } from '../kernel/actions/types.js';
import { parquetSchema } from '../parquet/read.js';
import type { ParquetDecoder } from '../parquet/decoder.js';
import { conformData, findSourceField } from './conform.js';
import { constantData } from './constant.js';
import { keptRanges, loadDeletedRows } from './deletion.js';
import { selectRows } from '../arrow/take.js';
import type { FileLocator } from './locate.js';

/** Above this many surviving runs in a batch, deleted rows are dropped by a copy rather than by slicing. */
const MAX_SLICES = 16;

/** One live data file of a snapshot, as handed to scans and pruning. */
export interface ScanFile {
  /** The path as written in the log. */
  readonly path: string;
  /** Partition values keyed by logical column name, parsed to their types. */
  readonly partitionValues: Readonly<Record<string, PartitionScalar>>;
  readonly size: number;
  /** Row count from the file's stats, when recorded. */
  readonly numRecords?: number;
  /** The log's `add` action. */
  readonly add: AddFile;
}

/** What a scan needs from its snapshot. */
export interface ScanContext {
  readonly tableUri: string;
  readonly version: number;
  readonly locator: FileLocator;
  readonly fields: readonly StructField[];
  readonly arrowFields: readonly Field[];
  readonly partitionColumns: ReadonlySet<string>;
  readonly mode: ColumnMappingMode;
  readonly decoder: ParquetDecoder;
}

/** Streams the rows of `files`, restricted to `columns` (logical names, all when undefined). */
export async function* scanFiles(ctx: ScanContext, files: readonly ScanFile[], columns?: readonly string[]): AsyncIterable<RecordBatch> {
  const wanted = columns ? columns.map((c) => indexOfColumn(ctx, c)) : ctx.fields.map((_, i) => i);
  const schema = new Schema(wanted.map((i) => ctx.arrowFields[i]!));
  if (!ctx.decoder.offThread) {
    for (const file of files) yield* fileBatches(ctx, file, await loadFile(ctx, file, wanted), wanted, schema);
    return;
  }
  // The decoder works elsewhere: the next file is read and decoded while this one's rows are consumed.
  let next = files.length > 0 ? settle(loadFile(ctx, files[0]!, wanted)) : undefined;
  for (let i = 0; i < files.length; i++) {
    const loaded = await next!;
    next = i + 1 < files.length ? settle(loadFile(ctx, files[i + 1]!, wanted)) : undefined;
    if ('error' in loaded) throw loaded.error;
    yield* fileBatches(ctx, files[i]!, loaded, wanted, schema);
  }
}

/** A promise that never rejects (a prefetched file's failure is raised when its turn comes, not before). */
function settle<T>(p: Promise<T>): Promise<T | { error: unknown }> {
  return p.catch((error: unknown) => ({ error }));
}

interface LoadedFile {
  readonly url: string;
  readonly table: Table;
  readonly deleted: Awaited<ReturnType<typeof loadDeletedRows>> | undefined;
}

async function loadFile(ctx: ScanContext, file: ScanFile, wanted: readonly number[]): Promise<LoadedFile> {
  const location = await ctx.locator.locate(file.path);
  let bytes: Uint8Array;
  try {
    bytes = await location.store.get(location.key);
  } catch (e) {
    if (isDuckrunError(e, 'STORE_NOT_FOUND')) {
      throw new DataFileError(
        `data file ${location.url} of table ${ctx.tableUri} (version ${ctx.version}) is missing; it was deleted outside Delta (or vacuumed while still live). Restore the file or the table to an earlier version`,
        { cause: e, file: location.url },
      );
    }
    throw e;
  }
  let table;
  try {
    table = await ctx.decoder.decode(bytes, await projection(ctx, wanted, bytes));
  } catch (e) {
    throw new DataFileError(`data file ${location.url} of table ${ctx.tableUri} is not readable parquet: ${(e as Error).message}`, { cause: e });
  }
  const deleted = file.add.deletionVector ? await loadDeletedRows(ctx.locator, ctx.tableUri, file.add.deletionVector) : undefined;
  return { url: location.url, table, deleted };
}

function* fileBatches(ctx: ScanContext, file: ScanFile, loaded: LoadedFile, wanted: readonly number[], schema: Schema): Iterable<RecordBatch> {
  const { table, deleted, url } = loaded;
  const srcFields = table.schema.fields;
  let rowBase = 0;
  for (const batch of table.batches) {
    const n = batch.numRows;
    const children: Data[] = wanted.map((i) => {
      const field = ctx.fields[i]!;
      const arrowField = ctx.arrowFields[i]!;
      if (ctx.partitionColumns.has(field.name)) {
        return constantData(arrowField.type, file.partitionValues[field.name] ?? null, n);
      }
      const idx = findSourceField(srcFields, field, ctx.mode);
      if (idx < 0) return constantData(arrowField.type, null, n);
      return conformData(batch.data.children[idx]!, arrowField.type, field.type, ctx.mode, `${url}:${field.name}`);
    });
    const out = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
    if (!deleted) {
      yield out;
    } else {
      const ranges = keptRanges(deleted, rowBase, n);
      if (ranges.length <= MAX_SLICES) {
        for (const [start, end] of ranges) yield start === 0 && end === n ? out : out.slice(start, end);
      } else {
        // A dense vector leaves many short runs: one compact copy beats thousands of tiny batches downstream.
        const kept = new Int32Array(ranges.reduce((k, [s, e]) => k + e - s, 0));
        let at = 0;
        for (const [start, end] of ranges) for (let i = start; i < end; i++) kept[at++] = i;
        yield* selectRows(out, kept);
      }
    }
    rowBase += n;
  }
}

/** The file columns a projected scan needs (undefined = all); at least one, so row counts survive. */
async function projection(ctx: ScanContext, wanted: readonly number[], bytes: Uint8Array): Promise<{ columns?: string[] }> {
  if (wanted.length === ctx.fields.length) return {};
  const fields = (await parquetSchema(bytes)).fields;
  const names = new Set<string>();
  for (const i of wanted) {
    const field = ctx.fields[i]!;
    if (ctx.partitionColumns.has(field.name)) continue;
    const idx = findSourceField(fields, field, ctx.mode);
    if (idx >= 0) names.add(fields[idx]!.name);
  }
  if (names.size === 0 && fields[0]) names.add(fields[0].name);
  return { columns: [...names] };
}

function indexOfColumn(ctx: ScanContext, column: string): number {
  const i = ctx.fields.findIndex((f) => f.name === column);
  if (i < 0) {
    throw new DataFileError(`table ${ctx.tableUri} has no column ${column}; its columns are ${ctx.fields.map((f) => f.name).join(', ')}`);
  }
  return i;
}
