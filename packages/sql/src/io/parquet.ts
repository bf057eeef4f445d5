// Results → parquet bytes through parquet-wasm, which only accepts Arrow IPC *stream* bytes.
import { RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { OutputFormatError } from '../errors.js';

type ParquetWasm = typeof import('parquet-wasm');

let loading: Promise<ParquetWasm> | undefined;

/** Options of {@link writeParquetBytes}. */
export interface ParquetWriteOptions {
  /** Rows per row group (parquet-wasm's default when undefined). */
  readonly rowGroupSize?: number;
}

/** Serialises a schema plus record batches as one snappy-compressed parquet file. */
export async function writeParquetBytes(
  schema: Schema,
  batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>,
  options: ParquetWriteOptions = {},
): Promise<Uint8Array> {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  for await (const batch of batches) writer.write(batch);
  writer.close();
  const ipc = writer.toUint8Array(true);
  const pw = await parquetWasm();
  let builder = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY);
  if (options.rowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(options.rowGroupSize);
  try {
    // writeParquet frees both the table and the properties it is given.
    return pw.writeParquet(pw.Table.fromIPCStream(ipc), builder.build());
  } catch (e) {
    throw new OutputFormatError(`could not write the result as parquet: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Converts Arrow IPC stream bytes to an uncompressed parquet file: the fastest form for a file that is
 * read back at once (the native engine's way in for Arrow data).
 */
export async function ipcStreamToParquet(ipc: Uint8Array): Promise<Uint8Array> {
  const pw = await parquetWasm();
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.UNCOMPRESSED).build();
  // writeParquet frees both the table and the properties it is given.
  return pw.writeParquet(pw.Table.fromIPCStream(ipc), props);
}

function parquetWasm(): Promise<ParquetWasm> {
  loading ??= (async () => {
    const mod = (await import('parquet-wasm')) as ParquetWasm & { default?: unknown };
    // The Node build initialises itself; the web/edge builds export an init function.
    if (typeof mod.writeParquet !== 'function' && typeof mod.default === 'function') {
      await (mod.default as () => Promise<unknown>)();
    }
    return typeof mod.writeParquet === 'function' ? mod : (mod.default as ParquetWasm);
  })();
  return loading;
}
