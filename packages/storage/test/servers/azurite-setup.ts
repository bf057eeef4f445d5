// Vitest globalSetup: one Azurite for the whole run, shared by every Azure test file through
// provide/inject (see azurite-provided.ts). If it cannot start, the reason is provided instead and
// those tests skip with it; nothing else in the run depends on Azurite.

import type { TestProject } from 'vitest/node';
import { startAzurite } from './azurite.js';
import type { AzuriteProvided } from './azurite-provided.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let provided: AzuriteProvided;
  let stop = async (): Promise<void> => {};
  try {
    if (process.env.DUCKRUN_AZURITE === 'off') throw new Error('DUCKRUN_AZURITE=off');
    const server = await startAzurite();
    provided = { blobUrl: server.blobUrl, accountUrl: server.accountUrl };
    stop = () => server.stop();
  } catch (e) {
    const why = (e as Error).message;
    provided = { skip: why === 'DUCKRUN_AZURITE=off' ? 'Azurite disabled by DUCKRUN_AZURITE=off' : `Azurite could not be started: ${why}` };
    console.warn(`[azurite] ${provided.skip}; the Azure store tests will be skipped`);
  }
  project.provide('azurite', provided);
  return stop;
}
