// Parquet encoding and decoding in Node worker threads. parquet-wasm works on one thread, and encoding is
// most of the cost of an Arrow-path write; with workers, the calling thread only hands batches over (as
// Arrow IPC, transferred, not copied) while files are encoded side by side and their bytes come back for
// upload. Scans decode the next file in a worker while the current one is consumed.
//
// The worker is a short CommonJS script run with `eval`, so it loads the same way from sources (tsx,
// vitest) and from the built package: it needs nothing but parquet-wasm's Node build, resolved here.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Table, tableFromIPC, tableToIPC, type RecordBatch } from 'apache-arrow';
import type { EncodeOptions, EncoderSession, ParquetEncoder } from '../parquet/encoder.js';
import type { ParquetDecoder } from '../parquet/decoder.js';
import type { ParquetReadOptions } from '../parquet/read.js';
import { DataFileError } from '../errors.js';
import { concatBatches } from '../arrow/concat.js';

/** Options of {@link parquetWorkers}. */
export interface ParquetWorkersOptions {
  /** Worker threads, i.e. files encoded at once. Default: the machine's cores less one (at least 1). */
  readonly threads?: number;
}

/** Rows gathered before one hand-over: one message per ~64k rows instead of one per (2,048-row) batch. */
const MESSAGE_ROWS = 65_536;

