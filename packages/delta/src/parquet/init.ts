// Entry `@duckrun/delta/parquet-wasm`: explicit parquet-wasm initialisation for runtimes where the web build
// cannot find its .wasm by itself (bundlers without the `workerd` condition, Deno, service workers).

import { parquetWasm, setParquetWasmSource, type ParquetWasmSource } from './wasm.js';

export { ParquetWasmInitError, type ParquetWasmSource } from './wasm.js';

/**
 * Instantiates parquet-wasm from `wasm` (a compiled `WebAssembly.Module`, the .wasm bytes, or its URL);
 * call once before reading or writing tables. Under Node it is not needed and `wasm` is ignored.
 * @example
 * import wasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
 * await initParquetWasm(wasm);
 */
export async function initParquetWasm(wasm: ParquetWasmSource | Promise<ParquetWasmSource>): Promise<void> {
  setParquetWasmSource(wasm);
  await parquetWasm();
}
