import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Field, Int32, Int64, Schema, Utf8, tableFromArrays, type Table } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '@duckrun/storage';
import {
  AppendOnlyError,
  CommitConflictError,
  DeltaTable,
  InvalidOptionError,
  NotADeltaTableError,
  SchemaError,
  TableExistsError,
  UnsupportedFeatureError,
  writeDeltaTable,
} from '../../src/index.js';
import { formatVersion } from '../../src/kernel/log/log-path.js';
import { freshMemoryStore, tempDir, writeCommit } from '../helpers.js';

type Row = Record<string, unknown>;

async function rowsOf(store: ObjectStore, version?: number): Promise<Row[]> {
  const snap = await (await DeltaTable.open(store.url, { store })).snapshot(version === undefined ? {} : { version });
  const rows: Row[] = [];
  for await (const b of snap.scan()) for (const r of b.toArray()) rows.push(r.toJSON() as Row);
  return rows.sort((a, b) => JSON.stringify(a, big).localeCompare(JSON.stringify(b, big)));
}

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

async function commitOf(store: ObjectStore, version: number): Promise<Record<string, Record<string, unknown>>[]> {
  const text = new TextDecoder().decode(await store.get(`_delta_log/${formatVersion(version)}.json`));
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

const sales = (ids: number[], days: string[]): Table => tableFromArrays({ id: Int32Array.from(ids), day: days, amount: Float64Array.from(ids.map((i) => i * 1.5)) });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('writeDeltaTable modes', () => {
  it('creates a table at reader 1 / writer 2 with commitInfo naming duckrun and the operation', async () => {
    const store = freshMemoryStore();
    const r = await writeDeltaTable(store.url, sales([1, 2], ['a', 'b']), { store, partitionBy: ['day'] });
    expect(r).toMatchObject({ version: 0, committed: true, created: true, rowsWritten: 2, filesAdded: 2, filesRemoved: 0 });
    const actions = await commitOf(store, 0);
    expect(actions[0]!.commitInfo).toMatchObject({ operation: 'WRITE', operationParameters: { mode: 'ErrorIfExists', partitionBy: '["day"]' }, engineInfo: expect.stringMatching(/^duckrun\//) });
    expect(actions.find((a) => a.protocol)!.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    expect(actions.find((a) => a.metaData)!.metaData).toMatchObject({ partitionColumns: ['day'], format: { provider: 'parquet' } });
    expect(await rowsOf(store)).toEqual([
      { id: 1, day: 'a', amount: 1.5 },
      { id: 2, day: 'b', amount: 3 },
    ]);
  });

  it("mode 'error' refuses an existing table and 'ignore' leaves it untouched", async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    await expect(writeDeltaTable(store.url, sales([2], ['b']), { store })).rejects.toThrow(TableExistsError);
    const r = await writeDeltaTable(store.url, sales([2], ['b']), { store, mode: 'ignore' });
    expect(r).toMatchObject({ committed: false, version: 0 });
    expect(await rowsOf(store)).toEqual([{ id: 1, day: 'a', amount: 1.5 }]);
  });

  it('appends are blind appends and keep earlier rows', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    const r = await writeDeltaTable(store.url, sales([2, 3], ['b', 'c']), { store, mode: 'append' });
    expect(r.version).toBe(1);
    const actions = await commitOf(store, 1);
    expect(actions[0]!.commitInfo).toMatchObject({
      operation: 'WRITE',
      isBlindAppend: true,
      readVersion: 0,
      operationParameters: { mode: 'Append' },
      operationMetrics: { numFiles: '1', numOutputRows: '2', numOutputBytes: expect.stringMatching(/^\d+$/) },
    });
    expect(actions.some((a) => a.metaData || a.protocol)).toBe(false);
    expect((await rowsOf(store)).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('an append of zero rows commits nothing', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    const r = await writeDeltaTable(store.url, (async function* () {})(), { store, mode: 'append' });
    expect(r).toMatchObject({ committed: false, version: 0 });
  });

  it('overwrite replaces every row and keeps old versions readable', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1, 2], ['a', 'b']), { store, partitionBy: ['day'] });
    const r = await writeDeltaTable(store.url, sales([7], ['z']), { store, mode: 'overwrite' });
    expect(r).toMatchObject({ version: 1, filesRemoved: 2, filesAdded: 1 });
    expect((await commitOf(store, 1))[0]!.commitInfo!.operationMetrics).toMatchObject({ numFiles: '1', numOutputRows: '1', numRemovedFiles: '2' });
    const removes = (await commitOf(store, 1)).filter((a) => a.remove).map((a) => a.remove!);
    expect(removes).toHaveLength(2);
    for (const rm of removes) expect(rm).toMatchObject({ dataChange: true, extendedFileMetadata: true, size: expect.any(Number), deletionTimestamp: expect.any(Number) });
    expect(await rowsOf(store)).toEqual([{ id: 7, day: 'z', amount: 10.5 }]);
    expect((await rowsOf(store, 0)).map((r) => r.id)).toEqual([1, 2]);
  });

  it('rejects an unknown mode naming the table and the modes', async () => {
    const store = freshMemoryStore();
    await expect(writeDeltaTable(store.url, sales([1], ['a']), { store, mode: 'upsert' as never })).rejects.toThrow(
      /mode "upsert" for memory:.* is not a write mode; use one of 'error', 'append', 'overwrite', 'ignore'/,
    );
  });
});

describe('replaceWhere', () => {
  it('replaces only the partitions the predicate matches', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1, 2, 3], ['2024-01-01', '2024-01-02', '2024-01-03']), { store, partitionBy: ['day'] });
    const r = await writeDeltaTable(store.url, sales([20, 21], ['2024-01-02', '2024-01-02']), {
      store,
      mode: 'overwrite',
      replaceWhere: "day = '2024-01-02'",
    });
    expect(r).toMatchObject({ filesRemoved: 1, filesAdded: 1 });
    expect((await rowsOf(store)).map((x) => x.id)).toEqual([1, 20, 21, 3]);
    expect((await commitOf(store, 1))[0]!.commitInfo).toMatchObject({ operationParameters: { predicate: '["day = \'2024-01-02\'"]' } });
  });

  it('fails without committing when written rows fall outside the predicate, and removes its files', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await writeDeltaTable(dir, sales([1, 2], ['a', 'b']), { partitionBy: ['day'] });
    await expect(writeDeltaTable(dir, sales([3, 4], ['a', 'c']), { mode: 'overwrite', replaceWhere: "day IN ('a', 'b')" })).rejects.toThrow(
      /does not match replaceWhere "day IN \('a', 'b'\)" \(rows with day=c\); nothing was committed/,
    );
    const table = await DeltaTable.open(dir);
    expect(await table.version()).toBe(0);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(dir, 'day=a'))).toHaveLength(1);
    const leftover = (await readdir(dir)).includes('day=c') ? await readdir(join(dir, 'day=c')) : [];
    expect(leftover).toEqual([]);
  });

  it('replaces the rows a data-column predicate matches, rewriting the other rows of partly matching files', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1, 2, 3], ['a', 'a', 'a']), { store });
    await writeDeltaTable(store.url, sales([10, 11], ['b', 'b']), { store, mode: 'append' });
    const r = await writeDeltaTable(store.url, sales([2, 3], ['z', 'z']), { store, mode: 'overwrite', replaceWhere: 'id >= 2 AND id <= 5' });
    // The first file loses rows 2 and 3 (row 1 is written again); the second file holds no matching row.
    expect(r).toMatchObject({ filesRemoved: 1, filesAdded: 2 });
    expect((await rowsOf(store)).map((x) => [x.id, x.day])).toEqual([[1, 'a'], [10, 'b'], [11, 'b'], [2, 'z'], [3, 'z']]);
    const removed = (await commitOf(store, 2)).filter((a) => a.remove);
    expect(removed).toHaveLength(1);
  });

  it('reads only the partitions a partition conjunct allows when the predicate also uses data columns', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1, 2, 3, 4], ['a', 'a', 'b', 'b']), { store, partitionBy: ['day'] });
    await writeDeltaTable(store.url, sales([5], ['a']), { store, mode: 'overwrite', replaceWhere: "day = 'a' AND id > 1" });
    expect((await rowsOf(store)).map((x) => [x.id, x.day])).toEqual([[1, 'a'], [3, 'b'], [4, 'b'], [5, 'a']]);
    const removes = (await commitOf(store, 1)).filter((a) => a.remove).map((a) => a.remove!.partitionValues);
    expect(removes).toEqual([{ day: 'a' }]);
  });

  it('refuses written rows outside a data-column predicate, row by row', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1, 2], ['a', 'a']), { store });
    await expect(writeDeltaTable(store.url, sales([2, 9], ['a', 'a']), { store, mode: 'overwrite', replaceWhere: 'id = 2' })).rejects.toThrow(
      /does not match replaceWhere "id = 2" \(a row with id=9\); nothing was committed/,
    );
    expect((await rowsOf(store)).map((x) => x.id)).toEqual([1, 2]);
  });

  it('refuses a predicate over an unknown column, naming the usable ones', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store, partitionBy: ['day'] });
    await expect(writeDeltaTable(store.url, sales([1], ['a']), { store, mode: 'overwrite', replaceWhere: 'region = 3' })).rejects.toThrow(
      /"region" is not a column \(columns: id, day, amount\)/,
    );
  });

  it('is only accepted with mode overwrite', async () => {
    const store = freshMemoryStore();
    await expect(writeDeltaTable(store.url, sales([1], ['a']), { store, mode: 'append', replaceWhere: "day = 'a'" })).rejects.toThrow(InvalidOptionError);
  });
});

