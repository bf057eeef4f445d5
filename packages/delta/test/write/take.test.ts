import { describe, expect, it } from 'vitest';
import { makeData, Bool, Decimal, Field, FixedSizeBinary, Int32, Int64, List, Struct, Table, Utf8, Dictionary, vectorFromArray } from 'apache-arrow';
import { takeBatch, takeData } from '../../src/arrow/take.js';

const json = (rows: unknown[]) => JSON.parse(JSON.stringify(rows)) as unknown;

describe('takeBatch', () => {
  it('gathers rows of sliced strings, booleans, structs and lists with their nulls', () => {
    const n = 20;
    const rows = Array.from({ length: n }, (_, i) => i);
    const table = new Table({
      i: vectorFromArray(rows.map((i) => (i % 3 === 0 ? null : i)), new Int32()),
      s: vectorFromArray(rows.map((i) => (i % 4 === 0 ? null : `v${i}`)), new Utf8()),
      b: vectorFromArray(rows.map((i) => (i % 5 === 0 ? null : i % 2 === 0)), new Bool()),
      st: vectorFromArray(rows.map((i) => (i % 6 === 0 ? null : { x: i, y: `y${i}` })), new Struct([new Field('x', new Int32(), true), new Field('y', new Utf8(), true)])),
      l: vectorFromArray(rows.map((i) => (i % 7 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => i + k))), new List(new Field('element', new Int32(), true))),
    });
    const batch = table.batches[0]!.slice(3, 17);
    const indices = Int32Array.from([0, 2, 5, 6, 13]);
    const taken = takeBatch(batch, indices)!;
    const all = batch.toArray().map((r) => r.toJSON());
    expect(json(taken.toArray().map((r) => r.toJSON()))).toEqual(json(Array.from(indices, (i) => all[i])));
    expect(taken.getChild('i')!.nullCount).toBe(Array.from(indices, (i) => all[i]!.i).filter((v) => v === null).length);
  });

  it('gathers multi-word values (decimal128, int64, fixed-size binary) and long strings from a slice', () => {
    const n = 12;
    const rows = Array.from({ length: n }, (_, i) => i);
    const words = (i: number) => Uint32Array.from([i * 7 + 1, i, 0xffffffff - i, i % 2]);
    const table = new Table({
      dec: vectorFromArray(rows.map((i) => (i % 5 === 0 ? null : words(i))), new Decimal(2, 38, 128)),
      big: vectorFromArray(rows.map((i) => BigInt(i) * 10_000_000_000n - 3n), new Int64()),
      fsb: vectorFromArray(rows.map((i) => Uint8Array.from([i, i + 1, i + 2])), new FixedSizeBinary(3)),
      long: vectorFromArray(rows.map((i) => `${'x'.repeat(40 + i)}-${i}`), new Utf8()),
    });
    const batch = table.batches[0]!.slice(2, 11);
    const indices = Int32Array.from([8, 0, 3, 3, 5]);
    const taken = takeBatch(batch, indices)!;
    for (const name of ['dec', 'big', 'fsb', 'long']) {
      const before = batch.getChild(name)!;
      const after = taken.getChild(name)!;
      expect(Array.from(indices, (i) => String(before.get(i)))).toEqual(Array.from({ length: indices.length }, (_, j) => String(after.get(j))));
    }
    expect(taken.getChild('dec')!.nullCount).toBe(Array.from(indices, (i) => (i + 2) % 5 === 0).filter(Boolean).length);
  });

  it('gathers fixed-size binary whose bytes start at an odd offset', () => {
    const bytes = new Uint8Array(1 + 4 * 5).subarray(1);
    bytes.forEach((_, i) => (bytes[i] = i));
    const column = makeData({ type: new FixedSizeBinary(4), length: 5, nullCount: 0, data: bytes });
    const taken = takeData(column, Int32Array.from([4, 1]))!;
    expect(Array.from(taken.values as Uint8Array)).toEqual([16, 17, 18, 19, 4, 5, 6, 7]);
  });

  it('declines types it cannot gather', () => {
    const dict = vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()));
    expect(takeBatch(new Table({ d: dict }).batches[0]!, Int32Array.from([0, 2]))).toBeUndefined();
  });
});
