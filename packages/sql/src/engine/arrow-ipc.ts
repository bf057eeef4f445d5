// Arrow IPC helpers: the only form in which Arrow data crosses between our apache-arrow and DuckDB's copy.
import { DataType, Field, RecordBatchStreamWriter, Schema, tableToIPC, type Dictionary, type RecordBatch, type Table } from 'apache-arrow';

/**
 * An IPC stream holding `schema` and no rows. Dictionary-encoded fields become their value type: DuckDB
 * cannot create a table from a dictionary field that has no dictionary batch.
 */
export function emptyIPCStream(schema: Schema): Uint8Array {
  const plain = new Schema(
    schema.fields.map((f) => (DataType.isDictionary(f.type) ? new Field(f.name, (f.type as Dictionary).dictionary, f.nullable, f.metadata) : f)),
    schema.metadata,
  );
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, plain);
  writer.close();
  return writer.toUint8Array(true);
}

/** An IPC stream holding record batches that share one schema. */
export function batchesToIPCStream(batches: readonly RecordBatch[]): Uint8Array {
  return RecordBatchStreamWriter.writeAll(batches).toUint8Array(true);
}

/** An IPC stream holding a whole table (its schema even when it has no rows). */
export function tableToIPCStream(table: Table): Uint8Array {
  return table.numRows === 0 ? emptyIPCStream(table.schema) : tableToIPC(table, 'stream');
}
