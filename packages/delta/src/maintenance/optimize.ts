// OPTIMIZE (compaction): rewrite the small files of each partition as fewer, larger files. The rows do not
// change, so the commit has dataChange=false and concurrent appends never conflict with it (design §8).

import { commitTransaction, type TransactionOptions } from '../commit/transaction.js';
import { InvalidOptionError } from '../errors.js';
import type { Action, AddFile } from '../kernel/actions/types.js';
import { targetFileSizeBytes } from '../kernel/config/table-properties.js';
import { physicalName } from '../kernel/features/column-mapping.js';
import { ensureWritable, writerFeaturesOf } from '../kernel/features/ensure.js';
import type { PartitionScalar } from '../kernel/partitions/values.js';
import type { ScanFile } from '../scan/scan.js';
import type { Snapshot } from '../snapshot.js';
import type { DeltaTable } from '../table.js';
import { DEFAULT_TARGET_FILE_SIZE, writeDataFiles, type DataFileCompression } from '../write/file-writer.js';
import { planCompaction, type Bin } from './bin-pack.js';
import { removeOf } from '../kernel/actions/remove-of.js';

/** A value a partition filter compares with: matched against the value as serialized in the log. */
export type PartitionFilterValue = string | number | bigint | boolean | null;

/**
 * A partition filter as delta-rs takes them: `['year', '=', 2024]`, `['region', 'in', ['eu', 'us']]`.
 * Values compare with the partition value as written in the log (`2024`, `2024-05-01`), and `null`
 * matches a null partition value.
 */
export type PartitionFilter =
  | readonly [column: string, op: '=' | '!=', value: PartitionFilterValue]
  | readonly [column: string, op: 'in' | 'not in', values: readonly PartitionFilterValue[]];

/** Options of {@link compact}. */
export interface CompactOptions {
  /** Files at least this large are left alone, and bins fill up to it (default `delta.targetFileSize` or 128 MiB). */
  readonly targetSize?: number;
  /** Only partitions matching every filter. */
  readonly partitionFilters?: readonly PartitionFilter[];
  /** Only partitions for which this returns true (typed values by logical column name). */
  readonly where?: (partitionValues: Readonly<Record<string, PartitionScalar>>) => boolean;
  /** Codec of the rewritten files (default snappy). */
  readonly compression?: DataFileCompression;
  /** The clock (epoch ms) for the removes' deletionTimestamp and the adds' modificationTime. Default `Date.now`. */
  readonly now?: () => number;
  /** Options of the commit (retries, engineInfo, …). */
  readonly commit?: TransactionOptions;
}

/** Count and sizes of a set of files (bytes). */
export interface FileSizeMetrics {
  readonly totalFiles: number;
  readonly totalSize: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
}

/** What a compaction did (field names as delta-rs reports them). */
export interface CompactMetrics {
  /** The version committed, or undefined when there was nothing to compact. */
  readonly version: number | undefined;
  /** The version the compaction read. */
  readonly readVersion: number;
  readonly numFilesAdded: number;
  readonly numFilesRemoved: number;
  readonly filesAdded: FileSizeMetrics;
  readonly filesRemoved: FileSizeMetrics;
  /** Partitions with at least one rewritten bin. */
  readonly partitionsOptimized: number;
  /** Bins rewritten. */
  readonly numBatches: number;
  /** Files that qualified (small, or carrying a deletion vector). */
  readonly totalConsideredFiles: number;
  /** Qualifying files left alone (alone in their bin). */
  readonly totalFilesSkipped: number;
  /** Rows keep their relative order within each rewritten bin. */
  readonly preserveInsertionOrder: true;
}

/**
 * Compacts the latest snapshot of `table`: per partition, bin-packs the files smaller than the target
 * size (and files with deletion vectors, whose deleted rows are purged), rewrites each bin as one file,
 * and commits an `OPTIMIZE` that removes the old files and adds the new ones, all dataChange=false.
 * Bins are read and written one at a time; memory holds one bin's rows.
 */
export async function compact(table: DeltaTable, options: CompactOptions = {}): Promise<CompactMetrics> {
  const snapshot = await table.snapshot();
  const config = snapshot.metadata.configuration;
  const targetSize = options.targetSize ?? targetFileSizeBytes(table.uri, config) ?? DEFAULT_TARGET_FILE_SIZE;
  if (!(Number.isFinite(targetSize) && targetSize > 0)) {
    throw new InvalidOptionError(`targetSize ${targetSize} for compaction of ${table.uri} is invalid; use a positive number of bytes (default ${DEFAULT_TARGET_FILE_SIZE})`);
  }
  // Fail before rewriting anything when the table cannot take our commit.
  ensureWritable(table.uri, snapshot.protocol, snapshot.metadata, 'append');
  const matches = partitionMatcher(table.uri, snapshot, options);
  const plan = planCompaction(snapshot.files().filter(matches), targetSize);

  const now = options.now ?? Date.now;
  const actions: Action[] = [];
  const added: number[] = [];
  const removed: number[] = [];
  const partitions = new Set<string>();
  for (const bin of plan.bins) {
    for (const add of await rewriteBin(table, snapshot, bin, options, now)) {
      actions.push({ add });
      added.push(add.size);
    }
    const deletionTimestamp = now();
    for (const f of bin.files) {
      actions.push({ remove: removeOf(f.add, deletionTimestamp, false) });
      removed.push(f.size);
    }
    partitions.add(JSON.stringify(bin.partitionValues));
  }

  let version: number | undefined;
  if (plan.bins.length > 0) {
    const result = await commitTransaction(
      table.store,
      table.uri,
      snapshot,
      {
        actions,
        operation: 'OPTIMIZE',
        operationParameters: {
          predicate: predicateText(options),
          zOrderBy: [],
          clusterBy: [],
          auto: false,
          isFull: false,
        },
        operationMetrics: {
          numAddedFiles: added.length,
          numRemovedFiles: removed.length,
          numAddedBytes: added.reduce((n, b) => n + b, 0),
          numRemovedBytes: removed.reduce((n, b) => n + b, 0),
          numPartitionsOptimized: partitions.size,
        },
        pinned: false,
        blindAppend: false,
        // Rows are unchanged, so only losing a file we rewrote matters: a concurrent delete or overwrite
        // of it must fail us (its rows would come back), while new files anywhere are irrelevant.
        reads: [],
        readFiles: plan.bins.flatMap((b) => b.files.map((f) => f.path)),
        isolation: 'SnapshotIsolation',
      },
      options.commit,
    );
    version = result.version;
  }
  return {
    version,
    readVersion: snapshot.version,
    numFilesAdded: added.length,
    numFilesRemoved: removed.length,
    filesAdded: sizeMetrics(added),
    filesRemoved: sizeMetrics(removed),
    partitionsOptimized: partitions.size,
    numBatches: plan.bins.length,
    totalConsideredFiles: plan.considered,
    totalFilesSkipped: plan.skipped,
    preserveInsertionOrder: true,
  };
}