describe('schema evolution', () => {
  it('refuses a new column unless schemaMode is merge, naming the column', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    const wider = tableFromArrays({ id: Int32Array.from([2]), day: ['b'], amount: Float64Array.from([1]), note: ['hi'] });
    await expect(writeDeltaTable(store.url, wider, { store, mode: 'append' })).rejects.toThrow(/column "note" of the data is not in the schema of .*schemaMode: 'merge'/);
    const r = await writeDeltaTable(store.url, wider, { store, mode: 'append', schemaMode: 'merge' });
    expect(r.columnsAdded).toEqual(['note']);
    const actions = await commitOf(store, 1);
    expect(actions.some((a) => a.metaData)).toBe(true);
    expect(actions[0]!.commitInfo!.isBlindAppend).toBe(false);
    expect(await rowsOf(store)).toEqual([
      { id: 1, day: 'a', amount: 1.5, note: null },
      { id: 2, day: 'b', amount: 1, note: 'hi' },
    ]);
  });

  it('merge without new columns writes no metaData, so concurrent appends do not conflict', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    await writeDeltaTable(store.url, sales([2], ['b']), { store, mode: 'append', schemaMode: 'merge' });
    expect((await commitOf(store, 1)).some((a) => a.metaData)).toBe(false);
  });

  it('fails on a type mismatch naming the column and both types', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    const wrong = tableFromArrays({ id: ['x'], day: ['a'], amount: Float64Array.from([1]) });
    await expect(writeDeltaTable(store.url, wrong, { store, mode: 'append', schemaMode: 'merge' })).rejects.toThrow(
      /column "id" of .* has type integer but the data has string; cast the data's column to integer/,
    );
  });

  it('widens integers losslessly and fills a missing nullable column with nulls', async () => {
    const store = freshMemoryStore();
    const schema = new Schema([new Field('id', new Int64(), false), new Field('name', new Utf8(), true)]);
    await DeltaTable.create(store.url, schema, { store });
    await writeDeltaTable(store.url, tableFromArrays({ id: Int32Array.from([5]) }), { store, mode: 'append' });
    expect(await rowsOf(store)).toEqual([{ id: 5n, name: null }]);
  });

  it('refuses data that lacks a NOT NULL column or holds nulls in one', async () => {
    const store = freshMemoryStore();
    const schema = new Schema([new Field('id', new Int64(), false), new Field('name', new Utf8(), true)]);
    await DeltaTable.create(store.url, schema, { store });
    await expect(writeDeltaTable(store.url, tableFromArrays({ name: ['x'] }), { store, mode: 'append' })).rejects.toThrow(/column "id" of .* is NOT NULL/);
    const withNull = tableFromArrays({ id: [1n, null] as unknown as BigInt64Array, name: ['a', 'b'] });
    await expect(writeDeltaTable(store.url, withNull, { store, mode: 'append' })).rejects.toThrow(SchemaError);
  });

  it('schemaMode overwrite replaces schema and partitioning, keeping the table id', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store, partitionBy: ['day'] });
    const before = (await (await DeltaTable.open(store.url, { store })).snapshot()).metadata.id;
    await writeDeltaTable(store.url, tableFromArrays({ k: ['x', 'y'] }), { store, mode: 'overwrite', schemaMode: 'overwrite', partitionBy: [] });
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.metadata.id).toBe(before);
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['k']);
    expect(snap.partitionColumns).toEqual([]);
    expect((await rowsOf(store)).map((r) => r.k)).toEqual(['x', 'y']);
  });

  it('refuses a different partitionBy on an existing table', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store, partitionBy: ['day'] });
    await expect(writeDeltaTable(store.url, sales([1], ['a']), { store, mode: 'append', partitionBy: ['id'] })).rejects.toThrow(/is partitioned by \[day\], not \[id\]/);
  });
});

