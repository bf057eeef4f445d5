import { describe, expect, it } from 'vitest';
import { DeltaTable } from '../../src/table.js';
import { VersionNotFoundError } from '../../src/errors.js';
import { checkpointTable } from '../../src/checkpoint/table-checkpoint.js';
import { selectCheckpoints } from '../../src/kernel/log/log-segment.js';
import { formatVersion } from '../../src/kernel/log/log-path.js';
import type { RemoveFile } from '../../src/kernel/actions/types.js';
import { listLog, readCheckpoint, readLastCheckpoint } from '../../src/log/reader.js';
import { freshMemoryStore } from '../helpers.js';
import { appendFile, commitActions, createTable, logNames, removeAction } from './table-builder.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function checkpointRemoves(store: ReturnType<typeof freshMemoryStore>, version: number): Promise<RemoveFile[]> {
  const candidate = selectCheckpoints(await listLog(store, 0), version).find((c) => c.version === version)!;
  const removes: RemoveFile[] = [];
  for await (const batch of readCheckpoint(store, store.url, candidate)) for (const a of batch) if ('remove' in a) removes.push(a.remove);
  return removes;
}

describe('checkpointTable', () => {
  it('checkpoints the latest version on demand', async () => {
    const store = freshMemoryStore();
    await createTable(store);
    for (let v = 1; v <= 7; v++) await appendFile(store, `f-${v}.parquet`);
    const info = await checkpointTable(await DeltaTable.open(store.url, { store }));
    expect(info).toMatchObject({ version: 7, parts: 1, numOfAddFiles: 7, size: 9 });
    expect((await readLastCheckpoint(store))?.version).toBe(7);
    await store.delete(Array.from({ length: 7 }, (_, v) => `_delta_log/${formatVersion(v)}.json`));
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.version).toBe(7);
    expect(snap.addFiles().map((f) => f.path).sort()).toEqual(['f-1', 'f-2', 'f-3', 'f-4', 'f-5', 'f-6', 'f-7'].map((f) => `${f}.parquet`));
  });

  it('checkpoints an older version on request without moving _last_checkpoint back', async () => {
    const store = freshMemoryStore();
    await createTable(store);
    for (let v = 1; v <= 6; v++) await appendFile(store, `f-${v}.parquet`);
    const table = await DeltaTable.open(store.url, { store });
    await checkpointTable(table);
    const older = await checkpointTable(table, { version: 3 });
    expect(older).toMatchObject({ version: 3, numOfAddFiles: 3 });
    expect((await readLastCheckpoint(store))?.version).toBe(6);
    // Version 4 now loads from checkpoint 3 and commit 4 alone.
    await store.delete([0, 1, 2, 3].map((v) => `_delta_log/${formatVersion(v)}.json`));
    expect((await table.snapshot({ version: 4 })).numFiles).toBe(4);
    await expect(table.snapshot({ version: 2 })).rejects.toThrow(VersionNotFoundError);
  });

  it('writes the unexpired tombstones into the checkpoint and drops the expired ones', async () => {
    const store = freshMemoryStore();
    const now = Date.UTC(2026, 0, 15);
    await createTable(store);
    for (const f of ['old', 'recent', 'readded', 'live']) await appendFile(store, `${f}.parquet`);
    await commitActions(store, [
      removeAction('old.parquet', now - 8 * DAY), // past the default 7-day retention
      removeAction('recent.parquet', now - HOUR),
      removeAction('readded.parquet', now - HOUR),
      { remove: { path: 'no-timestamp.parquet', dataChange: true } }, // read as deleted at epoch 0
    ]);
    await appendFile(store, 'readded.parquet');
    const table = await DeltaTable.open(store.url, { store });
    expect((await table.snapshot()).tombstones().map((t) => t.path).sort()).toEqual(['no-timestamp.parquet', 'old.parquet', 'recent.parquet']);

    const info = await checkpointTable(table, { now });
    expect(info).toMatchObject({ numOfAddFiles: 2, size: 2 + 2 + 1 });
    const removes = await checkpointRemoves(store, info.version);
    expect(removes).toEqual([expect.objectContaining({ path: 'recent.parquet', deletionTimestamp: now - HOUR, dataChange: true, size: 10 })]);
    // A reader of the checkpoint sees the same tombstones the checkpoint kept.
    await store.delete((await logNames(store)).filter((n) => n.endsWith('.json')).map((n) => `_delta_log/${n}`));
    const fromCheckpoint = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(fromCheckpoint.tombstones().map((t) => t.path)).toEqual(['recent.parquet']);
    expect(fromCheckpoint.addFiles().map((f) => f.path).sort()).toEqual(['live.parquet', 'readded.parquet']);
  });

  it('honours delta.deletedFileRetentionDuration when choosing tombstones', async () => {
    const store = freshMemoryStore();
    const now = Date.UTC(2026, 0, 15);
    await createTable(store, { 'delta.deletedFileRetentionDuration': 'interval 30 minutes' });
    await appendFile(store, 'a.parquet');
    await appendFile(store, 'b.parquet');
    await commitActions(store, [removeAction('a.parquet', now - HOUR), removeAction('b.parquet', now - 10 * 60_000)]);
    const info = await checkpointTable(await DeltaTable.open(store.url, { store }), { now });
    expect((await checkpointRemoves(store, info.version)).map((r) => r.path)).toEqual(['b.parquet']);
  });
});
