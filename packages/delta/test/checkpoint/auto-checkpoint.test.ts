import { describe, expect, it } from 'vitest';
import { type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore } from '@duckrun/storage';
import { DeltaTable } from '../../src/table.js';
import { CheckpointError, InvalidOptionError, UnsupportedFeatureError } from '../../src/errors.js';
import { checkpointTable } from '../../src/checkpoint/table-checkpoint.js';
import { readLastCheckpoint } from '../../src/log/reader.js';
import { formatVersion } from '../../src/kernel/log/log-path.js';
import { freshMemoryStore } from '../helpers.js';
import { appendFile, commitActions, createTable, fullReplay, logNames } from './table-builder.js';

/** A real store that refuses to write checkpoint files: an upload failing half-way, as a flaky network does. */
class CheckpointRefusingStore implements ObjectStore {
  constructor(private readonly inner: ObjectStore) {}
  get url(): string {
    return this.inner.url;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  get(path: string, range?: ByteRange): Promise<Uint8Array> {
    return this.inner.get(path, range);
  }
  head(path: string): Promise<ObjectMeta> {
    return this.inner.head(path);
  }
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    return this.inner.list(prefix, options);
  }
  async put(path: string, data: Uint8Array): Promise<void> {
    this.refuse(path);
    return this.inner.put(path, data);
  }
  async putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    if (!isCheckpoint(path)) return this.inner.putStream(path, chunks);
    let n = 0;
    for await (const _ of chunks) if (++n === 2) break; // fail after the encoder has produced some bytes
    this.refuse(path);
  }
  putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    this.refuse(path);
    return this.inner.putIfAbsent(path, data);
  }
  delete(paths: readonly string[]): Promise<void> {
    return this.inner.delete(paths);
  }
  private refuse(path: string): void {
    if (isCheckpoint(path)) throw new Error(`injected upload failure for ${path}`);
  }
}

const isCheckpoint = (path: string) => /^_delta_log\/[^/]*\.checkpoint/.test(path);

async function fileCount(store: ObjectStore, version?: number): Promise<number> {
  return (await (await DeltaTable.open(store.url, { store })).snapshot(version !== undefined ? { version } : {})).numFiles;
}

