// The TPC-H lineitem generator: determinism, cardinalities, value domains, key uniqueness, change sets.
import { describe, expect, it } from 'vitest';
import {
  CURRENT_DATE,
  END_DATE,
  SHIP_INSTRUCTIONS,
  SHIP_MODES,
  START_DATE,
  TpchOptionError,
  checksumRows,
  lineitemBatches,
  lineitemChangeSet,
  lineitemRows,
  orderCount,
  sameChecksum,
  type LineitemRow,
} from './index.js';
import type { RecordBatch } from './arrow.js';

const SCALE = 0.01;

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** Rows read back from Arrow batches, decimals as their unscaled integer (lowest 32-bit word). */
function rowsOfBatches(batches: readonly RecordBatch[]): LineitemRow[] {
  const rows: LineitemRow[] = [];
  for (const b of batches) {
    const col = (name: string) => b.getChild(name)!;
    const dec = (name: string) => col(name).data[0]!.values as Uint32Array;
    for (let i = 0; i < b.numRows; i++) {
      rows.push({
        l_orderkey: Number(col('l_orderkey').get(i)),
        l_partkey: col('l_partkey').get(i),
        l_suppkey: col('l_suppkey').get(i),
        l_linenumber: col('l_linenumber').get(i),
        l_quantity: dec('l_quantity')[i * 4]!,
        l_extendedprice: dec('l_extendedprice')[i * 4]!,
        l_discount: dec('l_discount')[i * 4]!,
        l_tax: dec('l_tax')[i * 4]!,
        l_returnflag: col('l_returnflag').get(i),
        l_linestatus: col('l_linestatus').get(i),
        l_shipdate: (col('l_shipdate').data[0]!.values as Int32Array)[i]!,
        l_commitdate: (col('l_commitdate').data[0]!.values as Int32Array)[i]!,
        l_receiptdate: (col('l_receiptdate').data[0]!.values as Int32Array)[i]!,
        l_shipinstruct: col('l_shipinstruct').get(i),
        l_shipmode: col('l_shipmode').get(i),
        l_comment: col('l_comment').get(i),
      });
    }
  }
  return rows;
}

