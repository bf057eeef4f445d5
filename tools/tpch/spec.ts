// The TPC-H constants the lineitem generator follows (TPC-H spec clause 4.2.3): cardinalities per scale
// factor, the sparse order keys of dbgen, the date window, and the fixed value sets.

/** Orders per scale factor; lineitem averages 4 lines per order, so ~6,000,000 rows per scale factor. */
export const ORDERS_PER_SF = 1_500_000;
/** Parts and suppliers per scale factor (they bound l_partkey and l_suppkey). */
export const PARTS_PER_SF = 200_000;
export const SUPPLIERS_PER_SF = 10_000;

/** Order keys come in blocks of 32 of which only the first 8 are used, as in dbgen; the other 24 are gaps. */
export const KEY_BLOCK = 32;
export const KEYS_USED_PER_BLOCK = 8;
/** Number of distinct change-set generations whose new keys fill the gaps (one gap slot each). */
export const GAP_GENERATIONS = KEY_BLOCK - KEYS_USED_PER_BLOCK;

/** Days since 1970-01-01 of the spec's STARTDATE (1992-01-01), CURRENTDATE (1995-06-17) and ENDDATE (1998-12-31). */
export const START_DATE = Date.UTC(1992, 0, 1) / 86_400_000;
export const CURRENT_DATE = Date.UTC(1995, 5, 17) / 86_400_000;
export const END_DATE = Date.UTC(1998, 11, 31) / 86_400_000;

export const SHIP_INSTRUCTIONS = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'] as const;
export const SHIP_MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'] as const;

/** Comment length bounds of l_comment (characters). */
export const COMMENT_MIN = 10;
export const COMMENT_MAX = 43;

/** Orders at scale factor `scale` (fractional scales allowed; at least one order). */
export function orderCount(scale: number): number {
  checkScale(scale);
  return Math.max(1, Math.round(ORDERS_PER_SF * scale));
}

/** Parts at scale factor `scale` (at least one). */
export function partCount(scale: number): number {
  return Math.max(1, Math.floor(PARTS_PER_SF * scale));
}

/** Suppliers at scale factor `scale` (at least one). */
export function supplierCount(scale: number): number {
  return Math.max(1, Math.floor(SUPPLIERS_PER_SF * scale));
}

/** The sparse order key of the `index`-th order (0-based): keys 1–8, 33–40, 65–72, … */
export function orderKeyOf(index: number): number {
  return Math.floor(index / KEYS_USED_PER_BLOCK) * KEY_BLOCK + (index % KEYS_USED_PER_BLOCK) + 1;
}

/** The order key a change set of `generation` (1–24) inserts into the gap of key block `block`. */
export function gapOrderKey(block: number, generation: number): number {
  if (!Number.isInteger(generation) || generation < 1 || generation > GAP_GENERATIONS) {
    throw new TpchOptionError(`generation is ${generation}; use an integer from 1 to ${GAP_GENERATIONS} (one per gap slot of a key block)`);
  }
  return block * KEY_BLOCK + KEYS_USED_PER_BLOCK + generation;
}

/** P_RETAILPRICE of a part in hundredths: (90000 + ((partkey / 10) mod 20001) + 100 × (partkey mod 1000)) / 100. */
export function retailPriceCents(partkey: number): number {
  return 90_000 + (Math.floor(partkey / 10) % 20_001) + 100 * (partkey % 1000);
}

/** An invalid generator option (scale, seed, batch size, fractions). */
export class TpchOptionError extends Error {
  override readonly name = 'TpchOptionError';
}

/** Refuses scale factors that are not positive finite numbers. */
export function checkScale(scale: number): void {
  if (!Number.isFinite(scale) || scale <= 0) throw new TpchOptionError(`scale is ${scale}; use a positive scale factor such as 1, 10 or 0.01`);
}
