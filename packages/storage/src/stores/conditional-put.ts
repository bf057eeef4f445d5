// Create-if-absent over HTTP is ambiguous when a request fails after it may have reached the server (a
// timeout, a reset, a 5xx) or when the SDK retried it: the object may be ours, or a rival's. A Delta commit
// must never be reported lost when it landed (the caller would retry and commit twice) nor won when a rival
// holds the version. Commit payloads are unique (commitInfo carries a txnId), so reading the object back and
// comparing bytes settles it.

import { AlreadyExistsError, StoreUnavailableError } from '../errors.js';

/** What a single conditional PUT attempt reported. */
export type ConditionalPutOutcome = 'created' | 'exists' | 'ambiguous';

/**
 * Runs one create-if-absent `attempt` and resolves the ambiguity: `exists` or `ambiguous` outcomes read
 * the object back (`read` resolves undefined when it is absent); identical bytes mean the write was ours.
 * An `ambiguous` attempt whose object is absent is retried (up to `retries` times);
 * StoreUnavailableError is thrown when it stays unresolved.
 */
export async function putIfAbsentSafely(options: {
  readonly key: string;
  readonly data: Uint8Array;
  readonly attempt: () => Promise<{ outcome: ConditionalPutOutcome; error?: unknown }>;
  readonly read: () => Promise<Uint8Array | undefined>;
  readonly retries?: number;
  /** The object's URL, for messages. */
  readonly describe: string;
}): Promise<void> {
  const retries = options.retries ?? 3;
  let lastError: unknown;
  for (let i = 0; i <= retries; i++) {
    const { outcome, error } = await options.attempt();
    if (outcome === 'created') return;
    lastError = error;
    const current = await options.read();
    if (current !== undefined) {
      if (sameBytes(current, options.data)) return;
      throw new AlreadyExistsError(options.describe, { cause: error });
    }
    // "exists" yet absent on read: deleted in between (only vacuum/cleanup delete, never commits); try again.
  }
  throw new StoreUnavailableError(
    `${options.describe}: create-if-absent could not be confirmed after ${retries + 1} attempts (${(lastError as Error)?.message ?? String(lastError)}); the store is unreachable or failing`,
    { cause: lastError },
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
