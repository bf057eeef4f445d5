// Entry of `@duckrun/delta` under the `workerd` and `worker` export conditions (Cloudflare Workers: wrangler,
// or esbuild with those conditions). Workers cannot fetch or compile wasm at run time; they import it as a
// precompiled module, so this entry imports parquet-wasm's .wasm and hands it to the lazy loader (wasm.ts).
// The module is only instantiated when the first parquet file is read or written.
//
// The package is `"sideEffects": false`, so a bundler drops this file's top-level call when none of the
// file's *own* bindings is used (re-exports link straight through to their modules). The entry points that
// reach parquet are therefore re-bound here, so that using any of them keeps the registration.

import parquetWasmModule from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
import * as api from '../index.js';
import { setParquetWasmSource } from './wasm.js';

setParquetWasmSource(parquetWasmModule);

export * from '../index.js';

/** See {@link api.DeltaTable}. */
export const DeltaTable = api.DeltaTable;
export type DeltaTable = api.DeltaTable;
/** See {@link api.Snapshot}. */
export const Snapshot = api.Snapshot;
export type Snapshot = api.Snapshot;
/** See {@link api.writeDeltaTable}. */
export const writeDeltaTable = api.writeDeltaTable;
/** See {@link api.createDeltaTable}. */
export const createDeltaTable = api.createDeltaTable;
