// What DataFrame.toArrow() returns: a streaming reader of record batches in the manner of apache-arrow's
// RecordBatchReader (schema up front, async iteration, readAll, cancel), over a live engine stream, so a
// large result never has to sit in memory as one table.
import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import type { ResultStream } from '../engine/engine.js';

/** A one-pass reader of a query's record batches; the engine is held until it is read to the end or cancelled. */
export class ArrowBatchReader implements AsyncIterableIterator<RecordBatch> {
  /** The result's schema, known before the first batch (also for empty results). */
  readonly schema: Schema;
  readonly #stream: ResultStream;
  readonly #iterator: AsyncIterator<RecordBatch>;
  #done = false;

  constructor(stream: ResultStream) {
    this.#stream = stream;
    this.schema = stream.schema;
    this.#iterator = stream[Symbol.asyncIterator]();
  }

  /** The next batch. */
  async next(): Promise<IteratorResult<RecordBatch>> {
    if (this.#done) return { done: true, value: undefined };
    const r = await this.#iterator.next();
    if (r.done === true) await this.cancel();
    return r;
  }

  /** Stops early (a `break` out of `for await` calls this too) and frees the engine. */
  async return(): Promise<IteratorResult<RecordBatch>> {
    await this.cancel();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RecordBatch> {
    return this;
  }

  /** Every remaining batch. */
  async readAll(): Promise<RecordBatch[]> {
    const out: RecordBatch[] = [];
    for await (const b of this) out.push(b);
    return out;
  }

  /** Every remaining batch as one apache-arrow Table (materialises the result). */
  async toTable(): Promise<Table> {
    const batches = await this.readAll();
    return batches.length === 0 ? new Table(this.schema) : new Table(batches);
  }

  /** Frees the engine without reading further; idempotent. */
  async cancel(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#stream.close();
  }
}
