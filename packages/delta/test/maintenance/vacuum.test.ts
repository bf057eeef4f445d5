import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore } from '@duckrun/storage/local';
import { checkpointTable } from '../../src/checkpoint/table-checkpoint.js';
import { commitTransaction } from '../../src/commit/transaction.js';
import { UnsupportedFeatureError, VacuumRetentionError } from '../../src/errors.js';
import { DeltaTable } from '../../src/index.js';
import { buildDeletionVectorFile, encodeDeletionVectorUuidPath, serializeDeletionVector } from '../../src/kernel/dv/descriptor.js';
import { history } from '../../src/maintenance/history.js';
import { vacuum } from '../../src/maintenance/vacuum.js';
import { freshMemoryStore, tempDir, writeCommit } from '../helpers.js';
import { DV_PROTOCOL, append, createTable, deleteFiles, expectedRows, readRows } from './fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function localTable(options: Parameters<typeof createTable>[1] = {}) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store = new LocalStore(dir);
  return { dir, store, table: await createTable(store, options) };
}

/** Every file under `dir`, as `/`-separated relative paths. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function age(dir: string, keys: readonly string[], when: number): Promise<void> {
  for (const k of keys) await utimes(path.join(dir, k), new Date(when), new Date(when));
}

async function put(dir: string, key: string, text = 'x'): Promise<void> {
  await mkdir(path.dirname(path.join(dir, key)), { recursive: true });
  await writeFile(path.join(dir, key), text);
}

/**
 * A table whose folder holds every kind of file vacuum must tell apart, all ten days old except
 * where noted:
 * - `gone`: removed ten days ago (expired tombstone) → delete
 * - `recentlyRemoved`: removed an hour ago (tombstone inside retention) → keep
 * - `live` (with a deletion vector file) → keep both
 * - an old orphan parquet, an old orphan DV file, an old file in a `_p=1` partition folder → delete
 * - a recent orphan → keep; hidden files and folders, and `_delta_log` → keep
 */
async function messyTable() {
  const now = Date.now();
  const { dir, store, table } = await localTable({ protocol: DV_PROTOCOL });
  const gone = (await append(table, [1, 2])).adds;
  const recentlyRemoved = (await append(table, [3, 4])).adds;
  const live = (await append(table, [5, 6, 7])).adds;
  await deleteFiles(table, gone, now - 10 * DAY);
  await deleteFiles(table, recentlyRemoved, now - HOUR);

  const body = serializeDeletionVector([0]);
  const dvFile = buildDeletionVectorFile([body]);
  const uuid = '0229ec3d-5100-44e1-8e53-702d448da8da';
  const dvKey = `ab/deletion_vector_${uuid}.bin`;
  await store.put(dvKey, dvFile.bytes);
  const liveAdd = live[0]!;
  await commitTransaction(store, table.uri, await table.snapshot(), {
    actions: [
      { remove: { path: liveAdd.path, dataChange: true, deletionTimestamp: now - 10 * DAY, partitionValues: {}, size: liveAdd.size } },
      {
        add: {
          ...liveAdd,
          deletionVector: { storageType: 'u', pathOrInlineDv: encodeDeletionVectorUuidPath(uuid, 'ab'), offset: dvFile.offsets[0]!, sizeInBytes: body.byteLength, cardinality: 1 },
        },
      },
    ],
    operation: 'DELETE',
    operationParameters: {},
    pinned: false,
    blindAppend: false,
  });

  const orphans = ['part-00000-orphan.c000.snappy.parquet', 'cd/deletion_vector_11111111-2222-3333-4444-555555555555.bin', '_p=1/part-00000-old.parquet'];
  const hidden = ['_SUCCESS', '.part-00000-x.parquet.crc', '_tmp/part-00000-y.parquet', '.staging/z.parquet'];
  for (const k of [...orphans, ...hidden]) await put(dir, k);
  await age(dir, await filesUnder(dir), now - 10 * DAY);
  const recentOrphan = 'part-00001-recent.c000.snappy.parquet';
  await put(dir, recentOrphan);

  const key = (p: string) => decodeURIComponent(p);
  return {
    dir,
    store,
    table,
    now,
    dvKey,
    gone: gone.map((a) => key(a.path)),
    recentlyRemoved: recentlyRemoved.map((a) => key(a.path)),
    live: live.map((a) => key(a.path)),
    orphans,
    hidden,
    recentOrphan,
  };
}