describe('bad input', () => {
  it('refuses a partition column missing from the data', async () => {
    const store = freshMemoryStore();
    await expect(writeDeltaTable(store.url, sales([1], ['a']), { store, partitionBy: ['region'] })).rejects.toThrow(
      /partition column "region" is missing from the data written to .*; partition by one of its columns \(id, day, amount\)/,
    );
    await writeDeltaTable(store.url, sales([1], ['a']), { store, partitionBy: ['day'] });
    await expect(writeDeltaTable(store.url, tableFromArrays({ id: Int32Array.from([1]), amount: Float64Array.from([1]) }), { store, mode: 'append' })).rejects.toThrow(
      /partition column "day" of .* is missing from the data/,
    );
  });

  it('refuses a folder of non-Delta files but not orphaned data files of a dead writer', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await mkdir(join(dir, 'day=a'), { recursive: true });
    await writeFile(join(dir, 'day=a', 'part-00000-0b9f3a57-7a89-4c1e-9d3c-1f0e5a3b2c11.c000.snappy.parquet'), 'orphan');
    const r = await writeDeltaTable(dir, sales([1], ['a']));
    expect(r.version).toBe(0);

    const other = await tempDir();
    cleanups.push(other.cleanup);
    await writeFile(join(other.dir, 'data.csv'), 'id\n1\n');
    const err = await writeDeltaTable(other.dir, sales([1], ['a'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotADeltaTableError);
    expect((err as Error).message).toMatch(/holds files that are not part of a Delta table \(e.g. data.csv\) and has no _delta_log; write to an empty location/);
  });

  it('refuses column names Spark cannot read from parquet unless column mapping is on', async () => {
    const store = freshMemoryStore();
    const t = tableFromArrays({ 'count_star()': Int32Array.from([1]), 'my col': ['x'] });
    await expect(writeDeltaTable(store.url, t, { store })).rejects.toThrow(
      /column names "count_star\(\)", "my col" of .* contain a character of .*rename the column \(e.g. SELECT count\(\*\) AS n\), or create the table with properties \{ 'delta.columnMapping.mode': 'name' \}/,
    );
    await writeDeltaTable(store.url, t, { store, properties: { 'delta.columnMapping.mode': 'name' } });
    expect(await rowsOf(store)).toEqual([{ 'count_star()': 1, 'my col': 'x' }]);
  });

  it('refuses nulls in a NOT NULL partition column', async () => {
    const store = freshMemoryStore();
    const schema = new Schema([new Field('id', new Int32(), true), new Field('day', new Utf8(), false)]);
    await DeltaTable.create(store.url, schema, { store, partitionBy: ['day'] });
    const { vectorFromArray, makeVector, Table: ArrowTable } = await import('apache-arrow');
    const data = new ArrowTable({ id: makeVector(Int32Array.from([1, 2])), day: vectorFromArray(['a', null], new Utf8()) });
    await expect(writeDeltaTable(store.url, data, { store, mode: 'append' })).rejects.toThrow(
      /column "day" of .* is NOT NULL but the data holds 1 nulls/,
    );
  });

  it('refuses zone-less timestamps for a new table unless timestamp_ntz is asked for', async () => {
    const store = freshMemoryStore();
    const { TimestampMicrosecond, makeVector, Table: ArrowTable, vectorFromArray } = await import('apache-arrow');
    const ts = vectorFromArray([1_700_000_000_000], new TimestampMicrosecond());
    const t = new ArrowTable({ ts, id: makeVector(Int32Array.from([1])) });
    await expect(writeDeltaTable(store.url, t, { store })).rejects.toThrow(/"ts" .* without a time zone, which would create timestamp_ntz columns/);
    await writeDeltaTable(store.url, t, { store, allowTimestampNtz: true });
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.protocol).toEqual({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz'], writerFeatures: ['timestampNtz'] });
  });
});

describe('protocol rules', () => {
  it('refuses to remove data from an append-only table but appends to it', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store, properties: { 'delta.appendOnly': 'true' } });
    await writeDeltaTable(store.url, sales([2], ['a']), { store, mode: 'append' });
    await expect(writeDeltaTable(store.url, sales([3], ['a']), { store, mode: 'overwrite' })).rejects.toThrow(AppendOnlyError);
    expect((await rowsOf(store)).map((r) => r.id)).toEqual([1, 2]);
  });

  it('refuses to write to a table with a writer feature duckrun does not implement', async () => {
    const store = freshMemoryStore();
    await writeCommit(store, 0, [
      { commitInfo: { operation: 'CREATE TABLE' } },
      { protocol: { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['rowTracking', 'domainMetadata'] } },
      { metaData: { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify({ type: 'struct', fields: [{ name: 'id', type: 'integer', nullable: true, metadata: {} }] }), partitionColumns: [], configuration: {} } },
    ]);
    await expect(writeDeltaTable(store.url, tableFromArrays({ id: Int32Array.from([1]) }), { store, mode: 'append' })).rejects.toThrow(
      /uses writer feature `rowTracking`, which duckrun cannot write/,
    );
    await expect(writeDeltaTable(store.url, tableFromArrays({ id: Int32Array.from([1]) }), { store, mode: 'append' })).rejects.toThrow(UnsupportedFeatureError);
  });

  it('creates column-mapped tables and appends merged columns with new ids', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store, partitionBy: ['day'], properties: { 'delta.columnMapping.mode': 'name' } });
    let snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.protocol).toEqual({ minReaderVersion: 2, minWriterVersion: 5 });
    expect(snap.metadata.configuration['delta.columnMapping.maxColumnId']).toBe('3');
    const add = snap.addFiles()[0]!;
    expect(Object.keys(add.partitionValues)[0]).toMatch(/^col-/);
    await writeDeltaTable(store.url, tableFromArrays({ id: Int32Array.from([2]), day: ['b'], amount: Float64Array.from([2]), note: ['n'] }), {
      store,
      mode: 'append',
      schemaMode: 'merge',
    });
    snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.metadata.configuration['delta.columnMapping.maxColumnId']).toBe('4');
    expect(await rowsOf(store)).toEqual([
      { id: 1, day: 'a', amount: 1.5, note: null },
      { id: 2, day: 'b', amount: 2, note: 'n' },
    ]);
  });
});

