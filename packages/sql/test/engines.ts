// The engines SQL-layer tests run on: wasm always; native when @duckdb/node-api loads (else skipped, with the reason printed).
import type { EngineKind } from '../src/engine/open-engine.js';

/** Why native tests are skipped, or undefined when @duckdb/node-api loads. */
export const nativeSkipReason: string | undefined = await import('@duckdb/node-api').then(
  () => undefined,
  (e: unknown) => `@duckdb/node-api cannot load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
);

if (nativeSkipReason !== undefined) console.warn(`native engine tests skipped: ${nativeSkipReason}`);

/** Engine kinds to parametrize over with `describe.each(ENGINES)`. */
export const ENGINES: readonly EngineKind[] = nativeSkipReason === undefined ? ['wasm', 'native'] : ['wasm'];
