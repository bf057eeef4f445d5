// Opt-in: the object-store contract against a real GCS bucket, the only real proof of the GCS adapter
// (gcs.test.ts runs against a fake). Skipped unless DUCKRUN_GCS_LIVE_BUCKET names a bucket the
// credentials may write; credentials come from the usual places (google_service_account* via the
// GOOGLE_SERVICE_ACCOUNT / GOOGLE_SERVICE_ACCOUNT_KEY / GOOGLE_APPLICATION_CREDENTIALS environment
// variables, or Application Default Credentials). Everything is written under
// duckrun-live/<run id>/ and deleted afterwards.

import { afterAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, resolveStore, type ObjectStore } from '../../src/index.js';
import { describeObjectStoreContract } from '../contract.js';

const bucket = process.env['DUCKRUN_GCS_LIVE_BUCKET'];
const skip = bucket ? undefined : 'set DUCKRUN_GCS_LIVE_BUCKET to a writable GCS bucket (credentials from GOOGLE_APPLICATION_CREDENTIALS or ADC) to run against real GCS';
const run = `duckrun-live/${Date.now()}-${process.pid}`;
let n = 0;

async function liveStore(): Promise<ObjectStore> {
  return resolveStore(`gs://${bucket}/${run}/${++n}`);
}

afterAll(async () => {
  if (!bucket) return;
  const root = await resolveStore(`gs://${bucket}/${run}`);
  const keys: string[] = [];
  for await (const m of root.list('')) keys.push(m.path);
  await root.delete(keys);
}, 300_000);

describeObjectStoreContract('real GCS (live)', liveStore, skip === undefined ? {} : { skip });

describe.skipIf(skip !== undefined)(`real GCS (live) preconditions${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('lets exactly one of 8 writers create a commit and keeps its bytes', async () => {
    const store = await liveStore();
    const key = '_delta_log/00000000000000000000.json';
    const payloads = Array.from({ length: 8 }, (_, i) => new TextEncoder().encode(`{"commitInfo":{"txnId":"live-${i}"}}`));
    const results = await Promise.allSettled(payloads.map((p) => store.putIfAbsent(key, p)));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
    expect(await store.get(key)).toEqual(payloads[winners[0]!]);
  });
});
