import { describe, expect, it } from 'vitest';
import { Dictionary, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { writeDataFiles } from '../../src/write/file-writer.js';
import { DeltaTable } from '../../src/index.js';
import { collectRows, freshMemoryStore, tableHeader, writeCommit } from '../helpers.js';

describe('writeDataFiles with dictionary-encoded input', () => {
  it('writes dictionary string columns from batches with different dictionaries', async () => {
    const store = freshMemoryStore();
    const batch = (ids: number[], words: string[]) =>
      new Table({ id: vectorFromArray(ids, new Int32()), s: vectorFromArray(words, new Dictionary(new Utf8(), new Int32())), p: vectorFromArray(ids.map((i) => i % 2), new Int32()) }).batches[0]!;
    const schema = {
      type: 'struct' as const,
      fields: [
        { name: 'id', type: 'integer' as const, nullable: true, metadata: {} },
        { name: 's', type: 'string' as const, nullable: true, metadata: {} },
        { name: 'p', type: 'integer' as const, nullable: true, metadata: {} },
      ],
    };
    const adds = await writeDataFiles(store, { schema, partitionColumns: ['p'] }, [batch([0, 1, 2, 3], ['a', 'b', 'a', 'c']), batch([4, 5], ['zz', 'yy'])]);
    await writeCommit(store, 0, [...tableHeader(schema.fields, { partitionColumns: ['p'] }), ...adds.map((add) => ({ add }))]);
    const rows = await collectRows((await (await DeltaTable.open(store.url, { store })).snapshot()).scan());
    expect(rows.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 0, s: 'a', p: 0 },
      { id: 1, s: 'b', p: 1 },
      { id: 2, s: 'a', p: 0 },
      { id: 3, s: 'c', p: 1 },
      { id: 4, s: 'zz', p: 0 },
      { id: 5, s: 'yy', p: 1 },
    ]);
    const byP = Object.fromEntries(adds.map((a) => [a.partitionValues.p, JSON.parse(a.stats!)]));
    expect(byP['0'].minValues.s).toBe('a');
    expect(byP['0'].maxValues.s).toBe('zz');
  });

  it('writes an all-null dictionary column as nulls', async () => {
    const store = freshMemoryStore();
    const schema = { type: 'struct' as const, fields: [{ name: 's', type: 'string' as const, nullable: true, metadata: {} }] };
    const input = new Table({ s: vectorFromArray([null, null], new Dictionary(new Utf8(), new Int32())) });
    const adds = await writeDataFiles(store, { schema, partitionColumns: [] }, input.batches);
    expect(JSON.parse(adds[0]!.stats!)).toEqual({ numRecords: 2, minValues: {}, maxValues: {}, nullCount: { s: 2 } });
    await writeCommit(store, 0, [...tableHeader(schema.fields), ...adds.map((add) => ({ add }))]);
    const rows = await collectRows((await (await DeltaTable.open(store.url, { store })).snapshot()).scan());
    expect(rows).toEqual([{ s: null }, { s: null }]);
  });
});
