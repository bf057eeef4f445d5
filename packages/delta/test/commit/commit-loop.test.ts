import { afterEach, describe, expect, it } from 'vitest';
import { isDuckrunError, type ObjectStore } from '@duckrun/storage';
import { LocalStore } from '@duckrun/storage/local';
import { DeltaTable } from '../../src/index.js';
import type { Action } from '../../src/kernel/actions/types.js';
import { formatVersion } from '../../src/kernel/log/log-path.js';
import type { CommitPlan } from '../../src/kernel/txn/commit-plan.js';
import { commit, type CommitOptions } from '../../src/commit/commit-loop.js';
import { CommitConflictError } from '../../src/commit/errors.js';
import { addAction, freshMemoryStore, tableHeader, tempDir, writeCommit } from '../helpers.js';

const SCHEMA = [{ name: 'id', type: 'long' }];
const noSleep: CommitOptions = { sleep: async () => {} };

const append = (readVersion: number, file: string, extra: Partial<CommitPlan> = {}): CommitPlan => ({
  actions: [addAction(file, 10) as Action],
  operation: 'WRITE',
  operationParameters: { mode: 'Append', partitionBy: [] },
  readVersion,
  isolation: 'WriteSerializable',
  pinned: false,
  blindAppend: true,
  ...extra,
});

async function newTable(store: ObjectStore): Promise<void> {
  await writeCommit(store, 0, [{ commitInfo: { operation: 'CREATE TABLE' } }, ...tableHeader(SCHEMA)]);
}

async function commitLines(store: ObjectStore, version: number): Promise<Record<string, unknown>[]> {
  const text = new TextDecoder().decode(await store.get(`_delta_log/${formatVersion(version)}.json`));
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function conflictOf(p: Promise<unknown>): Promise<CommitConflictError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CommitConflictError);
    expect(isDuckrunError(e, 'DELTA_COMMIT_CONFLICT')).toBe(true);
    return e as CommitConflictError;
  }
  throw new Error('expected a CommitConflictError');
}

