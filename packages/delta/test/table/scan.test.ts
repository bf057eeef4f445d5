import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { DeltaTable } from '../../src/index.js';
import { buildDeletionVectorFile, encodeDeletionVectorUuidPath, inlineDeletionVector, serializeDeletionVector } from '../../src/kernel/dv/descriptor.js';
import { addAction, collectRows, freshMemoryStore, parquetBytes, tableHeader, writeCommit } from '../helpers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Snapshot.scan', () => {
  it('drops the rows an inline deletion vector marks as deleted', async () => {
    const store = freshMemoryStore();
    const bytes = await parquetBytes(tableFromArrays({ id: Int32Array.from(range(10)) }));
    await store.put('data.parquet', bytes);
    const dv = inlineDeletionVector([0, 3, 4, 9]);
    const header = tableHeader([{ name: 'id', type: 'integer' }], {
      protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] },
    });
    await writeCommit(store, 0, [...header, addAction('data.parquet', bytes.byteLength, { deletionVector: dv })]);
    const rows = await collectRows((await (await DeltaTable.open(store.url, { store })).snapshot()).scan());
    expect(rows.map((r) => r.id)).toEqual([1, 2, 5, 6, 7, 8]);
  });

  it('drops the rows of a dense deletion vector (every other row) in one compact batch', async () => {
    const store = freshMemoryStore();
    const bytes = await parquetBytes(tableFromArrays({ id: Int32Array.from(range(1000)), s: range(1000).map((i) => `v${i}`) }));
    await store.put('data.parquet', bytes);
    const dv = inlineDeletionVector(range(500).map((i) => i * 2));
    const header = tableHeader([{ name: 'id', type: 'integer' }, { name: 's', type: 'string' }], {
      protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] },
    });
    await writeCommit(store, 0, [...header, addAction('data.parquet', bytes.byteLength, { deletionVector: dv })]);
    const batches = [];
    for await (const b of (await (await DeltaTable.open(store.url, { store })).snapshot()).scan()) batches.push(b);
    expect(batches).toHaveLength(1);
    const rows = batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as { id: number; s: string }));
    expect(rows.map((r) => r.id)).toEqual(range(500).map((i) => i * 2 + 1));
    expect(rows.every((r) => r.s === `v${r.id}`)).toBe(true);
  });

  it('reads a deletion vector stored in a relative .bin file at its offset', async () => {
    const store = freshMemoryStore();
    const bytes = await parquetBytes(tableFromArrays({ id: Int32Array.from(range(6)) }));
    await store.put('data.parquet', bytes);
    const other = serializeDeletionVector([1]);
    const mine = serializeDeletionVector([2, 5]);
    const file = buildDeletionVectorFile([other, mine]);
    const uuid = '0229ec3d-5100-44e1-8e53-702d448da8da';
    await store.put(`ab/deletion_vector_${uuid}.bin`, file.bytes);
    const dv = {
      storageType: 'u' as const,
      pathOrInlineDv: encodeDeletionVectorUuidPath(uuid, 'ab'),
      offset: file.offsets[1]!,
      sizeInBytes: mine.byteLength,
      cardinality: 2,
    };
    const header = tableHeader([{ name: 'id', type: 'integer' }], {
      protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] },
    });
    await writeCommit(store, 0, [...header, addAction('data.parquet', bytes.byteLength, { deletionVector: dv })]);
    const rows = await collectRows((await (await DeltaTable.open(store.url, { store })).snapshot()).scan());
    expect(rows.map((r) => r.id)).toEqual([0, 1, 3, 4]);
  });

  it('fills partition columns from the log and reads null partitions as nulls', async () => {
    const store = freshMemoryStore();
    const bytes = await parquetBytes(tableFromArrays({ v: Int32Array.from([1, 2]) }));
    await store.put('p=a/x.parquet', bytes);
    await store.put('p=__HIVE_DEFAULT_PARTITION__/y.parquet', bytes);
    const header = tableHeader([{ name: 'v', type: 'integer' }, { name: 'p', type: 'string' }, { name: 'd', type: 'date' }], { partitionColumns: ['p', 'd'] });
    await writeCommit(store, 0, [
      ...header,
      addAction('p=a/x.parquet', bytes.byteLength, { partitionValues: { p: 'a', d: '2024-02-29' } }),
      addAction('p=__HIVE_DEFAULT_PARTITION__/y.parquet', bytes.byteLength, { partitionValues: { p: null, d: null } }),
    ]);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.files().map((f) => f.partitionValues).sort((a, b) => String(a.p).localeCompare(String(b.p)))).toEqual([
      { p: 'a', d: 19782 },
      { p: null, d: null },
    ]);
    const rows = await collectRows(snap.scan());
    expect(rows.filter((r) => r.p === 'a').map((r) => r.v)).toEqual([1, 2]);
    expect(rows.filter((r) => r.p === null)).toHaveLength(2);
    // A projection of partition columns only still yields one row per data row.
    const days = (await collectRows(snap.scan({ columns: ['d'] }))).map((r) => (r.d === null ? null : Number(r.d) / 86_400_000));
    expect(days.sort()).toEqual([19782, 19782, null, null]);
  });

  it('reads only the projected columns from each file, in the requested order', async () => {
    const store = freshMemoryStore();
    const bytes = await parquetBytes(tableFromArrays({ a: Int32Array.from([1, 2]), b: Int32Array.from([3, 4]), c: Int32Array.from([5, 6]) }));
    await store.put('f.parquet', bytes);
    const header = tableHeader([{ name: 'a', type: 'integer' }, { name: 'b', type: 'integer' }, { name: 'c', type: 'integer' }]);
    await writeCommit(store, 0, [...header, addAction('f.parquet', bytes.byteLength)]);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    const batches = [];
    for await (const b of snap.scan({ columns: ['c', 'a'] })) batches.push(b);
    expect(batches[0]?.schema.fields.map((f) => f.name)).toEqual(['c', 'a']);
    expect(batches.flatMap((b) => b.toArray().map((r) => r.toJSON()))).toEqual([{ c: 5, a: 1 }, { c: 6, a: 2 }]);
  });

  it('returns columns added by schema evolution as nulls for older files, and projects columns', async () => {
    const store = freshMemoryStore();
    const old = await parquetBytes(tableFromArrays({ a: Int32Array.from([1]) }));
    await store.put('old.parquet', old);
    await writeCommit(store, 0, [...tableHeader([{ name: 'a', type: 'integer' }, { name: 'b', type: 'string' }]), addAction('old.parquet', old.byteLength)]);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(await collectRows(snap.scan())).toEqual([{ a: 1, b: null }]);
    expect(await collectRows(snap.scan({ columns: ['b'] }))).toEqual([{ b: null }]);
    await expect(collectRows(snap.scan({ columns: ['nope'] }))).rejects.toThrow(/has no column nope; its columns are a, b/);
  });

  it('maps physical column names to logical ones under column mapping, nested fields included', async () => {
    const store = freshMemoryStore();
    const bytes = await parquetBytes(tableFromArrays({ 'col-1': Int32Array.from([7]) }));
    await store.put('f.parquet', bytes);
    const field = { name: 'amount', type: 'integer', metadata: { 'delta.columnMapping.id': 1, 'delta.columnMapping.physicalName': 'col-1' } };
    const header = tableHeader([field], {
      configuration: { 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '1' },
      protocol: { minReaderVersion: 2, minWriterVersion: 5 },
    });
    await writeCommit(store, 0, [...header, addAction('f.parquet', bytes.byteLength)]);
    const rows = await collectRows((await (await DeltaTable.open(store.url, { store })).snapshot()).scan());
    expect(rows).toEqual([{ amount: 7 }]);
  });
});
