import { describe, expect, it } from 'vitest';
import {
  Binary,
  Bool,
  Decimal,
  Field,
  Int32,
  Int64,
  List,
  Map_,
  RecordBatch,
  Struct,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  vectorFromArray,
} from 'apache-arrow';
import type { ObjectStore } from '@duckrun/storage';
import { DeltaTable, InvalidOptionError, SchemaError } from '../../src/index.js';
import type { AddFile } from '../../src/kernel/actions/types.js';
import type { DataType, StructType } from '../../src/kernel/schema/types.js';
import { writeDataFiles } from '../../src/write/file-writer.js';
import { parquetWasm } from '../../src/parquet/wasm.js';
import { collectRows, freshMemoryStore, tableHeader, writeCommit } from '../helpers.js';

type Col = { name: string; type: DataType; nullable?: boolean; metadata?: Record<string, string | number> };
const schemaOf = (cols: Col[]): StructType => ({
  type: 'struct',
  fields: cols.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? true, metadata: c.metadata ?? {} })),
});

async function commitAndRead(store: ObjectStore, cols: Col[], adds: AddFile[], options: { partitionColumns?: string[]; configuration?: Record<string, string> } = {}) {
  const header = tableHeader(cols.map((c) => ({ ...c, type: jsonType(c.type) })), options);
  await writeCommit(store, 0, [...header, ...adds.map((add) => ({ add }))]);
  const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
  return collectRows(snap.scan());
}

const parquetColumns = (pw: Awaited<ReturnType<typeof parquetWasm>>, bytes: Uint8Array): string[] =>
  tableFromIPC(pw.readParquet(bytes).intoIPCStream()).schema.fields.map((f) => f.name);

const hasZstdFrame = (bytes: Uint8Array): boolean =>
  bytes.some((b, i) => b === 0x28 && bytes[i + 1] === 0xb5 && bytes[i + 2] === 0x2f && bytes[i + 3] === 0xfd);

/** A Delta type in its schemaString JSON form (decimals as `decimal(p,s)`). */
const jsonType = (t: DataType): unknown => {
  if (typeof t === 'string') return t;
  switch (t.type) {
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'struct':
      return { type: 'struct', fields: t.fields.map((f) => ({ ...f, type: jsonType(f.type) })) };
    case 'array':
      return { ...t, elementType: jsonType(t.elementType) };
    case 'map':
      return { ...t, keyType: jsonType(t.keyType), valueType: jsonType(t.valueType) };
  }
};

const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => Number(a.id) - Number(b.id);

