// Writes a classic (or multi-part) parquet checkpoint of a table state, streaming, then `_last_checkpoint`
// (PROTOCOL.md "Checkpoints", "Checkpoint Schema", "Last Checkpoint File Schema").

import type { ObjectStore } from '@duckrun/storage';
import { CheckpointError } from '../errors.js';
import type { AddFile, DomainMetadata, Metadata, Protocol, RemoveFile, Txn } from '../kernel/actions/types.js';
import { formatVersion } from '../kernel/log/log-path.js';
import { LOG_DIR, readLastCheckpoint } from '../log/reader.js';
import { ParquetStreamWriter, type ParquetStreamResult } from '../parquet/stream-writer.js';
import { parsedPartitionFields } from './partition-values-parsed.js';
import { CheckpointBatchBuilder, type CheckpointColumn } from './schema.js';
import { sparkPartition } from './spark-hash.js';

/** The table state a checkpoint records. */
export interface CheckpointActions {
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  /** The live files; consumed once, so a generator works and 1,000,000 files need not be in an array. */
  readonly files: Iterable<AddFile> | AsyncIterable<AddFile>;
  readonly txns?: Iterable<Txn>;
  /** Domain metadata; entries with `removed: true` are left out, as the protocol requires. */
  readonly domains?: Iterable<DomainMetadata>;
  /** Tombstones that have not expired yet (kept for VACUUM; readers ignore them). */
  readonly removes?: Iterable<RemoveFile> | AsyncIterable<RemoveFile>;
}

/** Options of {@link writeCheckpoint}. */
export interface CheckpointOptions {
  /** Number of part files; 1 (default) writes a classic checkpoint, more a (deprecated) multi-part one. */
  readonly parts?: number;
  /** Maximum rows per parquet row group (default 50,000). */
  readonly rowGroupRows?: number;
  /** Rows encoded per Arrow batch handed to the parquet encoder (default 10,000). */
  readonly batchRows?: number;
  /** Leave `_last_checkpoint` alone (default false). */
  readonly skipLastCheckpoint?: boolean;
  /** The table's URL, for messages (default the store's URL). */
  readonly table?: string;
  /**
   * Also write `add.partitionValues_parsed` when every partition column has a type written typed
   * (string, boolean, integer, long, date); default false.
   */
  readonly partitionValuesParsed?: boolean;
}

/** The written checkpoint, as recorded in `_last_checkpoint`. */
export interface CheckpointInfo {
  readonly version: number;
  /** Number of actions (rows) in the checkpoint. */
  readonly size: number;
  /** Number of part files (1 for a classic checkpoint). */
  readonly parts: number;
  readonly sizeInBytes: number;
  readonly numOfAddFiles: number;
  /** Store keys of the checkpoint files, in part order. */
  readonly files: readonly string[];
}

/** Default maximum rows per row group: a 1,000,000-file checkpoint gets 20 row groups. */
export const DEFAULT_ROW_GROUP_ROWS = 50_000;

/**
 * Writes the checkpoint of `version` into `_delta_log` of `store`, then `_last_checkpoint` (only once every
 * part is fully written and its footer checked, and never pointing back to an older version than it did).
 */
export async function writeCheckpoint(
  store: ObjectStore,
  version: number,
  actions: CheckpointActions,
  options: CheckpointOptions = {},
): Promise<CheckpointInfo> {
  const table = options.table ?? store.url;
  const parts = options.parts ?? 1;
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  const batchRows = Math.min(options.batchRows ?? 10_000, rowGroupRows);
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new CheckpointError(`cannot checkpoint ${table} at version ${version}: versions are integers ≥ 0`);
  }
  if (!Number.isInteger(parts) || parts < 1 || parts > 9_999_999_999) {
    throw new CheckpointError(`cannot checkpoint ${table} in ${parts} parts: give a whole number of parts ≥ 1`);
  }
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1 || !Number.isInteger(batchRows) || batchRows < 1) {
    throw new CheckpointError(`cannot checkpoint ${table}: rowGroupRows and batchRows must be whole numbers ≥ 1`);
  }
  const keys = checkpointKeys(version, parts);
  const writers: ParquetStreamWriter[] = [];
  try {
    for (const key of keys) writers.push(await ParquetStreamWriter.open(store, key, { rowGroupRows, table, error: checkpointError }));
    const partitionFields = options.partitionValuesParsed ? parsedPartitionFields(actions.metadata) : undefined;
    const sink = new PartitionedSink(writers, batchRows, () => new CheckpointBatchBuilder(partitionFields ? { partitionFields, table } : {}));
    const counts = await emitRows(sink, actions, parts);
    await sink.finish();
    const results: ParquetStreamResult[] = [];
    for (const w of writers) results.push(await w.close());
    const info: CheckpointInfo = {
      version,
      size: counts.rows,
      parts,
      sizeInBytes: results.reduce((n, r) => n + r.sizeInBytes, 0),
      numOfAddFiles: counts.adds,
      files: keys,
    };
    if (!options.skipLastCheckpoint) await writeLastCheckpoint(store, info);
    return info;
  } catch (e) {
    await Promise.all(writers.map((w) => w.abort(e)));
    // Parts that did complete are deleted so that no mix of old and new parts forms a "complete" set.
    if (parts > 1) await store.delete(keys).catch(() => undefined);
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`writing the checkpoint of ${table} at version ${version} failed: ${(e as Error)?.message ?? String(e)}`, {
      cause: e,
    });
  }
}

