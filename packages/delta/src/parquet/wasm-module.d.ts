// How Workers bundlers (wrangler, esbuild with a CompiledWasm rule) hand a .wasm import to the code: a compiled
// module. parquet-wasm's own parquet_wasm_bg.wasm.d.ts describes the instance exports instead.
declare module 'parquet-wasm/esm/parquet_wasm_bg.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
