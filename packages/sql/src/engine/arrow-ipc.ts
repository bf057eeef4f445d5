// Arrow IPC helpers: the only form in which Arrow data crosses between our apache-arrow and DuckDB's copy.
import { RecordBatchStreamWriter, tableToIPC, type RecordBatch, type Schema, type Table } from 'apache-arrow';

/** An IPC stream holding `schema` and no rows. */
export function emptyIPCStream(schema: Schema): Uint8Array {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  writer.close();
  return writer.toUint8Array(true);
}

/** An IPC stream holding one record batch. */
export function batchToIPCStream(batch: RecordBatch): Uint8Array {
  return RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
}

/** An IPC stream holding a whole table (its schema even when it has no rows). */
export function tableToIPCStream(table: Table): Uint8Array {
  return table.batches.length === 0 ? emptyIPCStream(table.schema) : tableToIPC(table, 'stream');
}