describe('commit loop (MemoryStore)', () => {
  it('writes commitInfo first and the commit reads back through DeltaTable', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    const r = await commit(store, store.url, append(0, 'a.parquet'), { now: () => 1234, uuid: () => 'txn-1' });
    expect(r).toEqual({ version: 1, attempts: 1 });

    const lines = await commitLines(store, 1);
    expect(Object.keys(lines[0]!)).toEqual(['commitInfo']);
    expect(lines[0]!.commitInfo).toMatchObject({
      timestamp: 1234,
      operation: 'WRITE',
      operationParameters: { mode: 'Append', partitionBy: '[]' },
      isBlindAppend: true,
      isolationLevel: 'WriteSerializable',
      readVersion: 0,
      txnId: 'txn-1',
    });
    expect(String((lines[0]!.commitInfo as { engineInfo: string }).engineInfo)).toMatch(/^duckrun\/\d+\.\d+\.\d+/);
    expect(lines[1]).toHaveProperty('add.path', 'a.parquet');

    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.version).toBe(1);
    expect(snap.files().map((f) => f.path)).toEqual(['a.parquet']);
  });

  it('creates a table at version 0 and refuses a second concurrent create', async () => {
    const store = freshMemoryStore();
    const create = (id: string): CommitPlan => ({
      actions: tableHeader(SCHEMA).map((a) => (('metaData' in a ? { metaData: { ...(a as { metaData: object }).metaData, id } } : a) as Action)),
      operation: 'CREATE TABLE',
      operationParameters: { isManaged: false },
      readVersion: -1,
      isolation: 'WriteSerializable',
      pinned: false,
      blindAppend: false,
    });
    const [a, b] = await Promise.allSettled([commit(store, store.url, create('one'), noSleep), commit(store, store.url, create('two'), noSleep)]);
    expect(a).toEqual({ status: 'fulfilled', value: { version: 0, attempts: 1 } });
    expect(b.status).toBe('rejected');
    const err = (b as PromiseRejectedResult).reason as CommitConflictError;
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.winningVersion).toBe(0);
    expect(err.winningOperation).toBe('CREATE TABLE');
    expect(err.reason).toBe('tableExists');
    expect(err.message).toContain('created the table first');
    expect((await (await DeltaTable.open(store.url, { store })).snapshot()).metadata.id).toBe('one');
  });

  it('lands two concurrent blind appends at versions n+1 and n+2', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    await commit(store, store.url, append(0, 'first.parquet'));
    const [a, b] = await Promise.all([commit(store, store.url, append(1, 'a.parquet'), noSleep), commit(store, store.url, append(1, 'b.parquet'), noSleep)]);
    expect([a.version, b.version].sort()).toEqual([2, 3]);
    expect([a.attempts, b.attempts].sort()).toEqual([1, 2]);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.version).toBe(3);
    expect(snap.files().map((f) => f.path).sort()).toEqual(['a.parquet', 'b.parquet', 'first.parquet']);
  });

  it('rebases over several winners at once and commits after the last', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    for (let v = 1; v <= 3; v++) await writeCommit(store, v, [{ commitInfo: { operation: 'WRITE', isBlindAppend: true } }, addAction(`w${v}.parquet`, 1)]);
    const sleeps: number[] = [];
    const r = await commit(store, store.url, append(0, 'mine.parquet'), { sleep: async (ms) => void sleeps.push(ms) });
    expect(r).toEqual({ version: 4, attempts: 2 });
    expect(sleeps).toHaveLength(1);
    expect((await commitLines(store, 4))[0]!.commitInfo).toMatchObject({ readVersion: 0 });
  });

  it('fails an append with CommitConflictError naming a winner that changed the metadata', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    await writeCommit(store, 1, [{ commitInfo: { operation: 'SET TBLPROPERTIES' } }, tableHeader(SCHEMA, { configuration: { 'delta.appendOnly': 'true' } })[1]!]);
    const err = await conflictOf(commit(store, store.url, append(0, 'a.parquet'), noSleep));
    expect(err).toMatchObject({ winningVersion: 1, winningOperation: 'SET TBLPROPERTIES', retries: 0, reason: 'metadataChanged' });
    expect(err.message).toContain('version 1 (SET TBLPROPERTIES)');
    expect(err.message).toContain('0 retries');
    await expect(store.head(`_delta_log/${formatVersion(2)}.json`)).rejects.toThrow();
  });

  it('names the retry count when a conflict appears after rebasing', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    // A hostile writer: the first time we try v1 a blind append wins it; when we try v2 a metadata change wins.
    const racing: ObjectStore = Object.create(store) as ObjectStore;
    let tries = 0;
    racing.putIfAbsent = async (path, data) => {
      tries++;
      if (tries === 1) await writeCommit(store, 1, [{ commitInfo: { operation: 'WRITE', isBlindAppend: true } }, addAction('x.parquet', 1)]);
      if (tries === 2) await writeCommit(store, 2, [{ commitInfo: { operation: 'CHANGE COLUMN' } }, tableHeader(SCHEMA)[1]!]);
      return store.putIfAbsent(path, data);
    };
    const err = await conflictOf(commit(racing, store.url, append(0, 'a.parquet'), noSleep));
    expect(err).toMatchObject({ winningVersion: 2, winningOperation: 'CHANGE COLUMN', retries: 1 });
    expect(err.message).toContain('1 retry');
  });

  it('fails a pinned commit on any intervening commit, even a blind append', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    await writeCommit(store, 1, [{ commitInfo: { operation: 'WRITE', isBlindAppend: true } }, addAction('x.parquet', 1)]);
    await writeCommit(store, 2, [{ commitInfo: { operation: 'WRITE', isBlindAppend: true } }, addAction('y.parquet', 1)]);
    const err = await conflictOf(commit(store, store.url, append(0, 'a.parquet', { pinned: true }), noSleep));
    expect(err).toMatchObject({ winningVersion: 1, winningOperation: 'WRITE', reason: 'pinned', retries: 0 });
    expect(err.message).toContain('pinned');
  });

  it('a pinned commit succeeds when nothing intervened', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    expect(await commit(store, store.url, append(0, 'a.parquet', { pinned: true }))).toEqual({ version: 1, attempts: 1 });
  });

  it('gives up with a clear error when retries are exhausted, backing off exponentially with jitter', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    // Another writer wins every version we try.
    const racing: ObjectStore = Object.create(store) as ObjectStore;
    racing.putIfAbsent = async (path, data) => {
      const v = Number(/(\d{20})\.json$/.exec(path)![1]);
      await writeCommit(store, v, [{ commitInfo: { operation: 'STREAMING UPDATE', isBlindAppend: true } }, addAction(`other-${v}.parquet`, 1)]);
      return store.putIfAbsent(path, data);
    };
    const sleeps: number[] = [];
    const err = await conflictOf(
      commit(racing, store.url, append(0, 'a.parquet'), { maxRetries: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 1, backoff: { initialMs: 100, maxMs: 300 } }),
    );
    expect(err).toMatchObject({ reason: 'retriesExhausted', retries: 3, winningVersion: 4, winningOperation: 'STREAMING UPDATE' });
    expect(err.message).toMatch(/gave up after 3 retries.*maxRetries/);
    expect(sleeps).toEqual([100, 200, 300]);
  });

  it('keeps in-commit timestamps strictly increasing across a rebase', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    await writeCommit(store, 1, [{ commitInfo: { inCommitTimestamp: 9000, operation: 'WRITE', isBlindAppend: true } }, addAction('w.parquet', 1)]);
    const r = await commit(store, store.url, append(0, 'a.parquet', { previousInCommitTimestamp: 5000 }), { ...noSleep, now: () => 1000 });
    expect(r.version).toBe(2);
    expect((await commitLines(store, 2))[0]!.commitInfo).toMatchObject({ inCommitTimestamp: 9001, timestamp: 9001 });
  });

  it('rebases a blind append over a concurrent compaction (dataChange=false)', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    await commit(store, store.url, append(0, 'a.parquet'));
    await commit(store, store.url, append(1, 'b.parquet'));
    await writeCommit(store, 3, [
      { commitInfo: { operation: 'OPTIMIZE', isBlindAppend: false } },
      { remove: { path: 'a.parquet', dataChange: false } },
      { remove: { path: 'b.parquet', dataChange: false } },
      addAction('ab.parquet', 20, { dataChange: false }),
    ]);
    expect(await commit(store, store.url, append(2, 'c.parquet'), noSleep)).toEqual({ version: 4, attempts: 2 });
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.files().map((f) => f.path).sort()).toEqual(['ab.parquet', 'c.parquet']);
  });

  it('passes other store errors through without retrying or writing', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    const broken: ObjectStore = Object.create(store) as ObjectStore;
    broken.putIfAbsent = async () => {
      throw new Error('network down');
    };
    await expect(commit(broken, store.url, append(0, 'a.parquet'))).rejects.toThrow('network down');
  });

  it('rejects a plan that carries its own commitInfo or cannot be encoded, writing nothing', async () => {
    const store = freshMemoryStore();
    await newTable(store);
    const withInfo = append(0, 'a.parquet', { actions: [{ commitInfo: { operation: 'X' } }] });
    await expect(commit(store, store.url, withInfo)).rejects.toMatchObject({ code: 'DELTA_INVALID_OPTION' });
    const bigint = append(0, 'a.parquet', { actions: [{ add: { path: 'a', partitionValues: {}, size: 10n as unknown as number, modificationTime: 0, dataChange: true } }] });
    await expect(commit(store, store.url, bigint)).rejects.toMatchObject({ code: 'DELTA_INVALID_OPTION' });
    await expect(commit(store, store.url, append(-2, 'a'))).rejects.toMatchObject({ code: 'DELTA_INVALID_OPTION' });
    await expect(store.head(`_delta_log/${formatVersion(1)}.json`)).rejects.toThrow();
  });
});

