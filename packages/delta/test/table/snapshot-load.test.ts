import { utimes } from 'node:fs/promises';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { LocalStore, type ObjectStore } from '@duckrun/storage/local';
import { isDuckrunError, type ObjectMeta, type ListOptions } from '@duckrun/storage';
import { DeltaTable } from '../../src/index.js';
import { addAction, collectRows, freshMemoryStore, parquetBytes, tableHeader, tempDir, writeCommit } from '../helpers.js';

const ID_SCHEMA = [{ name: 'id', type: 'long' }];

async function dataFile(store: ObjectStore, name: string, ids: number[]): Promise<object> {
  const bytes = await parquetBytes(tableFromArrays({ id: BigInt64Array.from(ids.map(BigInt)) }));
  await store.put(name, bytes);
  return addAction(name, bytes.byteLength, { stats: JSON.stringify({ numRecords: ids.length }) });
}

/** Builds a table whose version v adds file v holding id v. */
async function linearTable(store: ObjectStore, versions: number): Promise<void> {
  for (let v = 0; v < versions; v++) {
    const add = await dataFile(store, `f${v}.parquet`, [v]);
    await writeCommit(store, v, v === 0 ? [...tableHeader(ID_SCHEMA), add] : [add]);
  }
}

async function ids(table: DeltaTable, at: Parameters<DeltaTable['snapshot']>[0] = {}): Promise<number[]> {
  const snap = await table.snapshot(at);
  return (await collectRows(snap.scan())).map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** A store that counts list and get calls, to assert IO efficiency. */
class CountingStore implements ObjectStore {
  lists = 0;
  gets: string[] = [];
  constructor(private readonly inner: ObjectStore) {}
  get url() { return this.inner.url; }
  get capabilities() { return this.inner.capabilities; }
  get(p: string, r?: { offset: number; length: number }) { this.gets.push(p); return this.inner.get(p, r); }
  head(p: string) { return this.inner.head(p); }
  list(prefix: string, o?: ListOptions): AsyncIterable<ObjectMeta> { this.lists++; return this.inner.list(prefix, o); }
  put(p: string, d: Uint8Array) { return this.inner.put(p, d); }
  putStream(p: string, c: AsyncIterable<Uint8Array>) { return this.inner.putStream(p, c); }
  putIfAbsent(p: string, d: Uint8Array) { return this.inner.putIfAbsent(p, d); }
  delete(p: readonly string[]) { return this.inner.delete(p); }
}

describe('DeltaTable snapshots', () => {
  it('loads the latest version and every earlier version by number', async () => {
    const store = freshMemoryStore();
    await linearTable(store, 4);
    const table = await DeltaTable.open(store.url, { store });
    expect((await table.snapshot()).version).toBe(3);
    expect(await ids(table)).toEqual([0, 1, 2, 3]);
    expect(await ids(table, { version: 0 })).toEqual([0]);
    expect(await ids(table, { version: 2 })).toEqual([0, 1, 2]);
  });

  it('reports a version beyond the latest with the latest version in the message', async () => {
    const store = freshMemoryStore();
    await linearTable(store, 2);
    const table = await DeltaTable.open(store.url, { store });
    await expect(table.snapshot({ version: 9 })).rejects.toThrow(/no version 9: the latest version is 1/);
    await expect(table.snapshot({ version: -1 })).rejects.toThrow(/not a valid version/);
  });

  it('travels to the version current at a timestamp, using commit file times', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = new LocalStore(dir);
      await linearTable(store, 3);
      const base = Date.parse('2024-01-01T00:00:00Z');
      for (let v = 0; v < 3; v++) {
        const t = new Date(base + v * 60_000);
        await utimes(path.join(dir, '_delta_log', `${String(v).padStart(20, '0')}.json`), t, t);
      }
      const table = await DeltaTable.open(dir);
      expect(await ids(table, { timestamp: '2024-01-01T00:00:30Z' })).toEqual([0]);
      expect(await ids(table, { timestamp: '2024-01-01T00:01:00Z' })).toEqual([0, 1]);
      expect(await ids(table, { timestamp: new Date(base + 3_600_000) })).toEqual([0, 1, 2]);
      await expect(table.snapshot({ timestamp: '2023-12-31T23:00:00Z' })).rejects.toThrow(/before the earliest available commit/);
      await expect(table.snapshot({ timestamp: 'not a date' })).rejects.toThrow(/not a valid date/);
    } finally {
      await cleanup();
    }
  });

  it('uses in-commit timestamps instead of file times when the table enables them', async () => {
    const store = freshMemoryStore();
    const a = await dataFile(store, 'a.parquet', [1]);
    const b = await dataFile(store, 'b.parquet', [2]);
    const header = tableHeader(ID_SCHEMA, { configuration: { 'delta.enableInCommitTimestamps': 'true', 'delta.inCommitTimestampEnablementVersion': '0' } });
    await writeCommit(store, 0, [{ commitInfo: { inCommitTimestamp: 1_000 } }, ...header, a]);
    await writeCommit(store, 1, [{ commitInfo: { inCommitTimestamp: 2_000 } }, b]);
    const table = await DeltaTable.open(store.url, { store });
    expect(await ids(table, { timestamp: 1_500 })).toEqual([1]);
    expect(await ids(table, { timestamp: 2_000 })).toEqual([1, 2]);
  });

  it('lists the log once and reads only the commits after the checkpoint named by _last_checkpoint', async () => {
    const store = freshMemoryStore();
    await linearTable(store, 3);
    const base = await DeltaTable.open(store.url, { store });
    const snap2 = await base.snapshot();
    const { writeCheckpoint } = await import('../../src/checkpoint/write.js');
    await writeCheckpoint(store, 2, { protocol: snap2.protocol, metadata: snap2.metadata, files: snap2.addFiles(), txns: [], domains: [] });
    for (let v = 3; v < 6; v++) await writeCommit(store, v, [await dataFile(store, `f${v}.parquet`, [v])]);
    const counting = new CountingStore(store);
    const table = await DeltaTable.open(store.url, { store: counting });
    counting.lists = 0;
    counting.gets = [];
    const snap = await table.snapshot();
    expect(snap.version).toBe(5);
    expect(counting.lists).toBe(1);
    const commitReads = counting.gets.filter((g) => /\d{20}\.json$/.test(g)).sort();
    expect(commitReads).toEqual([3, 4, 5].map((v) => `_delta_log/${String(v).padStart(20, '0')}.json`));
    expect(await ids(table)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('ignores a corrupt _last_checkpoint and still finds the newest checkpoint', async () => {
    const store = freshMemoryStore();
    await linearTable(store, 3);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    const { writeCheckpoint } = await import('../../src/checkpoint/write.js');
    await writeCheckpoint(store, 2, { protocol: snap.protocol, metadata: snap.metadata, files: snap.addFiles(), txns: [], domains: [] });
    await store.put('_delta_log/_last_checkpoint', new TextEncoder().encode('{"version": 2, "si'));
    // Remove the commits the checkpoint covers: only a working checkpoint can now yield the table.
    await store.delete(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json']);
    expect(await ids(await DeltaTable.open(store.url, { store }))).toEqual([0, 1, 2]);
  });

  it('falls back to full replay when the checkpoint is truncated and the log is complete', async () => {
    const store = freshMemoryStore();
    await linearTable(store, 4);
    const snap = await (await DeltaTable.open(store.url, { store }, )).snapshot({ version: 2 });
    const { writeCheckpoint } = await import('../../src/checkpoint/write.js');
    await writeCheckpoint(store, 2, { protocol: snap.protocol, metadata: snap.metadata, files: snap.addFiles(), txns: [], domains: [] });
    const cp = await store.get('_delta_log/00000000000000000002.checkpoint.parquet');
    await store.put('_delta_log/00000000000000000002.checkpoint.parquet', cp.slice(0, Math.floor(cp.length / 2)));
    expect(await ids(await DeltaTable.open(store.url, { store }))).toEqual([0, 1, 2, 3]);
  });

  it('fails loudly, rather than replaying a partial log, when the only checkpoint is unreadable and early commits are gone', async () => {
    const store = freshMemoryStore();
    await linearTable(store, 4);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot({ version: 2 });
    const { writeCheckpoint } = await import('../../src/checkpoint/write.js');
    await writeCheckpoint(store, 2, { protocol: snap.protocol, metadata: snap.metadata, files: snap.addFiles(), txns: [], domains: [] });
    await store.put('_delta_log/00000000000000000002.checkpoint.parquet', new TextEncoder().encode('garbage'));
    await store.delete(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json']);
    const table = await DeltaTable.open(store.url, { store });
    await expect(table.snapshot()).rejects.toThrow(/every checkpoint is unreadable/);
  });
});

describe('DeltaTable errors', () => {
  it('says an empty location is not a Delta table', async () => {
    const store = freshMemoryStore();
    const err = await DeltaTable.open(store.url, { store }).catch((e: unknown) => e);
    expect(isDuckrunError(err, 'DELTA_NOT_A_TABLE')).toBe(true);
    expect((err as Error).message).toContain(store.url);
  });

  it('refuses reader features it does not implement, naming the feature and the table', async () => {
    const store = freshMemoryStore();
    await writeCommit(store, 0, tableHeader(ID_SCHEMA, { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['variantType'], writerFeatures: ['variantType'] } }));
    const table = await DeltaTable.open(store.url, { store });
    const err = await table.snapshot().catch((e: unknown) => e);
    expect(isDuckrunError(err, 'DELTA_UNSUPPORTED_FEATURE')).toBe(true);
    expect((err as Error).message).toMatch(/variantType/);
    expect((err as Error).message).toContain(store.url);
  });

  it('refuses unknown reader features rather than guessing', async () => {
    const store = freshMemoryStore();
    await writeCommit(store, 0, tableHeader(ID_SCHEMA, { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['fancyNewThing'], writerFeatures: [] } }));
    await expect((await DeltaTable.open(store.url, { store })).snapshot()).rejects.toThrow(/fancyNewThing/);
  });

  it('names the file and line of a corrupt commit', async () => {
    const store = freshMemoryStore();
    await writeCommit(store, 0, tableHeader(ID_SCHEMA));
    await store.put('_delta_log/00000000000000000001.json', new TextEncoder().encode('{"add": {"path": "x"\n'));
    await expect((await DeltaTable.open(store.url, { store })).snapshot()).rejects.toThrow(/00000000000000000001\.json line 1 is not valid JSON/);
  });

  it('reports a missing data file with its URL when scanning', async () => {
    const store = freshMemoryStore();
    await writeCommit(store, 0, [...tableHeader(ID_SCHEMA), addAction('gone.parquet', 10)]);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    const err = await collectRows(snap.scan()).catch((e: unknown) => e);
    expect(isDuckrunError(err, 'DELTA_DATA_FILE')).toBe(true);
    expect((err as Error).message).toMatch(/gone\.parquet.*is missing/);
  });

  it('rejects an unknown partitionTimeZone up front', async () => {
    const store = freshMemoryStore();
    await writeCommit(store, 0, tableHeader(ID_SCHEMA));
    await expect(DeltaTable.open(store.url, { store, partitionTimeZone: 'Mars/Olympus' })).rejects.toThrow(/not a known IANA time zone/);
  });
});

afterEach(() => undefined);