describe('table properties as write defaults', () => {
  it('rolls files at delta.targetFileSize and keeps stats for delta.dataSkippingNumIndexedCols columns', async () => {
    const store = freshMemoryStore();
    const many = tableFromArrays({ id: Int32Array.from({ length: 20_000 }, (_, i) => i), name: Array.from({ length: 20_000 }, (_, i) => `name-${i}`) });
    await writeDeltaTable(store.url, many, { store, properties: { 'delta.targetFileSize': '64kb', 'delta.dataSkippingNumIndexedCols': '1' } });
    const adds = (await (await DeltaTable.open(store.url, { store })).snapshot()).addFiles();
    expect(adds.length).toBeGreaterThan(3);
    const stats = JSON.parse(adds[0]!.stats!) as { minValues: Record<string, unknown>; nullCount: Record<string, unknown> };
    expect(Object.keys(stats.minValues)).toEqual(['id']);
    expect(Object.keys(stats.nullCount)).toEqual(['id']);
  });

  it('refuses a malformed delta.targetFileSize naming the property', async () => {
    const store = freshMemoryStore();
    await expect(writeDeltaTable(store.url, sales([1], ['a']), { store, properties: { 'delta.targetFileSize': 'big' } })).rejects.toThrow(
      /delta.targetFileSize = "big", which is not a size/,
    );
  });
});

