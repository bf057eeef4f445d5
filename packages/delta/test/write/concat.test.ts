// Joining small record batches into one before encoding: every supported type, sliced inputs (non-zero
// offsets) and nulls at every level come out row for row as they went in.

import { describe, expect, it } from 'vitest';
import { Binary, Bool, DateDay, Decimal, Field, Float64, Int32, Int64, List, Map_, Struct, TimeUnit, Timestamp, Utf8, Dictionary, vectorFromArray, tableFromArrays, type RecordBatch, type Table } from 'apache-arrow';
import { concatBatches } from '../../src/arrow/concat.js';

const rows = (batches: readonly RecordBatch[]): string[] =>
  batches.flatMap((b) => b.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v instanceof Map ? [...v] : v))));

function table(n: number, seed: number): Table {
  const ids = Array.from({ length: n }, (_, i) => i + seed);
  const pick = <T,>(values: T[]) => ids.map((i) => values[i % values.length]!);
  return tableFromArrays({
    id: Int32Array.from(ids),
    big: vectorFromArray(pick([1n, null, -(2n ** 63n)]), new Int64()),
    f: vectorFromArray(pick([1.5, null, Number.NaN]), new Float64()),
    dec: vectorFromArray(pick([Uint32Array.of(5, 0, 0, 0), null]), new Decimal(2, 10, 128)),
    s: vectorFromArray(pick(['', 'héllo', null, '😀 long string value']), new Utf8()),
    bin: vectorFromArray(pick([Uint8Array.of(1, 2), null, new Uint8Array(0)]), new Binary()),
    b: vectorFromArray(pick([true, null, false, true, true]), new Bool()),
    d: vectorFromArray(pick([new Date(Date.UTC(2020, 0, 1)), null]), new DateDay()),
    ts: vectorFromArray(pick([new Date(0), null, new Date(Date.UTC(2001, 0, 1))]), new Timestamp(TimeUnit.MICROSECOND, 'UTC')),
    st: vectorFromArray(pick([{ x: 1, y: 'a' }, null, { x: null, y: null }]), new Struct([new Field('x', new Int32(), true), new Field('y', new Utf8(), true)])),
    l: vectorFromArray(pick([[1, null], [], null, [3]]), new List(new Field('item', new Int32(), true))),
    m: vectorFromArray(pick([new Map([['k', 1]]), null, new Map()]), new Map_(new Field('entries', new Struct([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]), false))),
  } as never) as Table;
}

describe('concatBatches', () => {
  it('joins batches of every supported type, sliced ones included, row for row', () => {
    const parts = [table(37, 0).batches[0]!.slice(3, 20), table(50, 7).batches[0]!, table(9, 2).batches[0]!.slice(1, 8)];
    const joined = concatBatches(parts)!;
    expect(joined.numRows).toBe(17 + 50 + 7);
    expect(rows([joined])).toEqual(rows(parts));
    // Fresh buffers: the joined batch's nulls are counted, not inherited.
    expect(joined.getChild('s')!.nullCount).toBe(parts.reduce((n, p) => n + p.getChild('s')!.nullCount, 0));
  });

  it('hands back a single batch as it is, and declines dictionary columns', () => {
    const one = table(5, 0).batches[0]!;
    expect(concatBatches([one])).toBe(one);
    const dict = tableFromArrays({ c: vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32())) } as never) as Table;
    expect(concatBatches([dict.batches[0]!, dict.batches[0]!])).toBeUndefined();
  });
});
