// Helpers of the connect() tests: a temp root, and the code/message of an expected duckrun error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDuckrunError } from '@duckrun/storage';

/** A fresh temporary root folder and its cleanup. */
export function tempRoot(label: string): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), `duckrun-connect-${label}-`));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The code and message of the duckrun error `p` rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (!isDuckrunError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a duckrun error');
}