describe('idempotent writes', () => {
  it('commits a txn watermark once and skips the same batch when it comes again', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    const first = await writeDeltaTable(store.url, sales([2], ['a']), { store, mode: 'append', txn: { appId: 'nightly', version: 7 } });
    expect(first).toMatchObject({ committed: true, version: 1 });
    const again = await writeDeltaTable(store.url, sales([2], ['a']), { store, mode: 'append', txn: { appId: 'nightly', version: 7 } });
    expect(again).toMatchObject({ committed: false, version: 1 });
    await writeDeltaTable(store.url, sales([3], ['a']), { store, mode: 'append', txn: { appId: 'nightly', version: 8 } });
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.txns.get('nightly')).toMatchObject({ appId: 'nightly', version: 8 });
    expect((await rowsOf(store)).map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('lands a batch racing itself exactly once', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    const results = await Promise.all(
      [0, 1, 2].map(() => writeDeltaTable(store.url, sales([5], ['e']), { store, mode: 'append', txn: { appId: 'job', version: 1 }, commit: { sleep: async () => {} } })),
    );
    expect(results.filter((r) => r.committed)).toHaveLength(1);
    expect((await rowsOf(store)).map((r) => r.id)).toEqual([1, 5]);
  });
});

describe('pinned writes (safeappend)', () => {
  it('commits when the table is still at the pinned version', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    const r = await writeDeltaTable(store.url, sales([2], ['a']), { store, mode: 'append', pinnedVersion: 0 });
    expect(r.version).toBe(1);
  });

  it('fails, committing nothing, when any commit lands after the pinned version', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store });
    async function* source(): AsyncIterable<import('apache-arrow').RecordBatch> {
      yield sales([9], ['z']).batches[0]!;
      // A blind append, which an ordinary append would rebase over, lands before the pinned one commits.
      await writeDeltaTable(store.url, sales([2], ['b']), { store, mode: 'append' });
    }
    const err = await writeDeltaTable(store.url, source(), { store, mode: 'append', pinnedVersion: 0, commit: { sleep: async () => {} } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect((err as CommitConflictError).winningVersion).toBe(1);
    expect((await rowsOf(store)).map((r) => r.id)).toEqual([1, 2]);
    await expect(writeDeltaTable(store.url, sales([3], ['c']), { store, mode: 'append', pinnedVersion: 0 })).rejects.toThrow(
      /pinned write to .* expected version 0, but the table is at version 1/,
    );
  });
});

