// Stats from parquet footers (for data files another writer made) must equal the StatsCollector's stats of
// the same rows wherever the footer says the value exactly, and leave out what it cannot say.
import { describe, expect, it } from 'vitest';
import { Bool, Float64, Int32, Int64, List, Field, Struct, Utf8, makeData, tableFromArrays, vectorFromArray, RecordBatch, type Data } from 'apache-arrow';
import { writeDeltaTable } from '../../src/index.js';
import { DeltaTable } from '../../src/table.js';
import { footerSize, parseParquetFooter } from '../../src/parquet/footer.js';
import { footerStats } from '../../src/write/footer-stats.js';
import { writeDataFiles } from '../../src/write/file-writer.js';
import { fromArrowSchema } from '../../src/kernel/schema/arrow.js';
import { decodeAddPath } from '../../src/kernel/partitions/path.js';
import { freshMemoryStore } from '../helpers.js';

async function footerOf(store: ReturnType<typeof freshMemoryStore>, addPath: string) {
  const decoded = decodeAddPath(addPath);
  const bytes = await store.get('relative' in decoded ? decoded.relative : decoded.absolute);
  expect(footerSize(bytes.subarray(bytes.length - 8), addPath)).toBeLessThanOrEqual(bytes.length);
  return parseParquetFooter(bytes, addPath);
}

describe('footerStats', () => {
  it('equals the collector on files our Arrow writer made: ints, doubles, strings, structs, nulls, five row groups', async () => {
    const n = 5000;
    const ids = Array.from({ length: n }, (_, i) => i - 2500);
    const inner = makeData({
      type: new Struct([new Field('a', new Int64(), true), new Field('s', new Utf8(), true)]),
      length: n,
      nullCount: 0,
      children: [
        vectorFromArray(ids.map((i) => (i % 7 === 0 ? null : BigInt(i) * 1000n)), new Int64()).data[0]!,
        vectorFromArray(ids.map((i) => (i % 5 === 0 ? null : `v${i}-${'é'.repeat(Math.abs(i) % 40)}`)), new Utf8()).data[0]!,
      ],
    });
    const cols: Record<string, Data> = {
      id: vectorFromArray(ids, new Int32()).data[0]!,
      d: vectorFromArray(ids.map((i) => (i % 3 === 0 ? null : i / 7)), new Float64()).data[0]!,
      flag: vectorFromArray(ids.map((i) => (i % 4 === 0 ? null : i > 0)), new Bool()).data[0]!,
      st: inner,
      arr: vectorFromArray(ids.map((i) => (i % 6 === 0 ? null : [i, i + 1])), new List(new Field('element', new Int32(), true))).data[0]!,
    };
    const batch = new RecordBatch(cols);
    const store = freshMemoryStore();
    const schema = fromArrowSchema(batch.schema);
    // Row groups of 1,000 rows: the footer's bounds are combined over five chunks per column.
    const [add] = await writeDataFiles(store, { schema, partitionColumns: [] }, [batch], { rowGroupRows: 1000 });
    const footer = await footerOf(store, add!.path);
    expect(footer.numRows).toBe(n);
    expect(footer.rowGroups).toHaveLength(5);
    const got = footerStats(footer, schema);
    const want = JSON.parse(add!.stats!) as Record<string, unknown>;
    const mine = JSON.parse(got.stats) as Record<string, unknown>;
    // The array's own null count is not in a footer (its leaf counts element-level nulls).
    delete (want['nullCount'] as Record<string, unknown>)['arr'];
    expect(mine).toEqual(want);
    expect(got.nulls(['id'])).toBe(0);
    expect(got.nulls(['st', 's'])).toBe(1000);
  });

  it('leaves out bounds of a column with NaN or infinities the footer cannot bound exactly', async () => {
    const store = freshMemoryStore();
    await writeDeltaTable(store.url, tableFromArrays({ x: Float64Array.from([1, NaN, 3]), y: Float64Array.from([-Infinity, 2, 5]) }), { store, mode: 'overwrite' });
    const snapshot = await (await DeltaTable.open(store.url, { store })).snapshot();
    const [add] = snapshot.addFiles();
    const got = JSON.parse(footerStats(await footerOf(store, add!.path), snapshot.schema).stats) as { minValues: Record<string, number>; maxValues: Record<string, number> };
    // Whatever the footer holds, a bound is either left out or a true bound of the finite values.
    if (got.minValues['y'] !== undefined) expect(got.minValues['y']).toBe(2);
    if (got.maxValues['x'] !== undefined) expect(got.maxValues['x']).toBe(3);
    expect(got.maxValues['y'] === undefined || got.maxValues['y'] === 5).toBe(true);
  });
});
