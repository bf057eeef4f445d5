import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/index.js';
import { history } from '../../src/maintenance/history.js';
import { freshMemoryStore, writeCommit } from '../helpers.js';
import { append, createTable } from './fixtures.js';

describe('history', () => {
  it('lists every commit newest first with its commitInfo fields', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1, 2]);
    await append(table, [3]);

    const entries = await history(table);
    expect(entries.map((e) => e.version)).toEqual([2, 1, 0]);
    expect(entries.map((e) => e.operation)).toEqual(['WRITE', 'WRITE', 'CREATE TABLE']);
    const newest = entries[0]!;
    expect(newest.readVersion).toBe(1);
    expect(newest.isBlindAppend).toBe(true);
    expect(newest.engineInfo).toMatch(/^duckrun\//);
    expect(newest.operationParameters).toEqual({ mode: 'Append', partitionBy: '[]' });
    expect(newest.isolationLevel).toBe('WriteSerializable');
    expect(typeof newest.txnId).toBe('string');
    expect(entries[2]!.readVersion).toBeUndefined();
  });

  it('returns only the newest commits when given a limit', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    for (let i = 0; i < 4; i++) await append(table, [i]);
    expect((await history(table, { limit: 2 })).map((e) => e.version)).toEqual([4, 3]);
    expect((await history(table, { limit: 100 })).map((e) => e.version)).toEqual([4, 3, 2, 1, 0]);
  });

  it('gives timestamps that time travel by timestamp maps back to the same version', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1]);
    await new Promise((r) => setTimeout(r, 5));
    await append(table, [2]);
    const entries = await history(table);
    for (let i = 1; i < entries.length; i++) expect(entries[i - 1]!.timestamp).toBeGreaterThan(entries[i]!.timestamp);
    for (const e of entries) expect((await table.snapshot({ timestamp: e.timestamp })).version).toBe(e.version);
  });

  it('uses the in-commit timestamp when the commit records one', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await writeCommit(store, 1, [{ commitInfo: { timestamp: 5, inCommitTimestamp: 1_700_000_000_000, operation: 'WRITE' } }]);
    const [newest] = await history(table, { limit: 1 });
    expect(newest).toMatchObject({ version: 1, timestamp: 1_700_000_000_000, operation: 'WRITE' });
  });

  it('leaves out versions whose commit files were cleaned up', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1]);
    await append(table, [2]);
    await store.delete(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json']);
    expect((await history(table)).map((e) => e.version)).toEqual([2]);
  });

  it('reports a commit without commitInfo by version and file time only', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await writeCommit(store, 1, [{ txn: { appId: 'x', version: 1 } }]);
    const [newest] = await history(table, { limit: 1 });
    expect(newest!.version).toBe(1);
    expect(newest!.operation).toBeUndefined();
    expect(newest!.timestamp).toBeGreaterThan(0);
  });

  it('refuses a limit that is not a positive whole number', async () => {
    const table = await createTable(freshMemoryStore());
    await expect(history(table, { limit: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
  });
});
