// Lazy access to parquet-wasm: loaded on first use so that opening a table's log costs no wasm start-up.

type ParquetWasm = typeof import('parquet-wasm');

let loading: Promise<ParquetWasm> | undefined;

/** The initialised parquet-wasm module. */
export function parquetWasm(): Promise<ParquetWasm> {
  loading ??= (async () => {
    const mod = (await import('parquet-wasm')) as ParquetWasm & { default?: unknown };
    // The Node build initialises itself; the web/edge builds export an init function.
    if (typeof mod.readParquet !== 'function' && typeof mod.default === 'function') {
      await (mod.default as () => Promise<unknown>)();
    }
    return (typeof mod.readParquet === 'function' ? mod : (mod.default as ParquetWasm));
  })();
  return loading;
}
