// Where parquet data files are decoded for scans. The default decodes with parquet-wasm on the calling
// thread; a decoder that works off it (the `@duckrun/delta/node` worker pool) lets a scan decode the next
// file while the caller consumes the current one.

import type { Table } from 'apache-arrow';
import { readParquetTable, type ParquetReadOptions } from './read.js';

/** Decodes whole parquet files into Arrow tables. */
export interface ParquetDecoder {
  /** Names the decoder, e.g. `parquet-wasm`. */
  readonly name: string;
  /** Whether decoding runs off the calling thread (a scan then decodes one file ahead). */
  readonly offThread: boolean;
  /** Decodes `bytes` (a whole parquet file), or some of its top-level columns. */
  decode(bytes: Uint8Array, options: ParquetReadOptions): Promise<Table>;
}

/** parquet-wasm on the calling thread. */
export const inlineDecoder: ParquetDecoder = {
  name: 'parquet-wasm',
  offThread: false,
  decode: (bytes, options) => readParquetTable(bytes, options),
};
