// Streams Arrow record batches into one parquet object: parquet-wasm's `transformParquetStream` encodes
// row group after row group while the store uploads the bytes, so memory stays bounded by a row group.
// The object becomes visible only after its footer has been checked against the rows sent.

import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import type { ObjectStore } from '@duckrun/storage';
import { parquetWasm } from './wasm.js';
import { readParquetFooter } from '../checkpoint/parquet-footer.js';

type ParquetWasm = Awaited<ReturnType<typeof parquetWasm>>;
type WasmBatch = ParquetWasm['RecordBatch']['prototype'];

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
}

/** What was written. */
export interface ParquetStreamResult {
  readonly key: string;
  readonly rows: number;
  readonly sizeInBytes: number;
  readonly rowGroups: number;
}

// Bytes of output kept to check the footer; a checkpoint footer is a few hundred KB at most.
const TAIL_BYTES = 16 * 1024 * 1024;

/** One parquet object being written from a sequence of record batches of a single schema. */
export class ParquetStreamWriter {
  private controller!: ReadableStreamDefaultController<WasmBatch>;
  private wake: (() => void) | undefined;
  private failure: unknown;
  private aborted: unknown;
  private rowsSent = 0;
  private batchesSent = 0;
  private bytesOut = 0;
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;
  private footer: { rowGroups: number } | undefined;
  private upload!: Promise<void>;
  private wrapped: Error | undefined;

  private constructor(
    private readonly pw: ParquetWasm,
    private readonly store: ObjectStore,
    /** The store key being written. */
    readonly key: string,
    private readonly options: ParquetStreamOptions,
  ) {}

  /** Starts writing `key`; nothing is visible in the store until {@link close} succeeds. */
  static async open(store: ObjectStore, key: string, options: ParquetStreamOptions): Promise<ParquetStreamWriter> {
    const pw = await parquetWasm();
    const writer = new ParquetStreamWriter(pw, store, key, options);
    writer.start();
    return writer;
  }

  /** Sends one batch; resolves once the encoder has room for more (back-pressure). */
  async write(batch: RecordBatch): Promise<void> {
    this.throwIfFailed();
    const wasmTable = this.pw.Table.fromIPCStream(tableToIPC(new Table([batch]), 'stream'));
    const batches = wasmTable.recordBatches();
    wasmTable.free();
    for (let i = 0; i < batches.length; i++) {
      try {
        await this.room();
      } catch (e) {
        for (const b of batches.slice(i)) b.free();
        throw e;
      }
      this.controller.enqueue(batches[i]!);
      this.batchesSent++;
    }
    this.rowsSent += batch.numRows;
  }

  /** Finishes the file and waits until the store holds it; throws the configured error if it does not verify. */
  async close(): Promise<ParquetStreamResult> {
    this.throwIfFailed();
    this.controller.close();
    try {
      await this.upload;
    } catch (e) {
      throw this.wrap(e, `writing ${this.options.table}/${this.key}`);
    }
    return { key: this.key, rows: this.rowsSent, sizeInBytes: this.bytesOut, rowGroups: this.footer?.rowGroups ?? 0 };
  }

  /** Abandons the file: the upload is failed so the store never publishes a partial object. */
  async abort(reason: unknown): Promise<void> {
    this.aborted = reason ?? new Error('aborted');
    try {
      this.controller.close();
    } catch {
      // Already closed or errored: the upload below settles either way.
    }
    await this.upload.catch(() => undefined);
  }

  private start(): void {
    const input = new ReadableStream<WasmBatch>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          const wake = this.wake;
          this.wake = undefined;
          wake?.();
        },
      },
      { highWaterMark: 1 },
    );
    const props = new this.pw.WriterPropertiesBuilder()
      .setCompression(this.options.compression === 'zstd' ? this.pw.Compression.ZSTD : this.pw.Compression.SNAPPY)
      .setMaxRowGroupSize(this.options.rowGroupRows)
      .setCreatedBy('duckrun')
      .build();
    // The promise settles only once the encoder has seen the first batch (it takes the schema from it),
    // so it is awaited inside the upload, not here.
    const output = this.pw.transformParquetStream(input, props) as Promise<ReadableStream<Uint8Array>>;
    this.upload = this.store.putStream(this.key, this.chunks(output));
    this.upload.catch((e: unknown) => {
      this.failure = e;
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
  }

  private async *chunks(output: Promise<ReadableStream<Uint8Array>>): AsyncIterable<Uint8Array> {
    const reader = (await output).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.bytesOut += value.byteLength;
        this.keepTail(value);
        yield value;
      }
    } finally {
      reader.releaseLock();
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

  private async room(): Promise<void> {
    for (;;) {
      this.throwIfFailed();
      if ((this.controller.desiredSize ?? 0) > 0) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
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
