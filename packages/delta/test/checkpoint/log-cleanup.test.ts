import { utimes } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStore } from '@duckrun/storage/local';
import { DeltaTable } from '../../src/table.js';
import { CheckpointError, VersionNotFoundError } from '../../src/errors.js';
import { cleanExpiredLogs } from '../../src/log/cleanup.js';
import { formatVersion } from '../../src/kernel/log/log-path.js';
import { readLastCheckpoint } from '../../src/log/reader.js';
import { freshMemoryStore, tempDir } from '../helpers.js';
import { appendFile, createTable, logNames } from './table-builder.js';

const DAY = 86_400_000;

describe('expired log cleanup after a checkpoint', () => {
  it('deletes the expired commits below the checkpoint; the table loads at the latest version and time travel below it fails', async () => {
    const store = freshMemoryStore();
    await createTable(store);
    for (let v = 1; v < 100; v++) await appendFile(store, `f-${v}.parquet`);
    // Thirty-one days later the hundredth commit arrives: everything before it is past the 30-day retention.
    const later = Date.now() + 31 * DAY;
    const r = await appendFile(store, 'f-100.parquet', { now: () => later });
    expect(r.postCommit.checkpoint?.version).toBe(100);
    expect(r.postCommit.checkpointError).toBeUndefined();
    expect(r.postCommit.cleanedLogFiles).toBe(100);

    expect(await logNames(store)).toEqual(['00000000000000000100.checkpoint.parquet', '00000000000000000100.json', '_last_checkpoint']);
    const table = await DeltaTable.open(store.url, { store });
    expect((await table.snapshot()).numFiles).toBe(100);
    expect((await table.snapshot({ version: 100 })).numFiles).toBe(100);
    await expect(table.snapshot({ version: 99 })).rejects.toThrow(VersionNotFoundError);
    await expect(table.snapshot({ version: 0 })).rejects.toThrow(VersionNotFoundError);
    const next = await appendFile(store, 'f-101.parquet');
    expect(next.version).toBe(101);
    expect((await table.snapshot()).numFiles).toBe(101);
  });

  it('stops at the newest checkpoint older than the cutoff, so every remaining version stays loadable (local store)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = new LocalStore(dir);
      await createTable(store, { 'delta.checkpointInterval': '5' });
      for (let v = 1; v <= 14; v++) await appendFile(store, `f-${v}.parquet`);
      // Versions 0–9 (and checkpoint 5) are 40 days old; checkpoint 10 and the commits from 10 on are fresh.
      const old = new Date(Date.now() - 40 * DAY);
      for (const name of await logNames(store)) {
        const version = Number(name.slice(0, 20));
        if (Number.isInteger(version) && version < 10) await utimes(path.join(dir, '_delta_log', name), old, old);
      }
      const r = await appendFile(store, 'f-15.parquet');
      expect(r.postCommit.checkpoint?.version).toBe(15);
      expect(r.postCommit.cleanedLogFiles).toBe(5);

      const names = await logNames(store);
      expect(names.filter((n) => n.endsWith('.json')).map((n) => Number(n.slice(0, 20)))).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
      expect(names).toContain('00000000000000000005.checkpoint.parquet');
      expect(names).toContain('_last_checkpoint');
      expect((await readLastCheckpoint(store))?.version).toBe(15);

      const table = await DeltaTable.open(dir);
      for (let v = 5; v <= 15; v++) expect((await table.snapshot({ version: v })).numFiles).toBe(v);
      for (let v = 0; v < 5; v++) await expect(table.snapshot({ version: v })).rejects.toThrow(VersionNotFoundError);
    } finally {
      await cleanup();
    }
  });

  it('deletes nothing when delta.enableExpiredLogCleanup is false', async () => {
    const store = freshMemoryStore();
    await createTable(store, { 'delta.checkpointInterval': '3', 'delta.enableExpiredLogCleanup': 'false' });
    await appendFile(store, 'a.parquet');
    await appendFile(store, 'b.parquet');
    const r = await appendFile(store, 'c.parquet', { now: () => Date.now() + 365 * DAY });
    expect(r.postCommit.checkpoint?.version).toBe(3);
    expect(r.postCommit.cleanedLogFiles).toBeUndefined();
    expect((await logNames(store)).filter((n) => n.endsWith('.json'))).toHaveLength(4);
  });

  it('honours a shorter delta.logRetentionDuration', async () => {
    const store = freshMemoryStore();
    await createTable(store, { 'delta.checkpointInterval': '2', 'delta.logRetentionDuration': 'interval 1 hour' });
    await appendFile(store, 'a.parquet');
    const r = await appendFile(store, 'b.parquet', { now: () => Date.now() + 2 * 3_600_000 });
    expect(r.postCommit.cleanedLogFiles).toBe(2);
    expect((await (await DeltaTable.open(store.url, { store })).snapshot()).numFiles).toBe(2);
  });

  it('refuses to clean up when the checkpoint the log would start from is truncated', async () => {
    const store = freshMemoryStore();
    await createTable(store, { 'delta.checkpointInterval': '2', 'delta.enableExpiredLogCleanup': 'false' });
    await appendFile(store, 'a.parquet');
    await appendFile(store, 'b.parquet');
    const key = `_delta_log/${formatVersion(2)}.checkpoint.parquet`;
    const bytes = await store.get(key);
    await store.put(key, bytes.subarray(0, bytes.length - 10));
    const err = await cleanExpiredLogs(store, store.url, Date.now() + DAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/no log file was deleted/);
    expect((await logNames(store)).filter((n) => n.endsWith('.json'))).toHaveLength(3);
  });
});
