// The forms a write accepts (an Arrow table, a batch, sync/async iterables or a ReadableStream of batches),
// normalised to one async stream whose schema is known before the first row is written.

import { RecordBatch, Schema, Table } from 'apache-arrow';
import { InvalidOptionError } from '../errors.js';

/**
 * Data for a write: an Arrow table, one record batch, a (sync, async or Web) stream of record batches, or a
 * schema with a stream of batches that is only started when the rows are needed (a query that a data file
 * strategy may write itself instead, see WriteOptions.dataFiles).
 */
export type WriteData =
  | Table
  | RecordBatch
  | Iterable<RecordBatch>
  | AsyncIterable<RecordBatch>
  | ReadableStream<RecordBatch>
  | SchemaAndBatches;

/** A schema known up front and batches pulled lazily (every batch must have that schema's columns). */
export interface SchemaAndBatches {
  readonly schema: Schema;
  readonly batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>;
}

/** The data's schema (from the table, or the first batch) and every batch, the first included. */
export interface OpenedInput {
  /** Undefined only when a stream ended without any batch. */
  readonly schema: Schema | undefined;
  readonly batches: AsyncIterable<RecordBatch>;
}

/** Opens `data` for a write to `table`; pulls at most one batch ahead to learn the schema. */
export async function openInput(data: WriteData, table: string): Promise<OpenedInput> {
  if (data instanceof Table) return { schema: data.schema, batches: fromIterable(data.batches) };
  if (data instanceof RecordBatch) return { schema: data.schema, batches: fromIterable([data]) };
  if (isSchemaAndBatches(data)) {
    const { schema, batches } = data;
    return { schema, batches: (async function* () {
      const iterator = iteratorOf(batches, table);
      const first = await iterator.next();
      if (first.done === true) return;
      yield* withHead(checkBatch(first.value, table, 0), iterator, table);
    })() };
  }
  const iterator = iteratorOf(data, table);
  const first = await iterator.next();
  if (first.done === true) {
    await iterator.return?.();
    return { schema: undefined, batches: fromIterable([]) };
  }
  const head = checkBatch(first.value, table, 0);
  return { schema: head.schema, batches: withHead(head, iterator, table) };
}

function isSchemaAndBatches(data: WriteData): data is SchemaAndBatches {
  const d = data as Partial<SchemaAndBatches>;
  return typeof d === 'object' && d !== null && d.schema instanceof Schema && d.batches !== undefined && !(Symbol.asyncIterator in d) && !(Symbol.iterator in d);
}

function iteratorOf(data: WriteData, table: string): AsyncIterator<RecordBatch> {
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return streamIterator(data);
  const any = data as unknown as Record<symbol, unknown>;
  if (typeof any[Symbol.asyncIterator] === 'function') return (data as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]();
  if (typeof any[Symbol.iterator] === 'function') {
    const it = (data as Iterable<RecordBatch>)[Symbol.iterator]();
    return {
      next: async () => it.next(),
      return: async (value?: unknown) => it.return?.(value) ?? { done: true, value: undefined },
    } as AsyncIterator<RecordBatch>;
  }
  throw new InvalidOptionError(
    `the data written to ${table} is not an Arrow Table, RecordBatch, iterable or ReadableStream of RecordBatches; build one with apache-arrow (e.g. tableFromArrays)`,
  );
}

function streamIterator(stream: ReadableStream<RecordBatch>): AsyncIterator<RecordBatch> {
  const reader = stream.getReader();
  return {
    async next() {
      const r = await reader.read();
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
    },
    async return() {
      await reader.cancel();
      reader.releaseLock();
      return { done: true, value: undefined };
    },
  };
}

async function* fromIterable(batches: Iterable<RecordBatch>): AsyncIterable<RecordBatch> {
  yield* batches;
}

async function* withHead(head: RecordBatch, rest: AsyncIterator<RecordBatch>, table: string): AsyncIterable<RecordBatch> {
  let done = false;
  try {
    yield head;
    for (let i = 1; ; i++) {
      const r = await rest.next();
      if (r.done === true) {
        done = true;
        return;
      }
      yield checkBatch(r.value, table, i);
    }
  } finally {
    // A write that fails part-way stops the producer instead of leaving it pending.
    if (!done) await rest.return?.();
  }
}

function checkBatch(value: unknown, table: string, index: number): RecordBatch {
  if (value instanceof RecordBatch) return value;
  throw new InvalidOptionError(
    `item ${index} of the data written to ${table} is not an apache-arrow RecordBatch (got ${value === null ? 'null' : typeof value}); ` +
      'pass RecordBatches from the same apache-arrow copy duckrun uses (exchange Arrow between libraries as IPC bytes)',
  );
}
