// Parquet bytes → apache-arrow tables through parquet-wasm and Arrow IPC (the two libraries share no objects).

import { tableFromIPC, type Schema, type Table } from 'apache-arrow';
import { parquetWasm } from './wasm.js';

/** Options of {@link readParquetTable}. */
export interface ParquetReadOptions {
  /** Top-level columns to read (all when undefined). */
  readonly columns?: readonly string[];
  /** Rows per Arrow batch. */
  readonly batchSize?: number;
}

/** Reads a whole parquet file into an Arrow table. */
export async function readParquetTable(bytes: Uint8Array, options: ParquetReadOptions = {}): Promise<Table> {
  const pw = await parquetWasm();
  const wasmTable = pw.readParquet(bytes, {
    batchSize: options.batchSize ?? 65_536,
    ...(options.columns ? { columns: [...options.columns] } : {}),
  });
  return tableFromIPC(wasmTable.intoIPCStream());
}

/** The Arrow schema of a parquet file, read from its footer only. */
export async function parquetSchema(bytes: Uint8Array): Promise<Schema> {
  const pw = await parquetWasm();
  return tableFromIPC(pw.readSchema(bytes).intoIPCStream()).schema;
}

/** Top-level column names of a parquet file, without reading its data. */
export async function parquetColumnNames(source: Uint8Array | Blob): Promise<string[]> {
  if (!(source instanceof Blob)) return (await parquetSchema(source)).fields.map((f) => f.name);
  const pw = await parquetWasm();
  const file = await pw.ParquetFile.fromFile(source);
  try {
    return tableFromIPC(file.schema().intoIPCStream()).schema.fields.map((f) => f.name);
  } finally {
    file.free();
  }
}

/**
 * Reads a parquet file one row group at a time, so memory stays bounded by the largest row group (and,
 * given a lazily read Blob, the file itself is never held whole).
 */
export async function* readParquetRowGroups(source: Uint8Array | Blob, options: ParquetReadOptions = {}): AsyncIterable<Table> {
  const pw = await parquetWasm();
  const file = await pw.ParquetFile.fromFile(source instanceof Blob ? source : new Blob([source as Uint8Array<ArrayBuffer>]));
  try {
    const meta = file.metadata();
    const groups = meta.numRowGroups();
    meta.free();
    for (let i = 0; i < groups; i++) {
      const wasmTable = await file.read({
        rowGroups: [i],
        batchSize: options.batchSize ?? 65_536,
        ...(options.columns ? { columns: [...options.columns] } : {}),
      });
      yield tableFromIPC(wasmTable.intoIPCStream());
    }
  } finally {
    file.free();
  }
}