describe('vacuum', () => {
  it('lists exactly the unreferenced files older than the retention on a dry run, and deletes nothing', async () => {
    const t = await messyTable();
    const before = await filesUnder(t.dir);
    const result = await vacuum(t.table, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.filesDeleted).toEqual([...t.gone, ...t.orphans].sort());
    expect(result.bytesDeleted).toBeGreaterThan(0);
    expect(result.retentionMs).toBe(7 * DAY);
    expect(await filesUnder(t.dir)).toEqual(before);
    expect((await history(t.table)).map((e) => e.operation)[0]).toBe('DELETE');
  });

  it('deletes those files and keeps live files, their deletion vectors, recent tombstones, recent orphans and hidden files', async () => {
    const t = await messyTable();
    const result = await vacuum(t.table);
    expect(result.dryRun).toBe(false);
    expect(result.filesDeleted).toEqual([...t.gone, ...t.orphans].sort());
    const remaining = await filesUnder(t.dir);
    for (const k of result.filesDeleted) expect(remaining).not.toContain(k);
    for (const k of [...t.live, t.dvKey, ...t.recentlyRemoved, t.recentOrphan, ...t.hidden]) expect(remaining).toContain(k);
    expect(remaining.filter((k) => k.startsWith('_delta_log/')).length).toBeGreaterThan(0);
    // The table and the version before the recent removal still read.
    expect(await readRows(t.table)).toEqual(expectedRows([6, 7]));
    expect(await readRows(t.table, 4)).toEqual(expectedRows([3, 4, 5, 6, 7]));
    const ops = (await history(t.table, { limit: 2 })).map((e) => [e.operation, e.operationParameters]);
    expect(ops).toEqual([
      ['VACUUM END', { status: 'COMPLETED' }],
      ['VACUUM START', { retentionCheckEnabled: 'true', defaultRetentionMillis: String(7 * DAY) }],
    ]);
  });

  it('with a zero retention and the check turned off, also deletes recent tombstones and orphans', async () => {
    const t = await messyTable();
    const result = await vacuum(t.table, { retentionHours: 0, enforceRetentionDuration: false, now: () => Date.now() + 1000, logToHistory: false });
    expect(result.filesDeleted).toEqual([...t.gone, ...t.orphans, ...t.recentlyRemoved, t.recentOrphan].sort());
    const remaining = await filesUnder(t.dir);
    for (const k of [...t.live, t.dvKey, ...t.hidden]) expect(remaining).toContain(k);
    expect(await readRows(t.table)).toEqual(expectedRows([6, 7]));
  });

  it('refuses a retention shorter than 168 hours unless the check is turned off, saying how', async () => {
    const table = await createTable(freshMemoryStore());
    const err = await vacuum(table, { retentionHours: 24 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VacuumRetentionError);
    expect((err as Error).message).toContain(table.uri);
    expect((err as Error).message).toContain('enforceRetentionDuration: false');
    expect((err as Error).message).toContain('168');
    await expect(vacuum(table, { retentionHours: 24, enforceRetentionDuration: false, dryRun: true })).resolves.toMatchObject({ retentionMs: DAY });
    await expect(vacuum(table, { retentionHours: 168, dryRun: true })).resolves.toMatchObject({ retentionMs: 7 * DAY });
  });

  it("honours the table's delta.deletedFileRetentionDuration as default and as the floor", async () => {
    const table = await createTable(freshMemoryStore(), { configuration: { 'delta.deletedFileRetentionDuration': 'interval 2 days' } });
    await expect(vacuum(table, { dryRun: true })).resolves.toMatchObject({ retentionMs: 2 * DAY });
    await expect(vacuum(table, { retentionHours: 48, dryRun: true })).resolves.toMatchObject({ retentionMs: 2 * DAY });
    await expect(vacuum(table, { retentionHours: 47 })).rejects.toBeInstanceOf(VacuumRetentionError);
  });

  it('deletes files removed by a delete once the retention has passed, given an injected clock', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    const { adds } = await append(table, [1]);
    await append(table, [2]);
    await deleteFiles(table, adds);
    const key = decodeURIComponent(adds[0]!.path);
    expect((await vacuum(table, { dryRun: true })).filesDeleted).toEqual([]);
    const later = await vacuum(table, { now: () => Date.now() + 8 * DAY });
    expect(later.filesDeleted).toEqual([key]);
    await expect(store.head(key)).rejects.toThrow();
    expect(await readRows(table)).toEqual(expectedRows([2]));
  });

  it('keeps files of unexpired tombstones that only a checkpoint still records', async () => {
    const now = Date.now();
    const { dir, store, table } = await localTable();
    const { adds } = await append(table, [1]);
    await append(table, [2]);
    await deleteFiles(table, adds, now - HOUR);
    await checkpointTable(table, { version: 3 });
    // Log cleanup after the checkpoint: the commit holding the remove is gone.
    await store.delete([0, 1, 2, 3].map((v) => `_delta_log/${String(v).padStart(20, '0')}.json`));
    await age(dir, (await filesUnder(dir)).filter((k) => !k.startsWith('_delta_log/')), now - 10 * DAY);
    const key = decodeURIComponent(adds[0]!.path);

    expect((await vacuum(table, { dryRun: true })).filesDeleted).toEqual([]);
    expect((await vacuum(table, { dryRun: true, now: () => now + 7 * DAY })).filesDeleted).toEqual([key]);
  });

  it('refuses tables whose writer features it cannot keep (vacuum protocol check)', async () => {
    const table = await createTable(freshMemoryStore(), {
      protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['vacuumProtocolCheck'], writerFeatures: ['vacuumProtocolCheck'] },
    });
    await expect(vacuum(table, { dryRun: true })).resolves.toMatchObject({ filesDeleted: [] });
    // Written by hand: our own commit path rightly refuses to produce an unknown feature.
    const store = freshMemoryStore();
    await createTable(store);
    await writeCommit(store, 1, [{ protocol: { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['someFutureFeature'] } }]);
    const future = await DeltaTable.open(store.url, { store });
    await expect(vacuum(future, { dryRun: true })).rejects.toThrow(/someFutureFeature/);
    await expect(vacuum(future, { dryRun: true })).rejects.toBeInstanceOf(UnsupportedFeatureError);
  });
});