describe('lineitem batches', () => {
  it('gives the same rows for the same seed and different rows for another seed', async () => {
    const a = checksumRows(rowsOfBatches(await collect(lineitemBatches({ scale: SCALE, seed: 7 }))));
    const b = checksumRows(rowsOfBatches(await collect(lineitemBatches({ scale: SCALE, seed: 7 }))));
    const c = checksumRows(rowsOfBatches(await collect(lineitemBatches({ scale: SCALE, seed: 8 }))));
    expect(sameChecksum(a, b)).toBe(true);
    expect(sameChecksum(a, c)).toBe(false);
  });

  it('holds the rows lineitemRows yields, in batches of the configured size', async () => {
    const batches = await collect(lineitemBatches({ scale: SCALE, batchRows: 10_000 }));
    expect(batches.slice(0, -1).every((b) => b.numRows === 10_000)).toBe(true);
    expect(batches.at(-1)!.numRows).toBeLessThanOrEqual(10_000);
    expect(rowsOfBatches(batches)).toEqual([...lineitemRows({ scale: SCALE })]);
  });

  it('makes ~6,000,000 rows per scale factor from 1,500,000 orders per scale factor', () => {
    expect(orderCount(1)).toBe(1_500_000);
    expect(orderCount(SCALE)).toBe(15_000);
    const rows = [...lineitemRows({ scale: SCALE })].length;
    expect(rows).toBeGreaterThan(60_000 * 0.98);
    expect(rows).toBeLessThan(60_000 * 1.02);
  });

  it('keeps every value in its TPC-H domain', () => {
    const rows = [...lineitemRows({ scale: SCALE })];
    const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
    expect(START_DATE).toBe(day(1992, 1, 1));
    expect(CURRENT_DATE).toBe(day(1995, 6, 17));
    expect(END_DATE).toBe(day(1998, 12, 31));
    const counts = new Map<string, number>();
    const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
    // Checked with plain comparisons (one expect at the end): 60,000 rows × 30 expects would dominate the test.
    const problems: string[] = [];
    const check = (ok: boolean, what: string, r: LineitemRow) => {
      if (!ok && problems.length < 10) problems.push(`${what}: ${JSON.stringify(r)}`);
    };
    for (const r of rows) {
      const q = r.l_quantity / 100;
      check(Number.isInteger(q) && q >= 1 && q <= 50, 'quantity 1–50', r);
      check(r.l_discount >= 0 && r.l_discount <= 10, 'discount 0.00–0.10', r);
      check(r.l_tax >= 0 && r.l_tax <= 8, 'tax 0.00–0.08', r);
      check(r.l_partkey >= 1 && r.l_partkey <= 2_000, 'partkey 1–SF×200,000', r);
      check(r.l_suppkey >= 1 && r.l_suppkey <= 100, 'suppkey 1–SF×10,000', r);
      const retail = 90_000 + (Math.floor(r.l_partkey / 10) % 20_001) + 100 * (r.l_partkey % 1000);
      check(r.l_extendedprice === q * retail, 'extendedprice = quantity × retail price', r);
      check(r.l_shipdate > START_DATE, 'shipdate after the first order date', r);
      const transit = r.l_receiptdate - r.l_shipdate;
      check(transit >= 1 && transit <= 30, 'receiptdate 1–30 days after shipdate', r);
      check(r.l_receiptdate <= END_DATE, 'receiptdate by ENDDATE', r);
      // Ship date is 1–121 days after the order date and commit date 30–90 days after it.
      const lag = r.l_commitdate - r.l_shipdate;
      check(lag >= 30 - 121 && lag <= 90 - 1, 'commitdate and shipdate share an order date', r);
      check(r.l_linestatus === (r.l_shipdate > CURRENT_DATE ? 'O' : 'F'), 'linestatus O after CURRENTDATE, else F', r);
      check(r.l_receiptdate <= CURRENT_DATE ? r.l_returnflag === 'R' || r.l_returnflag === 'A' : r.l_returnflag === 'N', 'returnflag R/A received by CURRENTDATE, else N', r);
      check((SHIP_INSTRUCTIONS as readonly string[]).includes(r.l_shipinstruct), 'shipinstruct', r);
      check((SHIP_MODES as readonly string[]).includes(r.l_shipmode), 'shipmode', r);
      check(r.l_comment.length >= 10 && r.l_comment.length <= 43 && /^[a-z -]+$/.test(r.l_comment), 'comment 10–43 chars of words', r);
      bump(`flag ${r.l_returnflag}`);
      bump(`mode ${r.l_shipmode}`);
    }
    expect(problems).toEqual([]);
    // Every value of the small sets shows up, roughly as often as the spec's uniform choice implies.
    for (const mode of SHIP_MODES) expect(counts.get(`mode ${mode}`)! / rows.length).toBeCloseTo(1 / 7, 1);
    for (const flag of ['R', 'A', 'N']) expect(counts.get(`flag ${flag}`)).toBeGreaterThan(0);
  });

  it('numbers the lines of an order 1..n (n ≤ 7) and uses dbgen sparse order keys, so (l_orderkey, l_linenumber) is unique', () => {
    const seen = new Set<string>();
    const linesPerOrder = new Map<number, number[]>();
    for (const r of lineitemRows({ scale: SCALE })) {
      const key = `${r.l_orderkey}/${r.l_linenumber}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      const lines = linesPerOrder.get(r.l_orderkey) ?? [];
      lines.push(r.l_linenumber);
      linesPerOrder.set(r.l_orderkey, lines);
    }
    expect(linesPerOrder.size).toBe(15_000);
    for (const [orderkey, lines] of linesPerOrder) {
      expect(lines).toEqual(lines.map((_, i) => i + 1));
      expect(lines.length).toBeLessThanOrEqual(7);
      // Only the first 8 keys of every block of 32 are used.
      expect((orderkey - 1) % 32).toBeLessThan(8);
    }
    expect(Math.max(...linesPerOrder.keys())).toBe(Math.floor(14_999 / 8) * 32 + (14_999 % 8) + 1);
  });

  it('splits into order ranges that add up to the whole (appends continue the key sequence)', () => {
    const whole = checksumRows(lineitemRows({ scale: SCALE }));
    const head = [...lineitemRows({ scale: SCALE, orders: 6_000 })];
    const tail = [...lineitemRows({ scale: SCALE, firstOrder: 6_000 })];
    expect(sameChecksum(checksumRows([...head, ...tail]), whole)).toBe(true);
    const beyond = [...lineitemRows({ scale: SCALE, firstOrder: 15_000, orders: 750 })];
    expect(Math.min(...beyond.map((r) => r.l_orderkey))).toBeGreaterThan(Math.max(...tail.map((r) => r.l_orderkey)));
  });

  it('refuses options it cannot honour, saying what to use instead', async () => {
    expect(() => [...lineitemRows({ scale: 0 })]).toThrow(TpchOptionError);
    expect(() => [...lineitemRows({ scale: 1, firstOrder: -1 })]).toThrow(/firstOrder/);
    await expect(collect(lineitemBatches({ scale: 1, batchRows: 0 }))).rejects.toThrow(/batchRows is 0; use a positive integer/);
  });
});

describe('lineitem change sets', () => {
  const base = () => new Map([...lineitemRows({ scale: SCALE })].map((r) => [`${r.l_orderkey}/${r.l_linenumber}`, r]));

  it('samples existing keys with changed values plus the requested share of new keys, the same way for the same seeds', () => {
    const rows = base();
    const options = { scale: SCALE, changeSeed: 3, fraction: 0.01, newShare: 0.2, generation: 1 };
    const set = lineitemChangeSet(options);
    expect(set.updates + set.inserts).toBe(600);
    expect(set.inserts).toBe(120);
    const changes = [...set.rows()];
    expect(changes).toEqual([...lineitemChangeSet(options).rows()]);
    expect(changes).not.toEqual([...lineitemChangeSet({ ...options, changeSeed: 4 }).rows()]);
    const keys = new Set(changes.map((r) => `${r.l_orderkey}/${r.l_linenumber}`));
    expect(keys.size).toBe(changes.length);
    const originals = [...set.originalRows()];
    changes.slice(0, set.updates).forEach((r, i) => {
      const old = rows.get(`${r.l_orderkey}/${r.l_linenumber}`);
      expect(old).toEqual(originals[i]);
      expect(r.l_extendedprice).not.toBe(old!.l_extendedprice);
      expect(r.l_shipdate).toBe(old!.l_shipdate);
    });
    for (const r of changes.slice(set.updates)) {
      expect(rows.has(`${r.l_orderkey}/${r.l_linenumber}`)).toBe(false);
      expect((r.l_orderkey - 1) % 32).toBe(8);
    }
  });

  it('gives each generation its own gap slot, so successive insert sets never collide', () => {
    const keys = (generation: number) =>
      new Set([...lineitemChangeSet({ scale: SCALE, changeSeed: 1, fraction: 0.05, newShare: 1, generation }).rows()].map((r) => r.l_orderkey));
    const one = keys(1);
    const two = keys(2);
    expect([...two].some((k) => one.has(k))).toBe(false);
  });

  it('streams its rows as batches of the lineitem schema', async () => {
    const set = lineitemChangeSet({ scale: SCALE, changeSeed: 5, fraction: 0.05, batchRows: 1_000 });
    expect(set.inserts).toBe(0);
    const batches = await collect(set.batches());
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(3_000);
    expect(rowsOfBatches(batches)).toEqual([...set.rows()]);
  });

  it('refuses fractions and generations out of range', () => {
    expect(() => lineitemChangeSet({ scale: SCALE, changeSeed: 1, fraction: 2 })).toThrow(/fraction is 2/);
    expect(() => lineitemChangeSet({ scale: SCALE, changeSeed: 1, fraction: 0.01, newShare: 0.5, generation: 25 })).toThrow(/generation is 25/);
  });
});