/** Rewrites one bin: scans its rows (deletion vectors applied) and writes them as one file. */
async function rewriteBin(table: DeltaTable, snapshot: Snapshot, bin: Bin, options: CompactOptions, now: () => number): Promise<AddFile[]> {
  const config = snapshot.metadata.configuration;
  const indexed = Number(config['delta.dataSkippingNumIndexedCols']);
  const adds = await writeDataFiles(
    table.store,
    { schema: snapshot.schema, partitionColumns: snapshot.partitionColumns, columnMapping: snapshot.columnMapping, table: table.uri },
    snapshot.scan({ files: bin.files }),
    {
      // The writer rolls by in-memory Arrow bytes, which exceed parquet bytes several times over; rolling
      // there would split a bin into files still below the target, and the next compaction would
      // rewrite them again. A bin is at most `targetSize` of parquet, so it becomes exactly one file.
      targetFileSize: Number.MAX_SAFE_INTEGER,
      now,
      ...(options.compression !== undefined ? { compression: options.compression } : {}),
      stats: {
        ...(Number.isInteger(indexed) && indexed >= -1 ? { numIndexedCols: indexed } : {}),
        // The new files carry no deletion vector, so their bounds are tight.
        ...(writerFeaturesOf(snapshot.protocol).includes('deletionVectors') ? { tightBounds: true } : {}),
      },
    },
  );
  // Keep the log's own serialization of the partition values rather than re-deriving it from the data.
  return adds.map((add) => ({ ...add, partitionValues: bin.partitionValues, dataChange: false }));
}


function partitionMatcher(uri: string, snapshot: Snapshot, options: CompactOptions): (file: ScanFile) => boolean {
  const filters = (options.partitionFilters ?? []).map((f) => {
    const [column, op, value] = f;
    const field = snapshot.schema.fields.find((x) => x.name === column);
    if (field === undefined || !snapshot.partitionColumns.includes(column)) {
      const cols = snapshot.partitionColumns.length > 0 ? snapshot.partitionColumns.join(', ') : 'none: the table is not partitioned';
      throw new InvalidOptionError(`partition filter on "${column}" for compaction of ${uri} names no partition column; filter on one of: ${cols}`);
    }
    if (!['=', '!=', 'in', 'not in'].includes(op)) {
      throw new InvalidOptionError(`partition filter operator "${String(op)}" for compaction of ${uri} is not supported; use =, !=, in or not in`);
    }
    const list = op === 'in' || op === 'not in' ? value : [value];
    if (!Array.isArray(list)) {
      throw new InvalidOptionError(`partition filter "${column} ${op}" for compaction of ${uri} needs a list of values`);
    }
    const wanted = new Set((list as readonly PartitionFilterValue[]).map(normalize));
    const negate = op === '!=' || op === 'not in';
    const key = physicalName(field, snapshot.columnMapping);
    return (add: AddFile): boolean => {
      const raw = key in add.partitionValues ? add.partitionValues[key] : add.partitionValues[column];
      return wanted.has(raw === undefined || raw === '' ? null : raw) !== negate;
    };
  });
  return (file) => filters.every((f) => f(file.add)) && (options.where === undefined || options.where(file.partitionValues));
}

function normalize(v: PartitionFilterValue): string | null {
  return v === null ? null : String(v);
}

/** The predicate as Spark records it: a JSON list of SQL-ish conditions. */
function predicateText(options: CompactOptions): string[] {
  const out = (options.partitionFilters ?? []).map(([column, op, value]) => {
    const lit = (v: PartitionFilterValue): string => (v === null ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);
    if (op === 'in' || op === 'not in') return `(${column} ${op.toUpperCase()} (${(value as readonly PartitionFilterValue[]).map(lit).join(', ')}))`;
    return `(${column} ${op} ${lit(value as PartitionFilterValue)})`;
  });
  if (options.where !== undefined) out.push('<partition predicate function>');
  return out;
}

function sizeMetrics(sizes: readonly number[]): FileSizeMetrics {
  if (sizes.length === 0) return { totalFiles: 0, totalSize: 0, min: 0, max: 0, avg: 0 };
  let total = 0;
  let min = Infinity;
  let max = 0;
  for (const s of sizes) {
    total += s;
    min = Math.min(min, s);
    max = Math.max(max, s);
  }
  return { totalFiles: sizes.length, totalSize: total, min, max, avg: total / sizes.length };
}
