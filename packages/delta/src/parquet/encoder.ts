// Where parquet bytes are encoded. The default encodes with parquet-wasm on the calling thread, which every
// runtime has (Workers included). A runtime with threads can plug in an encoder that works elsewhere (the
// `@duckrun/delta/node` worker pool): the writer then keeps several files in flight and takes each file's
// stats from its footer, so the calling thread does no per-row work besides handing batches over.

import type { RecordBatch } from 'apache-arrow';
import { Table, tableToIPC } from 'apache-arrow';
import { parquetWasm } from './wasm.js';

/** How one file is encoded. */
export interface EncodeOptions {
  /** Maximum rows per parquet row group. */
  readonly rowGroupRows: number;
  readonly compression: 'snappy' | 'zstd';
  /**
   * Bytes of input an off-thread encoder may hold beyond the batch it works on before `write` waits
   * (default 0: one batch ahead). A writer that streams several files sets about a file's worth, so that a
   * file slower to encode than its rows arrive does not hold up the next file.
   */
  readonly queueBytes?: number;
}

/** One file being encoded: batches go in (with back-pressure), the file's bytes come out in order. */
export interface EncoderSession {
  /** Hands over one batch; resolves once the encoder has room for more. */
  write(batch: RecordBatch): Promise<void>;
  /** Ends the input: the output finishes with the footer. */
  end(): void;
  /** Abandons the file: the output fails with `reason`. */
  abort(reason: unknown): void;
  /** The file's bytes; fails if encoding fails. Read it to the end (or the encoder may stall). */
  readonly output: AsyncIterable<Uint8Array>;
}

/** Encodes parquet files from Arrow record batches. */
export interface ParquetEncoder {
  /** Names the encoder in write results, e.g. `parquet-wasm` or `parquet-wasm-workers`. */
  readonly name: string;
  /** Files that may be encoded at once; 1 means one after the other. */
  readonly parallelism: number;
  /**
   * Whether encoding runs off the calling thread. The writer then takes stats from each file's footer
   * instead of computing them from the rows (the same values: parquet-wasm's column chunk statistics).
   */
  readonly offThread: boolean;
  /** Starts one file. */
  open(options: EncodeOptions): Promise<EncoderSession>;
}

/** parquet-wasm on the calling thread: `transformParquetStream` encodes row group after row group. */
export const inlineEncoder: ParquetEncoder = {
  name: 'parquet-wasm',
  parallelism: 1,
  offThread: false,
  async open(options) {
    return InlineSession.open(options);
  },
};

type ParquetWasm = Awaited<ReturnType<typeof parquetWasm>>;
type WasmBatch = ParquetWasm['RecordBatch']['prototype'];

class InlineSession implements EncoderSession {
  private controller!: ReadableStreamDefaultController<WasmBatch>;
  private wake: (() => void) | undefined;
  private failure: unknown;
  readonly output: AsyncIterable<Uint8Array>;

  private constructor(
    private readonly pw: ParquetWasm,
    options: EncodeOptions,
  ) {
    const input = new ReadableStream<WasmBatch>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.wakeUp(),
      },
      { highWaterMark: 1 },
    );
    const props = new pw.WriterPropertiesBuilder()
      .setCompression(options.compression === 'zstd' ? pw.Compression.ZSTD : pw.Compression.SNAPPY)
      .setMaxRowGroupSize(options.rowGroupRows)
      .setCreatedBy('duckrun')
      .build();
    // The promise settles only once the encoder has seen the first batch (it takes the schema from it),
    // so it is awaited while the output is read, not here.
    this.output = this.chunks(pw.transformParquetStream(input, props) as Promise<ReadableStream<Uint8Array>>);
  }

  static async open(options: EncodeOptions): Promise<InlineSession> {
    return new InlineSession(await parquetWasm(), options);
  }

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
    }
  }

  end(): void {
    this.controller.close();
  }

  abort(reason: unknown): void {
    this.failure ??= reason ?? new Error('aborted');
    try {
      this.controller.close();
    } catch {
      // Already closed or errored.
    }
    this.wakeUp();
  }

  private async *chunks(output: Promise<ReadableStream<Uint8Array>>): AsyncIterable<Uint8Array> {
    try {
      const reader = (await output).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    } catch (e) {
      this.failure ??= e;
      this.wakeUp();
      throw e;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
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

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
