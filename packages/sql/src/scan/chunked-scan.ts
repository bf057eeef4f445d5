// A delta_scan source registered one chunk at a time. A statement that treats each row on its own (a
// projection and filter of the one source, see row-wise.ts) gives the same rows run once per chunk as once
// over all of them, so a write can stream a source of any size through DuckDB holding one chunk. On
// DuckDB-WASM that is also the fast way in: a chunk goes into a table of its own uncompressed, where rows
// appended to a large table are compressed on the way in (2.8x slower).
import { estimateBatchBytes } from '@duckrun/delta';
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Engine } from '../engine/engine.js';

/** Estimated Arrow bytes of one chunk. */
export const CHUNK_BYTES = 64 * 2 ** 20;

/** A source registered as table `table`, holding one chunk of its rows at a time. */
export interface ChunkedScan {
  /** Name of the DuckDB table holding the current chunk. */
  readonly table: string;
  /** Replaces the table's rows by the next chunk's; false (the table unchanged) when none is left. */
  next(): Promise<boolean>;
  /** Makes the table hold every row of the source, for statements that need them all at once. */
  complete(): Promise<void>;
  /** Stops reading the source (the table itself is dropped with the statement's other objects). */
  close(): Promise<void>;
}

/** Registers the source's first chunk as `table`. */
export async function registerChunkedScan(
  engine: Engine,
  table: string,
  source: { readonly schema: Schema; readonly batches: AsyncIterable<RecordBatch> },
  chunkBytes = CHUNK_BYTES,
): Promise<ChunkedScan> {
  if (!(chunkBytes > 0)) throw new RangeError(`delta_scan chunkBytes is ${String(chunkBytes)}; use a positive number of bytes`);
  const rows = source.batches[Symbol.asyncIterator]();
  let exhausted = false;
  let current: RecordBatch[] = [];
  const take = async (): Promise<RecordBatch[]> => {
    const chunk: RecordBatch[] = [];
    let bytes = 0;
    // At least one batch per chunk, whatever its size.
    while (!exhausted && (chunk.length === 0 || bytes < chunkBytes)) {
      const r = await rows.next();
      if (r.done) exhausted = true;
      else {
        chunk.push(r.value);
        bytes += estimateBatchBytes(r.value);
      }
    }
    return chunk;
  };
  const close = async (): Promise<void> => {
    if (exhausted) return;
    exhausted = true;
    await rows.return?.();
  };
  try {
    current = await take();
    await engine.registerArrow(table, { schema: source.schema, batches: current });
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  return {
    table,
    async next() {
      const chunk = await take();
      if (chunk.length === 0) return false;
      await engine.dropTable(table);
      current = chunk;
      await engine.registerArrow(table, { schema: source.schema, batches: chunk });
      return true;
    },
    async complete() {
      await engine.dropTable(table);
      const held = current;
      current = [];
      const all = async function* (): AsyncIterable<RecordBatch> {
        yield* held;
        while (!exhausted) {
          const r = await rows.next();
          if (r.done) exhausted = true;
          else yield r.value;
        }
      };
      await engine.registerArrow(table, { schema: source.schema, batches: all() });
    },
    close,
  };
}
