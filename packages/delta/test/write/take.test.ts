import { describe, expect, it } from 'vitest';
import { Bool, Field, Int32, List, Struct, Table, Utf8, Dictionary, vectorFromArray } from 'apache-arrow';
import { takeBatch } from '../../src/arrow/take.js';

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

  it('declines types it cannot gather', () => {
    const dict = vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()));
    expect(takeBatch(new Table({ d: dict }).batches[0]!, Int32Array.from([0, 2]))).toBeUndefined();
  });
});