describe('writeDataFiles', () => {
  it('writes an unpartitioned table that reads back with the same rows', async () => {
    const store = freshMemoryStore();
    const cols: Col[] = [{ name: 'id', type: 'integer' }, { name: 's', type: 'string' }, { name: 'l', type: 'long' }];
    const input = new Table({
      id: vectorFromArray([1, 2, 3], new Int32()),
      s: vectorFromArray(['a', null, 'c'], new Utf8()),
      l: vectorFromArray([10n, 20n, 30n], new Int64()),
    });
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: [] }, input.batches, { now: () => 42, uuid: () => 'u-1' });
    expect(adds).toHaveLength(1);
    const add = adds[0]!;
    expect(add.path).toBe('part-00000-u-1.c000.snappy.parquet');
    expect(add).toMatchObject({ partitionValues: {}, modificationTime: 42, dataChange: true });
    expect(add.size).toBe((await store.head(add.path)).size);
    expect(JSON.parse(add.stats!)).toEqual({
      numRecords: 3,
      minValues: { id: 1, s: 'a', l: 10 },
      maxValues: { id: 3, s: 'c', l: 30 },
      nullCount: { id: 0, s: 1, l: 0 },
    });
    const rows = await commitAndRead(store, cols, adds);
    expect(rows).toEqual([
      { id: 1, s: 'a', l: 10n },
      { id: 2, s: null, l: 20n },
      { id: 3, s: 'c', l: 30n },
    ]);
  });

  it('writes Hive-style partition folders, escaping special characters and nulls', async () => {
    const store = freshMemoryStore();
    const cols: Col[] = [{ name: 'id', type: 'integer' }, { name: 'p', type: 'string' }, { name: 'n', type: 'integer' }];
    const values = ['a b', 'x/y', 'c:d', '50%', 'k=v', 'é😀', 'a b', null];
    const input = new Table({
      id: vectorFromArray(values.map((_, i) => i), new Int32()),
      p: vectorFromArray(values, new Utf8()),
      n: vectorFromArray(values.map((v, i) => (v === null ? null : i % 2)), new Int32()),
    });
    let u = 0;
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: ['p', 'n'] }, input.batches, { uuid: () => `u${u++}` });
    const dirs = adds.map((a) => decodeURIComponent(a.path).replace(/\/part-.*$/, '')).sort();
    expect(dirs).toEqual([
      'p=50%25/n=1',
      'p=__HIVE_DEFAULT_PARTITION__/n=__HIVE_DEFAULT_PARTITION__',
      'p=a b/n=0',
      'p=c%3Ad/n=0',
      'p=k%3Dv/n=0',
      'p=x%2Fy/n=1',
      'p=é😀/n=1',
    ]);
    const spaced = adds.find((a) => a.partitionValues.p === 'a b')!;
    expect(spaced.path).toMatch(/^p=a%20b\/n=0\/part-\d{5}-u\d\.c000\.snappy\.parquet$/);
    expect(JSON.parse(spaced.stats!).numRecords).toBe(2);
    const percent = adds.find((a) => a.partitionValues.p === '50%')!;
    expect(percent.path.startsWith('p=50%2525/n=1/')).toBe(true);
    expect(adds.find((a) => a.partitionValues.p === null)!.partitionValues).toEqual({ p: null, n: null });
    // The objects exist under the decoded keys; data files hold no partition columns.
    const pw = await parquetWasm();
    for (const a of adds) {
      const bytes = await store.get(decodeURIComponent(a.path));
      expect(bytes.byteLength).toBe(a.size);
      expect(parquetColumns(pw, bytes)).toEqual(['id']);
    }
    const rows = (await commitAndRead(store, cols, adds, { partitionColumns: ['p', 'n'] })).sort(byId);
    expect(rows).toEqual(values.map((p, i) => ({ id: i, p, n: p === null ? null : i % 2 })));
  });

  it('round-trips nested and typed columns whose partitions are interleaved row by row', async () => {
    const store = freshMemoryStore();
    const n = 12;
    const rows = Array.from({ length: n }, (_, i) => i);
    const cols: Col[] = [
      { name: 'id', type: 'integer' },
      { name: 'p', type: 'string' },
      { name: 'b', type: 'boolean' },
      { name: 'bin', type: 'binary' },
      { name: 'ts', type: 'timestamp' },
      { name: 'dec', type: { type: 'decimal', precision: 10, scale: 2 } },
      { name: 'st', type: { type: 'struct', fields: [{ name: 'x', type: 'integer', nullable: true, metadata: {} }, { name: 'y', type: 'string', nullable: true, metadata: {} }] } },
      { name: 'arr', type: { type: 'array', elementType: 'integer', containsNull: true } },
      { name: 'm', type: { type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: true } },
    ];
    const structType = new Struct([new Field('x', new Int32(), true), new Field('y', new Utf8(), true)]);
    const mapType = new Map_(new Field('entries', new Struct<{ key: Utf8; value: Int32 }>([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]), false));
    const decWords = new Uint32Array(n * 4);
    rows.forEach((i) => (decWords[i * 4] = i * 125));
    const input = new Table({
      id: vectorFromArray(rows, new Int32()),
      p: vectorFromArray(rows.map((i) => ['x', 'y', 'z'][i % 3]!), new Utf8()),
      b: vectorFromArray(rows.map((i) => (i % 4 === 0 ? null : i % 2 === 0)), new Bool()),
      bin: vectorFromArray(rows.map((i) => (i % 5 === 0 ? null : Uint8Array.from([i, i + 1]))), new Binary()),
      ts: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: n, nullCount: 0, data: BigInt64Array.from(rows.map((i) => 1_700_000_000_000_000n + BigInt(i) * 1_001n)) })),
      dec: makeVector(makeData({ type: new Decimal(2, 10, 128), length: n, nullCount: 0, data: decWords })),
      st: vectorFromArray(rows.map((i) => (i % 6 === 1 ? null : { x: i % 2 ? i : null, y: `s${i}` })), structType),
      arr: vectorFromArray(rows.map((i) => (i % 7 === 2 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 ? null : i * 10 + k)))), new List(new Field('element', new Int32(), true))),
      m: vectorFromArray(rows.map((i) => (i % 4 === 3 ? null : new Map([[`k${i}`, i], ['z', null]]))), mapType),
    });
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: ['p'] }, input.batches);
    expect(adds).toHaveLength(3);
    const json = (r: unknown) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Array.from(v) : v));
    const expected = input.toArray().map((r) => json(r));
    const got = (await commitAndRead(store, cols, adds, { partitionColumns: ['p'] })).sort(byId).map((r) => json(r));
    expect(got).toEqual(expected);
    const statsX = JSON.parse(adds.find((a) => a.partitionValues.p === 'x')!.stats!);
    expect(statsX.numRecords).toBe(4);
    expect(statsX.minValues).toMatchObject({ id: 0, ts: '2023-11-14T22:13:20.000Z', dec: 0, st: { y: 's0' } });
    expect(statsX.maxValues).toMatchObject({ id: 9, ts: '2023-11-14T22:13:20.010Z', dec: 11.25, st: { x: 9, y: 's9' } });
    expect(statsX.nullCount).toMatchObject({ b: 1, bin: 1, st: { x: 2, y: 0 }, arr: 1, m: 1 });
  });

  it('rolls files at the target size and keeps every row', async () => {
    const store = freshMemoryStore();
    const cols: Col[] = [{ name: 'id', type: 'integer' }, { name: 'p', type: 'integer' }, { name: 's', type: 'string' }];
    async function* batches(): AsyncIterable<RecordBatch> {
      for (let b = 0; b < 20; b++) {
        const ids = Array.from({ length: 500 }, (_, i) => b * 500 + i);
        yield* new Table({
          id: vectorFromArray(ids, new Int32()),
          p: vectorFromArray(ids.map((i) => i % 2), new Int32()),
          s: vectorFromArray(ids.map((i) => `row-${i}`), new Utf8()),
        }).batches;
      }
    }
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: ['p'] }, batches(), { targetFileSize: 20_000 });
    expect(adds.length).toBeGreaterThan(4);
    expect(new Set(adds.map((a) => a.path)).size).toBe(adds.length);
    expect(adds.reduce((n, a) => n + JSON.parse(a.stats!).numRecords, 0)).toBe(10_000);
    const rows = (await commitAndRead(store, cols, adds, { partitionColumns: ['p'] })).sort(byId);
    expect(rows).toHaveLength(10_000);
    expect(rows.every((r, i) => r.id === i && r.p === i % 2 && r.s === `row-${i}`)).toBe(true);
  });

  it('rolls files inside one large batch', async () => {
    const store = freshMemoryStore();
    const cols: Col[] = [{ name: 'id', type: 'integer' }, { name: 's', type: 'string' }];
    const ids = Array.from({ length: 20_000 }, (_, i) => i);
    const input = new Table({ id: vectorFromArray(ids, new Int32()), s: vectorFromArray(ids.map((i) => `value-${i}`), new Utf8()) });
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: [] }, input.batches, { targetFileSize: 64 * 1024 });
    expect(adds.length).toBeGreaterThanOrEqual(4);
    const counts = adds.map((a) => JSON.parse(a.stats!).numRecords as number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(adds.map((a) => a.path.slice(0, 10))).toEqual(adds.map((_, i) => `part-${String(i).padStart(5, '0')}`));
    const rows = (await commitAndRead(store, cols, adds)).sort(byId);
    expect(rows.every((r, i) => r.id === i && r.s === `value-${i}`)).toBe(true);
  });

  it('bounds the bytes buffered across partitions by flushing the largest', async () => {
    const store = freshMemoryStore();
    const cols: Col[] = [{ name: 'id', type: 'integer' }, { name: 'p', type: 'integer' }];
    const batches = Array.from({ length: 10 }, (_, b) => {
      const ids = Array.from({ length: 100 }, (_, i) => b * 100 + i);
      return new Table({ id: vectorFromArray(ids, new Int32()), p: vectorFromArray(ids.map((i) => i % 10), new Int32()) }).batches[0]!;
    });
    // Each batch holds 10 rows (40 bytes) of each of the 10 partitions: without the bound, 10 files.
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: ['p'] }, batches, {
      targetFileSize: 1_000_000,
      maxBufferedBytes: 200,
    });
    expect(adds.length).toBeGreaterThan(10);
    expect(adds.reduce((n, a) => n + JSON.parse(a.stats!).numRecords, 0)).toBe(1000);
  });

  it('writes zstd files when asked', async () => {
    const store = freshMemoryStore();
    const cols: Col[] = [{ name: 'id', type: 'integer' }];
    const input = new Table({ id: vectorFromArray([1, 2, 3], new Int32()) });
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: [] }, input.batches, { compression: 'zstd' });
    expect(adds[0]!.path).toMatch(/^part-00000-[0-9a-f-]{36}\.c000\.zstd\.parquet$/);
    // zstd-compressed pages start with the zstd frame magic 28 B5 2F FD.
    expect(hasZstdFrame(await store.get(adds[0]!.path))).toBe(true);
    const snappy = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: [] }, input.batches);
    expect(hasZstdFrame(await store.get(snappy[0]!.path))).toBe(false);
    const rows = await commitAndRead(store, cols, adds);
    expect(rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('writes physical column names and field ids under column mapping', async () => {
    const store = freshMemoryStore();
    const cm = (phys: string, id: number) => ({ 'delta.columnMapping.physicalName': phys, 'delta.columnMapping.id': id });
    const cols: Col[] = [
      { name: 'id', type: 'integer', metadata: cm('col-1', 1) },
      { name: 'p', type: 'string', metadata: cm('col-2', 2) },
    ];
    const input = new Table({ id: vectorFromArray([1, 2], new Int32()), p: vectorFromArray(['a', 'b'], new Utf8()) });
    const adds = await writeDataFiles(store, { schema: schemaOf(cols), partitionColumns: ['p'], columnMapping: 'name' }, input.batches);
    expect(adds.map((a) => a.partitionValues).sort((x, y) => String(x['col-2']).localeCompare(String(y['col-2'])))).toEqual([{ 'col-2': 'a' }, { 'col-2': 'b' }]);
    expect(JSON.parse(adds[0]!.stats!).minValues).toHaveProperty('col-1');
    const pw = await parquetWasm();
    const file = tableFromIPC(pw.readParquet(await store.get(decodeURIComponent(adds[0]!.path))).intoIPCStream());
    expect(file.schema.fields.map((f) => f.name)).toEqual(['col-1']);
    expect(file.schema.fields[0]!.metadata.get('PARQUET:field_id')).toBe('1');
    const rows = (
      await commitAndRead(store, cols, adds, {
        partitionColumns: ['p'],
        configuration: { 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '2' },
      })
    ).sort(byId);
    expect(rows).toEqual([{ id: 1, p: 'a' }, { id: 2, p: 'b' }]);
  });

  it('rejects data that does not fit the schema and bad options', async () => {
    const store = freshMemoryStore();
    const schema = schemaOf([{ name: 'id', type: 'integer', nullable: false }]);
    const ints = new Table({ id: vectorFromArray([1], new Int32()) });
    await expect(writeDataFiles(store, { schema, partitionColumns: ['nope'] }, ints.batches)).rejects.toThrow(SchemaError);
    await expect(writeDataFiles(store, { schema, partitionColumns: [] }, new Table({ id: vectorFromArray(['x'], new Utf8()) }).batches)).rejects.toThrow(/cast the column/);
    await expect(writeDataFiles(store, { schema, partitionColumns: [] }, new Table({ id: vectorFromArray([null], new Int32()) }).batches)).rejects.toThrow(/NOT NULL/);
    await expect(writeDataFiles(store, { schema, partitionColumns: [] }, ints.batches, { targetFileSize: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(writeDataFiles(store, { schema, partitionColumns: [] }, ints.batches, { compression: 'gzip' as 'zstd' })).rejects.toThrow(InvalidOptionError);
  });
});