describe('automatic checkpoints after commits', () => {
  it('writes a classic checkpoint and _last_checkpoint at version 100 whose load equals the full replay', async () => {
    const store = freshMemoryStore();
    await createTable(store);
    for (let v = 1; v <= 100; v++) {
      const actions: object[] = [{ add: { path: `f-${v}.parquet`, partitionValues: {}, size: v, modificationTime: v, dataChange: true, stats: `{"numRecords":${v}}` } }];
      if (v % 10 === 0) actions.push({ remove: { path: `f-${v - 5}.parquet`, deletionTimestamp: Date.now(), dataChange: true } });
      if (v === 42) actions.push({ txn: { appId: 'loader', version: 7, lastUpdated: 1 } });
      const r = await commitActions(store, actions);
      expect(r.version).toBe(v);
      if (v < 100) expect(r.postCommit).toEqual({});
      else {
        expect(r.postCommit.checkpointError).toBeUndefined();
        expect(r.postCommit.checkpoint).toMatchObject({ version: 100, parts: 1, numOfAddFiles: 90, files: ['_delta_log/00000000000000000100.checkpoint.parquet'] });
        expect(r.postCommit.cleanedLogFiles).toBe(0); // nothing is older than the 30-day retention
      }
    }
    expect(await logNames(store)).toContain('00000000000000000100.checkpoint.parquet');
    expect((await readLastCheckpoint(store))?.version).toBe(100);

    const expected = await fullReplay(store);
    // Without the commits before it, only the checkpoint can supply the state.
    await store.delete(Array.from({ length: 100 }, (_, v) => `_delta_log/${formatVersion(v)}.json`));
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.version).toBe(100);
    // A checkpoint spells absent optional fields as nulls.
    expect(snap.addFiles().sort(byPath).map(withoutNulls)).toEqual([...expected.files.values()].sort(byPath));
    expect(snap.addFiles()).toHaveLength(90);
    expect([...snap.txns.values()].map(withoutNulls)).toEqual([...expected.txns.values()]);
    expect(withoutNulls(snap.metadata)).toEqual(withoutNulls(expected.metadata!));
    expect(snap.protocol).toMatchObject(expected.protocol!);
    expect(snap.tombstones().map((t) => t.path).sort()).toEqual([...expected.tombstones.values()].map((t) => t.path).sort());
  });

  it('follows a custom delta.checkpointInterval of 5', async () => {
    const store = freshMemoryStore();
    await createTable(store, { 'delta.checkpointInterval': '5' });
    const checkpointed: number[] = [];
    for (let v = 1; v <= 12; v++) {
      const r = await appendFile(store, `f-${v}.parquet`);
      if (r.postCommit.checkpoint) checkpointed.push(r.postCommit.checkpoint.version);
      expect(r.postCommit.checkpointError).toBeUndefined();
    }
    expect(checkpointed).toEqual([5, 10]);
    expect((await logNames(store)).filter((n) => n.includes('checkpoint.'))).toEqual([
      '00000000000000000005.checkpoint.parquet',
      '00000000000000000010.checkpoint.parquet',
    ]);
    expect((await readLastCheckpoint(store))?.version).toBe(10);
    expect(await fileCount(store)).toBe(12);
  });

  it('keeps the commit when the checkpoint upload fails, reports checkpointError, and the table reads fine', async () => {
    const inner = freshMemoryStore();
    const store = new CheckpointRefusingStore(inner);
    await createTable(store, { 'delta.checkpointInterval': '3' });
    await appendFile(store, 'a.parquet');
    await appendFile(store, 'b.parquet');
    const r = await appendFile(store, 'c.parquet');
    expect(r.version).toBe(3);
    expect(r.postCommit.checkpoint).toBeUndefined();
    expect(r.postCommit.checkpointError).toBeInstanceOf(CheckpointError);
    expect(r.postCommit.checkpointError?.message).toMatch(/injected upload failure/);
    expect(r.postCommit.checkpointError?.message).toContain(store.url);

    expect((await logNames(inner)).filter((n) => !n.endsWith('.json'))).toEqual([]); // no checkpoint, no hint
    expect(await readLastCheckpoint(inner)).toBeUndefined();
    expect(await fileCount(store)).toBe(3);
    const next = await appendFile(store, 'd.parquet');
    expect(next.version).toBe(4);
    expect(await fileCount(inner)).toBe(4);
  });

  it('reports a malformed delta.checkpointInterval as checkpointError and keeps the commit', async () => {
    const store = freshMemoryStore();
    await createTable(store, { 'delta.checkpointInterval': 'often' });
    const r = await appendFile(store, 'a.parquet');
    expect(r.version).toBe(1);
    expect(r.postCommit.checkpointError).toBeInstanceOf(InvalidOptionError);
    expect(r.postCommit.checkpointError?.message).toMatch(/delta\.checkpointInterval = "often"/);
    expect(await fileCount(store)).toBe(1);
  });

  it('skips the checkpoint of a v2Checkpoint table, whose checkpoints need checkpointMetadata', async () => {
    const store = freshMemoryStore();
    const v2 = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['v2Checkpoint'] };
    await createTable(store, { 'delta.checkpointInterval': '2' }, v2);
    await appendFile(store, 'a.parquet');
    const r = await appendFile(store, 'b.parquet');
    expect(r.version).toBe(2);
    expect(r.postCommit).toEqual({});
    expect((await logNames(store)).filter((n) => n.includes('checkpoint'))).toEqual([]);
    const table = await DeltaTable.open(store.url, { store });
    await expect(checkpointTable(table)).rejects.toThrow(UnsupportedFeatureError);
    await expect(checkpointTable(table)).rejects.toThrow(/v2Checkpoint/);
  });

  it('writes no checkpoint when the transaction asks to skip the post-commit work', async () => {
    const store = freshMemoryStore();
    await createTable(store, { 'delta.checkpointInterval': '1' });
    const r = await commitActions(store, [{ add: { path: 'a.parquet', partitionValues: {}, size: 1, modificationTime: 0, dataChange: true } }], { skipPostCommit: true });
    expect(r.postCommit).toEqual({});
    expect(await readLastCheckpoint(store)).toBeUndefined();
    const again = await appendFile(store, 'b.parquet');
    expect(again.postCommit.checkpoint?.version).toBe(2);
  });
});

function withoutNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