const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const pw = require(workerData.parquetWasm);
let controller;
let wake;
let queue = Promise.resolve();
const post = (message, transfer) => parentPort.postMessage(message, transfer);
const room = async () => {
  while ((controller.desiredSize ?? 0) <= 0) await new Promise((resolve) => { wake = resolve; });
};
const handlers = {
  open(m) {
    const input = new ReadableStream(
      { start: (c) => { controller = c; }, pull: () => { const w = wake; wake = undefined; if (w) w(); } },
      { highWaterMark: 1 },
    );
    const props = new pw.WriterPropertiesBuilder()
      .setCompression(m.compression === 'zstd' ? pw.Compression.ZSTD : pw.Compression.SNAPPY)
      .setMaxRowGroupSize(m.rowGroupRows)
      .setCreatedBy('duckrun')
      .build();
    // Settles once the encoder has seen the first batch, so it is read on its own, not awaited here.
    (async () => {
      const reader = (await pw.transformParquetStream(input, props)).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // Transferred when the chunk owns its buffer (wasm-bindgen copies out of wasm memory), else copied.
        const own = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
        post({ op: 'chunk', bytes: value }, own ? [value.buffer] : []);
      }
      post({ op: 'done' });
    })().catch((e) => post({ op: 'error', message: String((e && e.message) || e) }));
  },
  async batch(m) {
    const table = pw.Table.fromIPCStream(m.ipc);
    const batches = table.recordBatches();
    table.free();
    for (const b of batches) {
      await room();
      controller.enqueue(b);
    }
    post({ op: 'ack' });
  },
  end() {
    controller.close();
  },
  decode(m) {
    const table = pw.readParquet(m.bytes, m.columns ? { batchSize: m.batchSize, columns: m.columns } : { batchSize: m.batchSize });
    const ipc = table.intoIPCStream();
    post({ op: 'decoded', ipc }, [ipc.buffer]);
  },
};
parentPort.on('message', (m) => {
  queue = queue.then(() => handlers[m.op](m)).catch((e) => post({ op: 'error', message: String((e && e.message) || e) }));
});
`;

type FromWorker =
  | { readonly op: 'decoded'; readonly ipc: Uint8Array }
  | { readonly op: 'chunk'; readonly bytes: Uint8Array }
  | { readonly op: 'done' }
  | { readonly op: 'ack' }
  | { readonly op: 'error'; readonly message: string };

/** Parquet encoding and decoding in worker threads: a {@link ParquetEncoder} and a {@link ParquetDecoder}. */
export interface ParquetWorkers extends ParquetEncoder, ParquetDecoder {
  readonly name: 'parquet-wasm-workers';
}

/**
 * Parquet encoding and decoding in worker threads: pass it as `WriteOptions.encoder` (files are encoded
 * several at once) and as `ScanOptions.decoder` (a scan decodes the next file while the current one is
 * consumed). Decoding has a worker of its own, so a scan feeding a write never waits for the encoders.
 * Idle workers do not keep the process alive.
 * @example
 * import { writeDeltaTable } from '@duckrun/delta';
 * import { parquetWorkers } from '@duckrun/delta/node';
 * await writeDeltaTable('./lineitem', batches, { encoder: parquetWorkers() });
 */
export function parquetWorkers(options: ParquetWorkersOptions = {}): ParquetWorkers {
  const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`parquetWorkers: threads is ${String(options.threads)}; use a positive integer`);
  }
  const encoders = new WorkerPool(threads);
  const decoders = new WorkerPool(1);
  return {
    name: 'parquet-wasm-workers',
    parallelism: threads,
    offThread: true,
    open: async (encode) => new WorkerSession(await encoders.acquire(), encode, encoders),
    decode: async (bytes, read) => decodeIn(decoders, bytes, read),
  };
}

/** Decodes one file in a worker of `pool`; the result arrives as Arrow IPC, read without copying. */
async function decodeIn(pool: WorkerPool, bytes: Uint8Array, read: ParquetReadOptions): Promise<Table> {
  const worker = await pool.acquire();
  // Copied, not transferred: a store may hand out a buffer it keeps (the memory store does).
  let healthy = false;
  try {
    const ipc = await new Promise<Uint8Array>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.op === 'decoded') resolve(m.ipc);
        else if (m.op === 'error') reject(new DataFileError(`parquet decoding in a worker thread failed: ${m.message}`));
      });
      worker.on('error', reject);
      worker.postMessage(
        { op: 'decode', bytes, batchSize: read.batchSize ?? 65_536, ...(read.columns ? { columns: [...read.columns] } : {}) },
      );
    });
    healthy = true;
    return tableFromIPC(ipc);
  } finally {
    pool.release(worker, healthy);
  }
}

class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private live = 0;
  private parquetWasm: string | undefined;

  constructor(private readonly size: number) {}

  async acquire(): Promise<Worker> {
    const worker = this.idle.pop() ?? (this.live < this.size ? this.spawn() : await new Promise<Worker>((resolve) => this.waiting.push(resolve)));
    worker.ref();
    return worker;
  }

  /** Returns a worker after a finished file; a worker whose file failed is ended, not reused. */
  release(worker: Worker, healthy: boolean): void {
    worker.removeAllListeners('message');
    worker.removeAllListeners('error');
    if (!healthy) {
      this.live--;
      void worker.terminate();
      const next = this.waiting.shift();
      if (next !== undefined) next(this.spawn());
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) return next(worker);
    worker.unref();
    this.idle.push(worker);
  }

  private spawn(): Worker {
    this.parquetWasm ??= createRequire(import.meta.url).resolve('parquet-wasm');
    this.live++;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { parquetWasm: this.parquetWasm } });
    worker.unref();
    return worker;
  }
}

class WorkerSession implements EncoderSession {
  private pending: RecordBatch[] = [];
  private pendingRows = 0;
  /** Bytes of the batch messages the worker has not taken yet, oldest first (it takes them in order). */
  private readonly queued: number[] = [];
  private queuedBytes = 0;
  private readonly queueLimit: number;
  private roomMade: (() => void) | undefined;
  private readonly chunks: Uint8Array[] = [];
  private notify: (() => void) | undefined;
  private finished = false;
  private failure: Error | undefined;
  private released = false;
  readonly output: AsyncIterable<Uint8Array>;

  constructor(
    private readonly worker: Worker,
    options: EncodeOptions,
    private readonly pool: WorkerPool,
  ) {
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (e: Error) => this.fail(e));
    this.queueLimit = options.queueBytes ?? 0;
    worker.postMessage({ op: 'open', compression: options.compression, rowGroupRows: options.rowGroupRows });
    this.output = this.read();
  }

  async write(batch: RecordBatch): Promise<void> {
    this.throwIfFailed();
    this.pending.push(batch);
    this.pendingRows += batch.numRows;
    if (this.pendingRows >= MESSAGE_ROWS) await this.send();
  }

  end(): void {
    void this.send().then(
      () => this.worker.postMessage({ op: 'end' }),
      () => undefined,
    );
  }

  abort(reason: unknown): void {
    this.fail(reason instanceof Error ? reason : new Error(String(reason)));
  }

  private async send(): Promise<void> {
    if (this.pending.length === 0) return;
    // One batch per message where the types allow: the encoder's cost per batch dwarfs the copy.
    const joined = concatBatches(this.pending);
    const ipc = tableToIPC(new Table(joined !== undefined ? [joined] : this.pending), 'stream');
    this.pending = [];
    this.pendingRows = 0;
    // One message is always let through; beyond it, at most `queueBytes` wait in the worker.
    while (this.queued.length > 0 && this.queuedBytes + ipc.byteLength > this.queueLimit) {
      this.throwIfFailed();
      await new Promise<void>((resolve) => {
        this.roomMade = resolve;
      });
    }
    this.throwIfFailed();
    this.queued.push(ipc.byteLength);
    this.queuedBytes += ipc.byteLength;
    this.worker.postMessage({ op: 'batch', ipc }, [ipc.buffer as ArrayBuffer]);
  }

  private receive(m: FromWorker): void {
    switch (m.op) {
      case 'chunk':
        this.chunks.push(m.bytes);
        break;
      case 'ack':
        this.queuedBytes -= this.queued.shift() ?? 0;
        this.makeRoom();
        break;
      case 'done':
        this.finished = true;
        this.release(true);
        break;
      case 'error':
        this.fail(new DataFileError(`parquet encoding in a worker thread failed: ${m.message}`));
        return;
    }
    this.wakeReader();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.release(false);
    this.makeRoom();
    this.wakeReader();
  }

  private release(healthy: boolean): void {
    if (this.released) return;
    this.released = true;
    this.pool.release(this.worker, healthy);
  }

  private makeRoom(): void {
    const made = this.roomMade;
    this.roomMade = undefined;
    made?.();
  }

  private wakeReader(): void {
    const notify = this.notify;
    this.notify = undefined;
    notify?.();
  }

  private async *read(): AsyncIterable<Uint8Array> {
    for (;;) {
      while (this.chunks.length > 0) yield this.chunks.shift()!;
      this.throwIfFailed();
      if (this.finished) return;
      await new Promise<void>((resolve) => {
        this.notify = resolve;
      });
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
