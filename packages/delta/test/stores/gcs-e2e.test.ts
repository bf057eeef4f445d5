// A Delta table on gs:// end to end, through the GCS adapter against the in-repo fake of the GCS JSON API
// ("fake GCS"). This proves the engine drives the adapter correctly (every commit is a create-if-absent
// with ifGenerationMatch=0, racing commits both land once), not that Google's servers behave like the fake.

import { tableFromArrays, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { startFakeGcs, type FakeGcs } from '../../../storage/test/servers/fake-gcs.js';

let fake: FakeGcs;
beforeAll(async () => {
  fake = await startFakeGcs();
  fake.createBucket('lake');
});
afterAll(async () => {
  await fake?.close();
});

const opts = (): { storageOptions: { google_storage_endpoint: string } } => ({ storageOptions: { google_storage_endpoint: fake.endpoint } });
const rows = (ids: number[]): Table => tableFromArrays({ id: Int32Array.from(ids), name: ids.map((i) => `n${i}`) });

async function ids(uri: string, version?: number): Promise<number[]> {
  const snap = await (await DeltaTable.open(uri, opts())).snapshot(version === undefined ? {} : { version });
  const out: number[] = [];
  for await (const b of snap.scan()) for (const r of b.toArray()) out.push(Number((r.toJSON() as { id: number }).id));
  return out.sort((a, b) => a - b);
}

describe('Delta table on gs:// (fake GCS)', () => {
  it('creates, appends, overwrites, checkpoints, vacuums and reads back', async () => {
    const uri = 'gs://lake/tables/people';
    expect(await writeDeltaTable(uri, rows([1, 2]), opts())).toMatchObject({ version: 0, created: true });
    expect(await writeDeltaTable(uri, rows([3]), { ...opts(), mode: 'append' })).toMatchObject({ version: 1 });
    expect(await ids(uri)).toEqual([1, 2, 3]);
    expect(await writeDeltaTable(uri, rows([7, 8]), { ...opts(), mode: 'overwrite' })).toMatchObject({ version: 2 });
    expect(await ids(uri)).toEqual([7, 8]);
    expect(await ids(uri, 1)).toEqual([1, 2, 3]);

    const table = await DeltaTable.open(uri, opts());
    const cp = await table.checkpoint();
    expect(cp.version).toBe(2);
    const names = fake.names('lake');
    expect(names).toContain('tables/people/_delta_log/00000000000000000002.checkpoint.parquet');
    expect(names).toContain('tables/people/_delta_log/_last_checkpoint');
    // Read from the checkpoint alone: the earlier commits are gone.
    const store = (table as unknown as { store: { delete(p: string[]): Promise<void> } }).store;
    await store.delete(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json']);
    expect(await ids(uri)).toEqual([7, 8]);

    // The files of versions 0 and 1 are unreferenced after the overwrite; vacuum removes them.
    const before = fake.names('lake').filter((n) => n.endsWith('.parquet') && !n.includes('_delta_log'));
    const result = await (await DeltaTable.open(uri, opts())).vacuum({ retentionHours: 0, enforceRetentionDuration: false, now: () => Date.now() + 1000 });
    expect(result.filesDeleted.length).toBeGreaterThan(0);
    const after = fake.names('lake').filter((n) => n.endsWith('.parquet') && !n.includes('_delta_log'));
    expect(after.length).toBe(before.length - result.filesDeleted.length);
    expect(await ids(uri)).toEqual([7, 8]);

    // Every commit went up as a create-if-absent: a multipart upload carrying ifGenerationMatch=0.
    const commits = fake.requests.filter((r) => r.bucket === 'lake' && /people\/_delta_log\/\d{20}\.json$/.test(commitName(r)) && r.method === 'POST');
    expect(commits.length).toBeGreaterThanOrEqual(5); // versions 0-2 and the two vacuum history commits
    expect(commits.every((r) => r.kind === 'multipart' && r.query['ifGenerationMatch'] === '0')).toBe(true);
    // Data files, checkpoints and _last_checkpoint are plain puts (no precondition).
    const others = fake.requests.filter((r) => r.bucket === 'lake' && r.method === 'POST' && !commits.includes(r));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((r) => r.query['ifGenerationMatch'] === undefined)).toBe(true);
  });

  it('lands two racing appends exactly once each', async () => {
    const uri = 'gs://lake/tables/race';
    await writeDeltaTable(uri, rows([0]), opts());
    const results = await Promise.all([
      writeDeltaTable(uri, rows([1]), { ...opts(), mode: 'append' }),
      writeDeltaTable(uri, rows([2]), { ...opts(), mode: 'append' }),
    ]);
    expect(results.map((r) => r.version).sort()).toEqual([1, 2]);
    expect(await ids(uri)).toEqual([0, 1, 2]);
    // One of them lost version 1 to the other: the fake answered it 412, and it retried at version 2.
    const v1 = fake.requests.filter((r) => r.bucket === 'lake' && r.kind === 'multipart' && r.query['ifGenerationMatch'] === '0' && /race\/_delta_log\/0+1\.json$/.test(commitName(r)));
    expect(v1.map((r) => r.status).sort()).toEqual([200, 412]);
  });
});

function commitName(r: { query: Readonly<Record<string, string>>; object?: string }): string {
  return r.object ?? r.query['name'] ?? '';
}
