import { describe, expect, it } from 'vitest';
import {
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  Utf8,
  Decimal,
  makeData,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import { collectStats, StatsCollector, truncateMax, truncateMin } from '../../src/write/stats.js';
import type { DataType, StructType } from '../../src/kernel/schema/types.js';

const schemaOf = (fields: Array<[string, DataType, Record<string, string | number>?]>): StructType => ({
  type: 'struct',
  fields: fields.map(([name, type, metadata]) => ({ name, type, nullable: true, metadata: metadata ?? {} })),
});

const batchOf = (columns: Record<string, Data>): RecordBatch => new RecordBatch(columns);

const stats = (json: string) => JSON.parse(json) as { numRecords: number; minValues: any; maxValues: any; nullCount: any };

describe('collectStats', () => {
  it('records min, max and null counts of integer columns across batches', () => {
    const schema = schemaOf([['i', 'integer'], ['l', 'long']]);
    const c = new StatsCollector(schema);
    c.add(batchOf({ i: vectorFromArray([3, null, 7], new Int32()).data[0]!, l: vectorFromArray([10n, 20n, null], new Int64()).data[0]! }));
    c.add(batchOf({ i: vectorFromArray([-2, 5], new Int32()).data[0]!, l: vectorFromArray([9007199254740993n, 1n], new Int64()).data[0]! }));
    expect(c.toJSON()).toBe(
      '{"numRecords":5,"minValues":{"i":-2,"l":1},"maxValues":{"i":7,"l":9007199254740993},"nullCount":{"i":1,"l":1}}',
    );
  });

  it('truncates long strings to 32 characters with a max that stays an upper bound', () => {
    const long = 'a'.repeat(40);
    const s = stats(collectStats(new Table({ s: vectorFromArray(['b', long, null, 'zz' + 'y'.repeat(40)], new Utf8()) }), schemaOf([['s', 'string']])));
    expect(s.minValues.s).toBe('a'.repeat(32));
    expect(s.maxValues.s).toBe('zz' + 'y'.repeat(29) + 'z');
    expect(s.nullCount.s).toBe(1);
  });

  it('never splits a surrogate pair and omits the max when no bound of 32 characters exists', () => {
    const emoji = '😀'.repeat(40);
    expect(truncateMin(emoji, 32)).toBe('😀'.repeat(32));
    expect(truncateMax(emoji, 32)).toBe('😀'.repeat(31) + '😁');
    expect(truncateMax('\u{10FFFF}'.repeat(40), 32)).toBeUndefined();
    expect(truncateMax('a' + '\u{10FFFF}'.repeat(40), 32)).toBe('b');
    expect(truncateMax('\uD7FF'.repeat(33), 32)).toBe('\uD7FF'.repeat(31) + '\uE000');
    const s = stats(collectStats(new Table({ s: vectorFromArray(['\u{10FFFF}'.repeat(33)], new Utf8()) }), schemaOf([['s', 'string']])));
    expect(s.minValues.s).toBe('\u{10FFFF}'.repeat(32));
    expect(s.maxValues).toEqual({});
  });

  it('orders strings by code point (UTF-8 bytes), not UTF-16 units', () => {
    const s = stats(collectStats(new Table({ s: vectorFromArray(['\uFF61', '😀'], new Utf8()) }), schemaOf([['s', 'string']])));
    expect(s.minValues.s).toBe('\uFF61');
    expect(s.maxValues.s).toBe('😀');
  });

  it('writes timestamps in UTC with milliseconds, flooring the min and ceiling the max', () => {
    const ts = makeData({ type: new TimestampMicrosecond('UTC'), length: 3, nullCount: 0, data: BigInt64Array.from([1_700_000_000_123_456n, 1_700_000_000_000_999n, -1n]) });
    const ntz = makeData({ type: new TimestampNanosecond(), length: 3, nullCount: 0, data: BigInt64Array.from([1_000_000_001n, 1_000_000_001n, 1_000_000_001n]) });
    const s = stats(collectStats([batchOf({ t: ts, n: ntz })], schemaOf([['t', 'timestamp'], ['n', 'timestamp_ntz']])));
    expect(s.nullCount).toEqual({ t: 0, n: 0 });
    expect(s.minValues.t).toBe('1969-12-31T23:59:59.999Z');
    expect(s.maxValues.t).toBe('2023-11-14T22:13:20.124Z');
    expect(s.minValues.n).toBe('1970-01-01T00:00:01.000');
    expect(s.maxValues.n).toBe('1970-01-01T00:00:01.001');
  });

  it('collects nested struct leaves, counting a null struct as nulls in its leaves', () => {
    const a = vectorFromArray([1, 2, 3], new Int32()).data[0]!;
    const b = vectorFromArray(['x', null, 'z'], new Utf8()).data[0]!;
    const type = new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]);
    // Row 2 (a=3, b='z') sits under a null struct.
    const st = makeData({ type, length: 3, nullCount: 1, nullBitmap: Uint8Array.from([0b011]), children: [a, b] });
    const schema = schemaOf([['st', { type: 'struct', fields: [{ name: 'a', type: 'integer', nullable: true, metadata: {} }, { name: 'b', type: 'string', nullable: true, metadata: {} }] }]]);
    const s = stats(collectStats([batchOf({ st })], schema));
    expect(s.minValues).toEqual({ st: { a: 1, b: 'x' } });
    expect(s.maxValues).toEqual({ st: { a: 2, b: 'x' } });
    expect(s.nullCount).toEqual({ st: { a: 1, b: 2 } });
  });

  it('gives an all-null column a null count and no bounds', () => {
    const s = stats(collectStats(new Table({ v: vectorFromArray([null, null], new Int32()), w: vectorFromArray([1, 2], new Int32()) }), schemaOf([['v', 'integer'], ['w', 'integer']])));
    expect(s.nullCount).toEqual({ v: 2, w: 0 });
    expect(s.minValues).toEqual({ w: 1 });
    expect(s.maxValues).toEqual({ w: 2 });
  });

  it('skips NaN in doubles and writes exact decimals only', () => {
    const dec = makeData({ type: new Decimal(2, 10, 128), length: 3, nullCount: 0, data: Uint32Array.from([150, 0, 0, 0, 0xffffff9c, 0xffffffff, 0xffffffff, 0xffffffff, 5, 0, 0, 0]) });
    const big = makeData({ type: new Decimal(0, 38, 128), length: 3, nullCount: 0, data: Uint32Array.from([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0]) });
    const s = stats(
      collectStats(
        [batchOf({ d: vectorFromArray([NaN, 1.5, -2], new Float64()).data[0]!, m: dec, big })],
        schemaOf([['d', 'double'], ['m', { type: 'decimal', precision: 10, scale: 2 }], ['big', { type: 'decimal', precision: 38, scale: 0 }]]),
      ),
    );
    expect(s.minValues).toEqual({ d: -2, m: -1 });
    expect(s.maxValues).toEqual({ d: 1.5, m: 1.5 });
    expect(s.nullCount).toEqual({ d: 0, m: 0, big: 0 });
  });

  it('keys stats by physical names under column mapping and honours numIndexedCols', () => {
    const schema = schemaOf([
      ['a', 'integer', { 'delta.columnMapping.physicalName': 'col-a', 'delta.columnMapping.id': 1 }],
      ['b', 'integer', { 'delta.columnMapping.physicalName': 'col-b', 'delta.columnMapping.id': 2 }],
    ]);
    const t = new Table({ a: vectorFromArray([1], new Int32()), b: vectorFromArray([2], new Int32()) });
    expect(stats(collectStats(t, schema, { columnMapping: 'name' })).minValues).toEqual({ 'col-a': 1, 'col-b': 2 });
    expect(stats(collectStats(t, schema, { columnMapping: 'name', numIndexedCols: 1 })).nullCount).toEqual({ 'col-a': 0 });
    expect(collectStats(t, schema, { columnMapping: 'name', tightBounds: true })).toMatch(/^\{"numRecords":1,"tightBounds":true,/);
  });
});
