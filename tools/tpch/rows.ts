// lineitem rows as plain values, one order at a time: the single place the spec's value distributions live.
// Both the Arrow batches and the checksums are built from these rows.

import { Prng, mixSeed } from './prng.js';
import {
  COMMENT_MAX,
  COMMENT_MIN,
  CURRENT_DATE,
  END_DATE,
  SHIP_INSTRUCTIONS,
  SHIP_MODES,
  START_DATE,
  orderKeyOf,
  partCount,
  retailPriceCents,
  supplierCount,
} from './spec.js';
import { randomText } from './text.js';

/**
 * One lineitem row. Decimal columns hold their unscaled DECIMAL(15,2) value (hundredths, e.g. 0.05 → 5);
 * dates are days since 1970-01-01.
 */
export interface LineitemRow {
  l_orderkey: number;
  l_partkey: number;
  l_suppkey: number;
  l_linenumber: number;
  l_quantity: number;
  l_extendedprice: number;
  l_discount: number;
  l_tax: number;
  l_returnflag: string;
  l_linestatus: string;
  l_shipdate: number;
  l_commitdate: number;
  l_receiptdate: number;
  l_shipinstruct: string;
  l_shipmode: string;
  l_comment: string;
}

/** What fixes every generated value: the scale factor (key domains) and the seed. */
export interface RowSpace {
  readonly scale: number;
  readonly seed: number;
}

/** The lines of the `index`-th order (0-based) of the base data set. */
export function orderLines(space: RowSpace, index: number): LineitemRow[] {
  return linesOf(space, orderKeyOf(index), new Prng(mixSeed(space.seed, index)));
}

/** The lines of a new order with key `orderkey`, drawn from a stream named by `streamWords` (change sets). */
export function newOrderLines(space: RowSpace, orderkey: number, streamWords: readonly number[]): LineitemRow[] {
  return linesOf(space, orderkey, new Prng(mixSeed(space.seed, ...streamWords)));
}

/** `row` with new values in the columns an update plausibly changes (quantity, price, discount, tax, comment). */
export function changedRow(space: RowSpace, row: LineitemRow, streamWords: readonly number[]): LineitemRow {
  const prng = new Prng(mixSeed(space.seed, ...streamWords, row.l_orderkey, row.l_linenumber));
  let quantity = prng.int(1, 49);
  // Always a different quantity, so every update changes l_extendedprice and the checksums see it.
  if (quantity >= row.l_quantity / 100) quantity++;
  const price = retailPriceCents(row.l_partkey);
  return {
    ...row,
    l_quantity: quantity * 100,
    l_extendedprice: quantity * price,
    l_discount: prng.int(0, 10),
    l_tax: prng.int(0, 8),
    l_comment: `updated ${randomComment(prng)}`.slice(0, COMMENT_MAX),
  };
}

function linesOf(space: RowSpace, orderkey: number, prng: Prng): LineitemRow[] {
  const parts = partCount(space.scale);
  const suppliers = supplierCount(space.scale);
  const lines = prng.int(1, 7);
  // O_ORDERDATE is uniform in [STARTDATE, ENDDATE - 151 days] so every ship and receipt date stays in range.
  const orderdate = prng.int(START_DATE, END_DATE - 151);
  const rows: LineitemRow[] = new Array<LineitemRow>(lines);
  for (let line = 1; line <= lines; line++) {
    const partkey = prng.int(1, parts);
    const supplier = prng.int(0, 3);
    // One of the part's four suppliers, by the spec's PS_SUPPKEY formula.
    const suppkey = ((partkey + supplier * (Math.floor(suppliers / 4) + Math.floor((partkey - 1) / suppliers))) % suppliers) + 1;
    const quantity = prng.int(1, 50);
    const shipdate = orderdate + prng.int(1, 121);
    const commitdate = orderdate + prng.int(30, 90);
    const receiptdate = shipdate + prng.int(1, 30);
    rows[line - 1] = {
      l_orderkey: orderkey,
      l_partkey: partkey,
      l_suppkey: suppkey,
      l_linenumber: line,
      l_quantity: quantity * 100,
      l_extendedprice: quantity * retailPriceCents(partkey),
      l_discount: prng.int(0, 10),
      l_tax: prng.int(0, 8),
      l_returnflag: receiptdate <= CURRENT_DATE ? (prng.next() < 0.5 ? 'R' : 'A') : 'N',
      l_linestatus: shipdate > CURRENT_DATE ? 'O' : 'F',
      l_shipdate: shipdate,
      l_commitdate: commitdate,
      l_receiptdate: receiptdate,
      l_shipinstruct: prng.pick(SHIP_INSTRUCTIONS),
      l_shipmode: prng.pick(SHIP_MODES),
      l_comment: randomComment(prng),
    };
  }
  return rows;
}

function randomComment(prng: Prng): string {
  return randomText(prng, prng.int(COMMENT_MIN, COMMENT_MAX));
}
