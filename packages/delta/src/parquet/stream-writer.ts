// Streams Arrow record batches into one parquet object: the encoder (parquet-wasm, on this thread or in a
// worker) encodes row group after row group while the store uploads the bytes, so memory stays bounded by
// a row group.
// The object becomes visible only after its footer has been checked against the rows sent.

import type { RecordBatch } from 'apache-arrow';
import type { ObjectStore } from '@duckrun/storage';
import { readParquetFooter } from '../checkpoint/parquet-footer.js';
import { inlineEncoder, type EncodeOptions, type EncoderSession, type ParquetEncoder } from './encoder.js';

/** Options of {@link ParquetStreamWriter.open}. */
export interface ParquetStreamOptions {
  /** Maximum rows per parquet row group. */
  readonly rowGroupRows: number;
  /** The table the file belongs to, for messages. */
  readonly table: string;
  /** Default `snappy`. */
  readonly compression?: 'snappy' | 'zstd';
  /** The typed error a failure becomes (a checkpoint and a data file fail differently). */
  readonly error: (message: string, cause?: unknown) => Error;
  /** Where the bytes are encoded; default parquet-wasm on this thread. */
  readonly encoder?: ParquetEncoder;
  /** See {@link EncodeOptions.queueBytes}. */
  readonly queueBytes?: number;
}

/** What was written. */
export interface ParquetStreamResult {
  readonly key: string;
  readonly rows: number;
  readonly sizeInBytes: number;
  readonly rowGroups: number;
  /** The file's last bytes (the whole footer among them). */
  readonly tail: Uint8Array;
}

// Bytes of output kept to check the footer; a checkpoint footer is a few hundred KB at most.
const TAIL_BYTES = 16 * 1024 * 1024;

/** One parquet object being written from a sequence of record batches of a single schema. */
export class ParquetStreamWriter {
  private failure: unknown;
  private aborted: unknown;
  private rowsSent = 0;
  private bytesOut = 0;
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;
  private footer: { rowGroups: number } | undefined;
  private upload!: Promise<void>;
  private wrapped: Error | undefined;

  private constructor(
    private readonly session: EncoderSession,
    private readonly store: ObjectStore,
    /** The store key being written. */
    readonly key: string,
    private readonly options: ParquetStreamOptions,
  ) {}

  /** Starts writing `key`; nothing is visible in the store until {@link close} succeeds. */
  static async open(store: ObjectStore, key: string, options: ParquetStreamOptions): Promise<ParquetStreamWriter> {
    const encoder = options.encoder ?? inlineEncoder;
    const session = await encoder.open({
      rowGroupRows: options.rowGroupRows,
      compression: options.compression ?? 'snappy',
      ...(options.queueBytes !== undefined ? { queueBytes: options.queueBytes } : {}),
    });
    const writer = new ParquetStreamWriter(session, store, key, options);
    writer.start();
    return writer;
  }

  /** Sends one batch; resolves once the encoder has room for more (back-pressure). */
  async write(batch: RecordBatch): Promise<void> {
    this.throwIfFailed();
    try {
      await this.session.write(batch);
    } catch (e) {
      throw this.wrap(this.failure ?? e, `writing ${this.options.table}/${this.key}`);
    }
    this.rowsSent += batch.numRows;
  }

  /** Finishes the file and waits until the store holds it; throws the configured error if it does not verify. */
  async close(): Promise<ParquetStreamResult> {
    this.throwIfFailed();
    this.session.end();
    try {
      await this.upload;
    } catch (e) {
      throw this.wrap(e, `writing ${this.options.table}/${this.key}`);
    }
    return {
      key: this.key,
      rows: this.rowsSent,
      sizeInBytes: this.bytesOut,
      rowGroups: this.footer?.rowGroups ?? 0,
      tail: concat(this.tail, this.tailBytes),
    };
  }

  /** Abandons the file: the upload is failed so the store never publishes a partial object. */
  async abort(reason: unknown): Promise<void> {
    this.aborted = reason ?? new Error('aborted');
    this.session.abort(this.aborted);
    await this.upload.catch(() => undefined);
  }

  private start(): void {
    this.upload = this.store.putStream(this.key, this.chunks());
    this.upload.catch((e: unknown) => {
      this.failure = e;
      // An upload that fails (the store refused) must not leave the encoder waiting for room.
      this.session.abort(e);
    });
  }

  private async *chunks(): AsyncIterable<Uint8Array> {
    for await (const value of this.session.output) {
      this.bytesOut += value.byteLength;
      this.keepTail(value);
      yield value;
    }
    // Throwing here fails the upload, so an abandoned or short file is never published.
    if (this.aborted !== undefined) throw this.aborted;
    this.verify();
  }

  private verify(): void {
    const where = `${this.options.table}/${this.key}`;
    // parquet-wasm's stream writer ignores per-batch write errors, so count what reached the file.
    const info = readParquetFooter(concat(this.tail, this.tailBytes), where);
    if (info.numRows !== this.rowsSent) {
      throw (this.wrapped = this.options.error(`${where} holds ${info.numRows} rows but ${this.rowsSent} were written; the parquet encoder dropped rows`));
    }
    this.footer = { rowGroups: info.rowGroups };
  }

  private keepTail(chunk: Uint8Array): void {
    this.tail.push(chunk);
    this.tailBytes += chunk.byteLength;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.byteLength >= TAIL_BYTES) {
      this.tailBytes -= this.tail.shift()!.byteLength;
    }
  }

  private wrap(e: unknown, what: string): Error {
    if (e instanceof Error && e === this.wrapped) return e;
    this.wrapped = this.options.error(`${what} failed: ${(e as Error)?.message ?? String(e)}`, e);
    return this.wrapped;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.wrap(this.failure, `writing ${this.options.table}/${this.key}`);
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
