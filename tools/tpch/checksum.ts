// Order-independent checksums of lineitem rows, computed from plain values so they can vouch for what a
// writer and a reader did with the same rows.

import type { LineitemRow } from './rows.js';

/** Row count plus two sums that change whenever a key or a price changes. */
export interface LineitemChecksum {
  readonly rows: number;
  /** sum(l_orderkey × l_linenumber). */
  readonly keySum: bigint;
  /** sum(l_extendedprice) in hundredths (the unscaled DECIMAL(15,2) sum). */
  readonly priceSum: bigint;
}

/** The empty checksum. */
export const EMPTY_CHECKSUM: LineitemChecksum = { rows: 0, keySum: 0n, priceSum: 0n };

/** The checksum of `rows`. */
export function checksumRows(rows: Iterable<LineitemRow>): LineitemChecksum {
  let count = 0;
  let keySum = 0n;
  let priceSum = 0n;
  // Partial sums stay exact as JS numbers for this many rows (7 × 2^31 × 2^20 < 2^53), and are folded into bigints.
  const FOLD = 1 << 20;
  let keyPart = 0;
  let pricePart = 0;
  for (const row of rows) {
    keyPart += row.l_orderkey * row.l_linenumber;
    pricePart += row.l_extendedprice;
    if (++count % FOLD === 0) {
      keySum += BigInt(keyPart);
      priceSum += BigInt(pricePart);
      keyPart = 0;
      pricePart = 0;
    }
  }
  return { rows: count, keySum: keySum + BigInt(keyPart), priceSum: priceSum + BigInt(pricePart) };
}

/** The checksum of the union of two disjoint row sets. */
export function addChecksums(a: LineitemChecksum, b: LineitemChecksum): LineitemChecksum {
  return { rows: a.rows + b.rows, keySum: a.keySum + b.keySum, priceSum: a.priceSum + b.priceSum };
}

/** A checksum as text, e.g. for reports and JSON (bigints do not serialise). */
export function checksumText(c: LineitemChecksum): string {
  return `${c.rows} rows, Σkey ${c.keySum}, Σprice ${formatHundredths(c.priceSum)}`;
}

/** Whether two checksums agree. */
export function sameChecksum(a: LineitemChecksum, b: LineitemChecksum): boolean {
  return a.rows === b.rows && a.keySum === b.keySum && a.priceSum === b.priceSum;
}

function formatHundredths(v: bigint): string {
  const sign = v < 0n ? '-' : '';
  const abs = v < 0n ? -v : v;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
