// Per-file statistics of a parquet file another writer produced, from its footer alone: numRecords, and per
// leaf column the null count and min/max of the column chunk statistics over all row groups, in the same
// JSON (key order, truncation, precision) the StatsCollector gives for rows. A value the footer does not
// give exactly (a missing bound, NaN or an infinity, an unexpected encoding) is left out, never guessed.

import { compareKeys } from '@duckrun/storage';
import { PhysicalType, type FooterChunk, type FooterLeaf, type ParquetFooter } from '../parquet/footer.js';
import type { StructType } from '../kernel/schema/types.js';
import { StatsCollector, type LeafSummary, type StatsLeafKind, type StatsOptions } from './stats.js';

type Bound = bigint | number | string;

/** Stats of the file a footer describes. */
export interface FooterStats {
  readonly numRecords: number;
  /** The `add.stats` JSON. */
  readonly stats: string;
  /** Exact null count of a leaf (physical path), undefined when the footer does not give it. */
  nulls(path: readonly string[]): number | undefined;
}

/** Stats of a file holding the columns of `schema` (logical, partition columns excluded) as the footer describes them. */
export function footerStats(footer: ParquetFooter, schema: StructType, options: StatsOptions = {}): FooterStats {
  const leaves = new Map<string, FooterLeaf>(footer.leaves.map((l) => [key(l.path), l]));
  const chunks = new Map<string, { chunk: FooterChunk; rows: number }[]>();
  for (const group of footer.rowGroups) {
    for (const chunk of group.columns) {
      const k = key(chunk.path);
      let list = chunks.get(k);
      if (list === undefined) chunks.set(k, (list = []));
      list.push({ chunk, rows: group.numRows });
    }
  }
  const nulls = (path: readonly string[]): number | undefined => {
    const k = key(path);
    if (!leaves.has(k)) return undefined;
    let total = 0;
    for (const { chunk } of chunks.get(k) ?? []) {
      const n = chunk.statistics?.nullCount;
      if (n === undefined) return undefined;
      total += n;
    }
    return total;
  };
  const collector = new StatsCollector(schema, options);
  collector.fillFromSummaries(footer.numRows, (path, kind, scale) => {
    const leaf = leaves.get(key(path));
    // Arrays and maps have no leaf of their own path: their own null count is not in the footer.
    if (leaf === undefined) return undefined;
    const summary: { nulls?: number; min?: Bound; max?: Bound } = {};
    const n = nulls(path);
    if (n !== undefined) summary.nulls = n;
    if (kind === 'nullOnly') return summary;
    const decode = decoder(leaf, kind, scale);
    if (decode === undefined) return summary;
    let min: Bound | undefined;
    let max: Bound | undefined;
    let minKnown = true;
    let maxKnown = true;
    for (const { chunk, rows } of chunks.get(key(path)) ?? []) {
      const s = chunk.statistics;
      // A chunk of nulls only has no bounds, and needs none.
      if (s?.nullCount !== undefined && s.nullCount >= rows) continue;
      const lo = s?.min === undefined ? undefined : decode(s.min);
      const hi = s?.max === undefined ? undefined : decode(s.max);
      if (lo === undefined) minKnown = false;
      else if (min === undefined || less(lo, min)) min = lo;
      if (hi === undefined) maxKnown = false;
      else if (max === undefined || less(max, hi)) max = hi;
    }
    if (minKnown && min !== undefined) summary.min = min;
    if (maxKnown && max !== undefined) summary.max = max;
    return summary as LeafSummary;
  });
  return { numRecords: footer.numRows, stats: collector.toJSON(), nulls };
}

/** Reads a statistics value of `leaf` in the collector's representation of `kind`, or undefined when that is not exact. */
function decoder(leaf: FooterLeaf, kind: StatsLeafKind, scale: number): ((bytes: Uint8Array) => Bound | undefined) | undefined {
  const a = leaf.annotation;
  const physical = leaf.physicalType;
  switch (kind) {
    case 'int':
      // Unsigned integers sort differently from the signed ones Delta has.
      if (a?.kind === 'integer' && !a.signed) return undefined;
      if (physical === PhysicalType.INT32) return (b) => (b.length === 4 ? BigInt(view(b).getInt32(0, true)) : undefined);
      if (physical === PhysicalType.INT64) return (b) => (b.length === 8 ? view(b).getBigInt64(0, true) : undefined);
      return undefined;
    case 'float': {
      const read =
        physical === PhysicalType.FLOAT
          ? (b: Uint8Array) => (b.length === 4 ? view(b).getFloat32(0, true) : undefined)
          : physical === PhysicalType.DOUBLE
            ? (b: Uint8Array) => (b.length === 8 ? view(b).getFloat64(0, true) : undefined)
            : undefined;
      if (read === undefined) return undefined;
      // NaN and infinities cannot be JSON numbers; a bound that is one is left out.
      return (b) => {
        const v = read(b);
        return v !== undefined && Number.isFinite(v) ? v : undefined;
      };
    }
    case 'string':
      if (physical !== PhysicalType.BYTE_ARRAY) return undefined;
      return (b) => {
        try {
          return STRICT_UTF8.decode(b);
        } catch {
          return undefined; // a writer's truncated bound cut inside a character
        }
      };
    case 'date':
      if (physical !== PhysicalType.INT32) return undefined;
      return (b) => (b.length === 4 ? view(b).getInt32(0, true) : undefined);
    case 'timestamp':
    case 'timestamp_ntz': {
      if (physical !== PhysicalType.INT64 || a?.kind !== 'timestamp') return undefined;
      const toNanos = a.unit === 'millis' ? 1_000_000n : a.unit === 'micros' ? 1_000n : 1n;
      return (b) => (b.length === 8 ? view(b).getBigInt64(0, true) * toNanos : undefined);
    }
    case 'decimal':
      if (a?.kind !== 'decimal' || a.scale !== scale) return undefined;
      if (physical === PhysicalType.INT32) return (b) => (b.length === 4 ? BigInt(view(b).getInt32(0, true)) : undefined);
      if (physical === PhysicalType.INT64) return (b) => (b.length === 8 ? view(b).getBigInt64(0, true) : undefined);
      if (physical === PhysicalType.FIXED_LEN_BYTE_ARRAY || physical === PhysicalType.BYTE_ARRAY) return (b) => (b.length > 0 ? bigEndianSigned(b) : undefined);
      return undefined;
    case 'nullOnly':
      return undefined;
  }
}

function bigEndianSigned(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return b[0]! & 0x80 ? v - (1n << BigInt(b.length * 8)) : v;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function less(a: Bound, b: Bound): boolean {
  if (typeof a === 'string' && typeof b === 'string') return compareKeys(a, b) < 0;
  return a < b;
}

function key(path: readonly string[]): string {
  return path.join('\u0000');
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
