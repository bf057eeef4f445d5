// Lazy access to parquet-wasm: loaded on first use so that opening a table's log costs no wasm start-up.
//
// parquet-wasm ships a Node build (CommonJS that reads its .wasm with `require('fs')`) and a web build
// (ESM whose default export instantiates the .wasm). Node resolves `parquet-wasm` to the former, bundlers
// for browsers and edge runtimes to the latter. The web build needs the compiled module handed to it where
// it cannot fetch its .wasm itself: on Cloudflare Workers the `workerd` entry of this package (workerd.ts)
// imports it the way Workers import wasm; elsewhere callers use initParquetWasm() from ./init.ts.

import { DuckrunError } from '@duckrun/storage';

type ParquetWasm = typeof import('parquet-wasm');

/** What parquet-wasm's web build can be initialised from: the compiled module (Workers), its bytes, or its URL. */
export type ParquetWasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | URL | string;

/** parquet-wasm could not be instantiated (on an edge runtime: its .wasm module was not provided). */
export class ParquetWasmInitError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_PARQUET_WASM_INIT', message, options);
  }
}

let source: ParquetWasmSource | Promise<ParquetWasmSource> | undefined;
let loading: Promise<ParquetWasm> | undefined;

/** Gives the web build the .wasm to instantiate from; takes effect at the first (or next, after a failure) load. */
export function setParquetWasmSource(wasm: ParquetWasmSource | Promise<ParquetWasmSource>): void {
  source = wasm;
}

/** The initialised parquet-wasm module. */
export function parquetWasm(): Promise<ParquetWasm> {
  // A failed load is forgotten, so that initParquetWasm() after the error can still succeed.
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

async function load(): Promise<ParquetWasm> {
  const mod = (await import('parquet-wasm')) as ParquetWasm & { default?: unknown; initSync?: unknown };
  if (typeof mod.initSync === 'function' && typeof mod.default === 'function') {
    // The web build: its functions exist before init but fail until the wasm is instantiated.
    const init = mod.default as (options?: { module_or_path: unknown }) => Promise<unknown>;
    try {
      await init(source !== undefined ? { module_or_path: await source } : undefined);
    } catch (e) {
      throw new ParquetWasmInitError(
        `parquet-wasm could not load its WebAssembly module (${e instanceof Error ? e.message : String(e)}). ` +
          (source !== undefined
            ? 'The module given to initParquetWasm() is not parquet-wasm 0.8.0\'s parquet_wasm_bg.wasm, or this runtime cannot instantiate it.'
            : "On Cloudflare Workers, bundle with the 'workerd' export condition (wrangler does) so @duckrun/delta imports the .wasm itself, " +
              "or call initParquetWasm(wasm) from '@duckrun/delta/parquet-wasm' with `import wasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm'`; " +
              'in a browser, pass the URL the .wasm is served from.'),
        { cause: e },
      );
    }
    return mod;
  }
  // The Node build initialises itself when loaded; its namespace is the CommonJS exports (or their default).
  return typeof mod.readParquet === 'function' ? mod : (mod.default as ParquetWasm);
}