describe('commit loop (LocalStore)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('lands 8 concurrent appenders with contiguous versions', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await newTable(new LocalStore(dir));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => commit(new LocalStore(dir), dir, append(0, `part-${i}.parquet`), { backoff: { initialMs: 1, maxMs: 20 } })),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const store = new LocalStore(dir);
    const snap = await (await DeltaTable.open(dir, { store })).snapshot();
    expect(snap.version).toBe(8);
    expect(snap.numFiles).toBe(8);
    for (let v = 1; v <= 8; v++) expect((await commitLines(store, v))[0]).toHaveProperty('commitInfo.operation', 'WRITE');
  });

  it('fails an overwrite racing a committed append-then-delete with a conflict naming the winner', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const store = new LocalStore(dir);
    await newTable(store);
    await commit(store, dir, append(0, 'a.parquet'));
    await writeCommit(store, 2, [{ commitInfo: { operation: 'DELETE', isBlindAppend: false } }, { remove: { path: 'a.parquet', dataChange: true } }]);
    const overwrite: CommitPlan = {
      actions: [{ remove: { path: 'a.parquet', dataChange: true } }, addAction('b.parquet', 1) as Action],
      operation: 'WRITE',
      operationParameters: { mode: 'Overwrite' },
      readVersion: 1,
      isolation: 'WriteSerializable',
      pinned: false,
      blindAppend: false,
    };
    const err = await conflictOf(commit(store, dir, overwrite, noSleep));
    expect(err).toMatchObject({ winningVersion: 2, winningOperation: 'DELETE', reason: 'concurrentDeleteRead' });
  });
});
