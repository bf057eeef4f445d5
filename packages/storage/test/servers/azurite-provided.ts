// The Azurite a test file should use: the one the globalSetup (azurite-setup.ts) started, or, when the
// file runs without that setup, one started for this file alone. Call at module top level (top-level
// await) so skips are known while tests are collected.

import { afterAll, inject } from 'vitest';
import { startAzurite } from './azurite.js';

/** What the globalSetup hands to test files: a running server's URLs, or why there is none. */
export type AzuriteProvided = { readonly blobUrl: string; readonly accountUrl: string; readonly skip?: undefined } | { readonly skip: string };

declare module 'vitest' {
  export interface ProvidedContext {
    azurite: AzuriteProvided;
  }
}

/** Resolves the Azurite for this file; `skip` (printed once) says why there is none. */
export async function useAzurite(): Promise<AzuriteProvided> {
  let provided = inject('azurite') as AzuriteProvided | undefined;
  if (provided === undefined && process.env.DUCKRUN_AZURITE === 'off') provided = { skip: 'Azurite disabled by DUCKRUN_AZURITE=off' };
  if (provided === undefined) {
    try {
      const server = await startAzurite();
      afterAll(() => server.stop());
      provided = { blobUrl: server.blobUrl, accountUrl: server.accountUrl };
    } catch (e) {
      provided = { skip: `Azurite could not be started: ${(e as Error).message}` };
    }
  }
  if (provided.skip !== undefined) console.warn(`[azurite] skipping: ${provided.skip}`);
  return provided;
}