/** The `_delta_log` keys of a checkpoint of `version` in `parts` parts. */
export function checkpointKeys(version: number, parts: number): string[] {
  const v = formatVersion(version);
  if (parts === 1) return [`${LOG_DIR}/${v}.checkpoint.parquet`];
  const total = String(parts).padStart(10, '0');
  return Array.from({ length: parts }, (_, i) => `${LOG_DIR}/${v}.checkpoint.${String(i + 1).padStart(10, '0')}.${total}.parquet`);
}

/** Writes `_last_checkpoint` for `info`, unless the current hint already names a newer checkpoint. */
export async function writeLastCheckpoint(store: ObjectStore, info: CheckpointInfo): Promise<void> {
  const current = await readLastCheckpoint(store);
  if (current && current.version > info.version) return;
  const hint = {
    version: info.version,
    size: info.size,
    ...(info.parts > 1 ? { parts: info.parts } : {}),
    sizeInBytes: info.sizeInBytes,
    numOfAddFiles: info.numOfAddFiles,
  };
  await store.put(`${LOG_DIR}/_last_checkpoint`, new TextEncoder().encode(JSON.stringify(hint)));
}

/** Routes rows to per-part batch builders and hands full batches to the part writers. */
class PartitionedSink {
  private readonly builders: CheckpointBatchBuilder[];
  private readonly sent: boolean[];

  constructor(
    private readonly writers: readonly ParquetStreamWriter[],
    private readonly batchRows: number,
    newBuilder: () => CheckpointBatchBuilder,
  ) {
    this.builders = writers.map(() => newBuilder());
    this.sent = writers.map(() => false);
  }

  /** Appends a row to part `part`; resolves at once unless a batch had to be handed over. */
  append(part: number, kind: CheckpointColumn, body: object): Promise<void> | undefined {
    const builder = this.builders[part]!;
    builder.append(kind, body);
    return builder.length >= this.batchRows ? this.flush(part) : undefined;
  }

  /** Flushes what is left; every part gets at least one (possibly empty) batch so it has a schema. */
  async finish(): Promise<void> {
    for (let p = 0; p < this.builders.length; p++) {
      if (this.builders[p]!.length > 0 || !this.sent[p]) await this.flush(p);
    }
  }

  private async flush(part: number): Promise<void> {
    this.sent[part] = true;
    await this.writers[part]!.write(this.builders[part]!.flush());
  }
}

async function emitRows(sink: PartitionedSink, actions: CheckpointActions, parts: number): Promise<{ rows: number; adds: number }> {
  let rows = 0;
  let adds = 0;
  const nonFilePart = sparkPartition(null, parts);
  const put = async (kind: CheckpointColumn, body: object): Promise<void> => {
    rows++;
    await sink.append(nonFilePart, kind, body);
  };
  await put('protocol', normaliseProtocol(actions.protocol));
  await put('metaData', actions.metadata);
  for (const txn of actions.txns ?? []) await put('txn', txn);
  for (const d of actions.domains ?? []) {
    if (!d.removed) await put('domainMetadata', d);
  }
  const route = (path: string) => (parts === 1 ? 0 : sparkPartition(path, parts));
  const addRow = (add: AddFile): Promise<void> | undefined => {
    rows++;
    adds++;
    return sink.append(route(add.path), 'add', add);
  };
  const removeRow = (remove: RemoveFile): Promise<void> | undefined => {
    rows++;
    return sink.append(route(remove.path), 'remove', remove);
  };
  await each(actions.files, addRow);
  if (actions.removes) await each(actions.removes, removeRow);
  return { rows, adds };
}

/** Iterates a sync or async iterable, awaiting only when `f` returns a promise (1M awaits cost). */
async function each<T>(items: Iterable<T> | AsyncIterable<T>, f: (item: T) => Promise<void> | undefined): Promise<void> {
  if (Symbol.iterator in items) {
    for (const item of items) {
      const pending = f(item);
      if (pending) await pending;
    }
    return;
  }
  for await (const item of items) {
    const pending = f(item);
    if (pending) await pending;
  }
}

function normaliseProtocol(p: Protocol): Protocol {
  // PROTOCOL.md "Checkpoint Schema": reader version 3 needs non-null readerFeatures, writer version 7
  // non-null writerFeatures; below those versions the fields must be null.
  return {
    minReaderVersion: p.minReaderVersion,
    minWriterVersion: p.minWriterVersion,
    readerFeatures: p.minReaderVersion >= 3 ? (p.readerFeatures ?? []) : null,
    writerFeatures: p.minWriterVersion >= 7 ? (p.writerFeatures ?? []) : null,
  };
}

function checkpointError(message: string, cause?: unknown): CheckpointError {
  return cause instanceof CheckpointError ? cause : new CheckpointError(message, { cause });
}