describe('creating and racing', () => {
  it('DeltaTable.create makes an empty table and refuses to create twice', async () => {
    const store = freshMemoryStore();
    const table = await DeltaTable.create(store.url, new Schema([new Field('id', new Int32(), true)]), { store, partitionBy: [] });
    expect(await table.version()).toBe(0);
    expect(await rowsOf(store)).toEqual([]);
    await expect(DeltaTable.create(store.url, new Schema([new Field('id', new Int32(), true)]), { store })).rejects.toThrow(TableExistsError);
  });

  it('two appenders creating the same table both land, the loser as an append', async () => {
    const store = freshMemoryStore();
    const results = await Promise.all([
      writeDeltaTable(store.url, sales([1], ['a']), { store, mode: 'append' }),
      writeDeltaTable(store.url, sales([2], ['b']), { store, mode: 'append' }),
    ]);
    expect(results.map((r) => r.version).sort()).toEqual([0, 1]);
    expect((await rowsOf(store)).map((r) => r.id)).toEqual([1, 2]);
  });

  // Delta's ConflictChecker: under WriteSerializable (the default) a concurrent blind append is ordered after
  // the overwrite, so the overwrite rebases and the appended rows survive; under Serializable it conflicts.
  async function overwriteRacingAppend(isolation: 'WriteSerializable' | 'Serializable'): Promise<{ err: unknown; ids: unknown[] }> {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, sales([1], ['a']), { store, properties: { 'delta.isolationLevel': isolation } });
    async function* slow(): AsyncIterable<import('apache-arrow').RecordBatch> {
      yield sales([9], ['z']).batches[0]!;
      // The overwrite has read version 0; this append lands as version 1 before it commits.
      await writeDeltaTable(store.url, sales([2], ['b']), { store, mode: 'append' });
    }
    const err = await writeDeltaTable(store.url, slow(), { store, mode: 'overwrite', commit: { sleep: async () => {} } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { err, ids: (await rowsOf(store)).map((r) => r.id) };
  }

  it('an overwrite rebases over a concurrent blind append under WriteSerializable, keeping the appended rows', async () => {
    const { err, ids } = await overwriteRacingAppend('WriteSerializable');
    expect(err).toBeUndefined();
    expect(ids).toEqual([2, 9]);
  });

  it('an overwrite fails with CommitConflictError over a concurrent append under Serializable', async () => {
    const { err, ids } = await overwriteRacingAppend('Serializable');
    expect(err).toBeInstanceOf(CommitConflictError);
    expect((err as CommitConflictError).winningVersion).toBe(1);
    expect((err as CommitConflictError).winningOperation).toBe('WRITE');
    expect(ids).toEqual([1, 2]);
  });

});
