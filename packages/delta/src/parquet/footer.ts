// The parts of a parquet footer (`FileMetaData`, parquet-format's parquet.thrift) that describe what a file
// holds: row count, leaf columns with their physical and logical types, and per row group the column chunk
// statistics. Enough to derive a Delta `add` action's stats from a file another writer produced.

import { decodeThriftStruct, ThriftDecodeError, type ThriftStruct, type ThriftValue } from './thrift-compact.js';

/** parquet.thrift `Type`. */
export const PhysicalType = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  INT96: 3,
  FLOAT: 4,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
} as const;

/** What the footer says a leaf column's values mean (LogicalType, or the legacy ConvertedType). */
export type LeafAnnotation =
  | { readonly kind: 'string' }
  | { readonly kind: 'date' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'timestamp'; readonly utc: boolean; readonly unit: 'millis' | 'micros' | 'nanos' }
  | { readonly kind: 'integer'; readonly bitWidth: number; readonly signed: boolean }
  | { readonly kind: 'other' };

/** A leaf column of the file schema. */
export interface FooterLeaf {
  /** Names from the root's child down to the leaf. */
  readonly path: readonly string[];
  readonly physicalType: number;
  readonly annotation: LeafAnnotation | undefined;
}

/** Statistics of one column chunk; absent fields were not written. */
export interface ChunkStatistics {
  readonly nullCount?: number;
  /** Bounds in the column's sort order (`min_value`/`max_value`, never the deprecated signed-only fields). */
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
}

/** One column chunk of a row group. */
export interface FooterChunk {
  readonly path: readonly string[];
  readonly physicalType: number;
  readonly statistics: ChunkStatistics | undefined;
}

/** A parsed footer. */
export interface ParquetFooter {
  readonly numRows: number;
  readonly leaves: readonly FooterLeaf[];
  readonly rowGroups: ReadonlyArray<{ readonly numRows: number; readonly columns: readonly FooterChunk[] }>;
}

/** Thrown when the bytes are not a parquet file's end. */
export class ParquetFooterError extends Error {}

/** Bytes of the footer plus its length field and closing magic, read from the last 8 bytes of a file. */
export function footerSize(last8: Uint8Array, file: string): number {
  const n = last8.length;
  if (n < 8 || !isMagic(last8, n - 4)) throw new ParquetFooterError(`${file} does not end with the parquet magic "PAR1"; it is not a complete parquet file`);
  return new DataView(last8.buffer, last8.byteOffset + n - 8, 4).getUint32(0, true) + 8;
}

/** Parses the footer at the end of `tail` (the file's last bytes, at least {@link footerSize} of them). */
export function parseParquetFooter(tail: Uint8Array, file: string): ParquetFooter {
  const size = footerSize(tail, file);
  if (size > tail.length) throw new ParquetFooterError(`${file}: the footer needs ${size} bytes but only ${tail.length} were read`);
  let meta: ThriftStruct;
  try {
    meta = decodeThriftStruct(tail.subarray(tail.length - size, tail.length - 8));
  } catch (e) {
    if (e instanceof ThriftDecodeError) throw new ParquetFooterError(`${file} has an unreadable parquet footer (${e.message})`);
    throw e;
  }
  const leaves = schemaLeaves(list(meta.get(2)), file);
  const rowGroups = list(meta.get(4)).map((g) => {
    const group = g as ThriftStruct;
    const columns = list(group.get(1)).map((c) => chunk(c as ThriftStruct, file));
    return { numRows: num(group.get(3)) ?? 0, columns };
  });
  const numRows = num(meta.get(3));
  if (numRows === undefined) throw new ParquetFooterError(`${file} has a parquet footer without num_rows`);
  return { numRows, leaves, rowGroups };
}

function chunk(c: ThriftStruct, file: string): FooterChunk {
  const meta = c.get(3) as ThriftStruct | undefined;
  if (meta === undefined) throw new ParquetFooterError(`${file} has a column chunk without metadata (an external column chunk); it cannot be described`);
  const path = list(meta.get(3)).map((p) => TEXT.decode(p as Uint8Array));
  const s = meta.get(12) as ThriftStruct | undefined;
  let statistics: ChunkStatistics | undefined;
  if (s !== undefined) {
    const nullCount = num(s.get(3));
    const max = s.get(5) as Uint8Array | undefined;
    const min = s.get(6) as Uint8Array | undefined;
    statistics = { ...(nullCount !== undefined ? { nullCount } : {}), ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  return { path, physicalType: num(meta.get(1)) ?? -1, statistics };
}

/** Walks the flattened schema (depth first, `num_children` per group) to its leaves. */
function schemaLeaves(elements: readonly ThriftValue[], file: string): FooterLeaf[] {
  const out: FooterLeaf[] = [];
  let at = 1; // element 0 is the root
  const walk = (prefix: readonly string[], count: number): void => {
    for (let i = 0; i < count; i++) {
      const e = elements[at++] as ThriftStruct | undefined;
      if (e === undefined) throw new ParquetFooterError(`${file} has a parquet schema with fewer elements than its groups announce`);
      const name = TEXT.decode(e.get(4) as Uint8Array);
      const children = num(e.get(5)) ?? 0;
      const path = [...prefix, name];
      if (children > 0) walk(path, children);
      else out.push({ path, physicalType: num(e.get(1)) ?? -1, annotation: annotation(e) });
    }
  };
  const root = elements[0] as ThriftStruct | undefined;
  walk([], root ? (num(root.get(5)) ?? 0) : 0);
  return out;
}

function annotation(e: ThriftStruct): LeafAnnotation | undefined {
  const logical = e.get(10) as ThriftStruct | undefined;
  if (logical !== undefined && logical.size > 0) {
    const [id, value] = [...logical.entries()][0]!;
    const v = value as ThriftStruct;
    switch (id) {
      case 1:
        return { kind: 'string' };
      case 5:
        return { kind: 'decimal', scale: num(v.get(1)) ?? 0, precision: num(v.get(2)) ?? 0 };
      case 6:
        return { kind: 'date' };
      case 8: {
        const unit = v.get(2) as ThriftStruct | undefined;
        const u = unit ? [...unit.keys()][0] : undefined;
        return { kind: 'timestamp', utc: v.get(1) === true, unit: u === 1 ? 'millis' : u === 3 ? 'nanos' : 'micros' };
      }
      case 10:
        return { kind: 'integer', bitWidth: num(v.get(1)) ?? 0, signed: v.get(2) === true };
      default:
        return { kind: 'other' };
    }
  }
  const converted = num(e.get(6));
  if (converted === undefined) return undefined;
  switch (converted) {
    case 0:
      return { kind: 'string' };
    case 5:
      return { kind: 'decimal', scale: num(e.get(7)) ?? 0, precision: num(e.get(8)) ?? 0 };
    case 6:
      return { kind: 'date' };
    case 9:
      return { kind: 'timestamp', utc: true, unit: 'millis' };
    case 10:
      return { kind: 'timestamp', utc: true, unit: 'micros' };
    case 11:
    case 12:
    case 13:
    case 14:
      return { kind: 'integer', bitWidth: 8 << (converted - 11), signed: false };
    case 15:
    case 16:
    case 17:
    case 18:
      return { kind: 'integer', bitWidth: 8 << (converted - 15), signed: true };
    default:
      return { kind: 'other' };
  }
}

const TEXT = new TextDecoder();

function list(v: ThriftValue | undefined): ThriftValue[] {
  return Array.isArray(v) ? v : [];
}

function num(v: ThriftValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function isMagic(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x50 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x52 && bytes[at + 3] === 0x31;
}
