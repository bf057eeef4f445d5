// Engine selection by name: 'wasm' (default, runs everywhere) or 'native' (@duckdb/node-api, Node only).
import type { Engine } from './engine.js';
import { EngineStartError } from '../errors.js';

/** Names of the engines duckrun can start. */
export const ENGINE_KINDS = ['wasm', 'native'] as const;

/** An engine name: `wasm` (DuckDB-WASM) or `native` (@duckdb/node-api). */
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** Starts the named engine; each backend is imported only when chosen, so the other need not be installed. */
export async function openEngine(kind: EngineKind): Promise<Engine> {
  switch (kind) {
    case 'wasm':
      return (await import('./wasm.js')).openWasmEngine();
    case 'native':
      return (await import('./native.js')).openNativeEngine();
    default:
      throw new EngineStartError(`unknown engine ${JSON.stringify(kind)}; choose one of ${ENGINE_KINDS.join(', ')}`);
  }
}
