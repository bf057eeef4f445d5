// Per-file statistics (PROTOCOL.md "Per-file Statistics"): numRecords and, per leaf column keyed by its
// physical name, minValues / maxValues / nullCount, accumulated batch by batch while a data file is written.

import { Type, Vector, type Data, type RecordBatch, type Table } from 'apache-arrow';
import { compareKeys } from '@duckrun/storage';
import { InvalidOptionError } from '../errors.js';
import { physicalName, type ColumnMappingMode } from '../kernel/features/column-mapping.js';
import type { DataType, StructType } from '../kernel/schema/types.js';
import { formatDate } from '../kernel/partitions/values.js';

/** Options of {@link StatsCollector}. */
export interface StatsOptions {
  /** Column mapping mode of the table; stats are keyed by physical names unless `none`. Default `none`. */
  readonly columnMapping?: ColumnMappingMode;
  /** Characters (code points) kept of string min/max values. Default 32, as Spark and delta-rs. */
  readonly stringPrefixLength?: number;
  /** Leaf columns (schema order) that get min/max/nullCount (`delta.dataSkippingNumIndexedCols`); -1 = all. Default 32. */
  readonly numIndexedCols?: number;
  /** Also write `"tightBounds":true` (PROTOCOL.md, for tables with deletion vectors). Default false. */
  readonly tightBounds?: boolean;
}

/**
 * How a leaf's bounds are represented: `int` bigint, `float` number, `string` string, `date` days since the
 * epoch, `timestamp`/`timestamp_ntz` bigint nanoseconds since the epoch, `decimal` bigint unscaled value;
 * `nullOnly` leaves keep a null count only.
 */
export type StatsLeafKind = Kind;

/** What is known exactly about one leaf column of a file: any field left out stays out of the stats. */
export interface LeafSummary {
  readonly nulls?: number;
  readonly min?: bigint | number | string;
  readonly max?: bigint | number | string;
}

// A stats node per column: a struct holds children; a leaf accumulates values.
type Kind = 'int' | 'float' | 'string' | 'date' | 'timestamp' | 'timestamp_ntz' | 'decimal' | 'nullOnly';
interface Leaf {
  readonly leaf: true;
  readonly name: string;
  readonly physical: string;
  readonly kind: Kind;
  readonly scale: number;
  nulls: number;
  /** The null count is not known exactly (summaries without one): nullCount leaves the column out. */
  nullsUnknown?: boolean;
  min: bigint | number | string | undefined;
  max: bigint | number | string | undefined;
}
interface Node {
  readonly leaf: false;
  readonly name: string;
  readonly physical: string;
  readonly children: Array<Leaf | Node>;
}

/** Accumulates the statistics of one data file; feed it every batch written to the file, then call {@link toJSON}. */
export class StatsCollector {
  private readonly roots: Array<Leaf | Node>;
  private rows = 0;
  private readonly prefix: number;
  private readonly tight: boolean;

  /** `schema` is the logical schema of the columns in the file (partition columns excluded). */
  constructor(schema: StructType, options: StatsOptions = {}) {
    const mode = options.columnMapping ?? 'none';
    this.prefix = options.stringPrefixLength ?? 32;
    this.tight = options.tightBounds ?? false;
    const limit = options.numIndexedCols ?? 32;
    if (!Number.isInteger(this.prefix) || this.prefix < 1) {
      throw new InvalidOptionError(`stringPrefixLength is ${this.prefix}; use a positive integer (default 32)`);
    }
    if (!Number.isInteger(limit) || limit < -1) {
      throw new InvalidOptionError(`numIndexedCols is ${limit}; use -1 (all columns) or an integer >= 0 (default 32)`);
    }
    let budget = limit === -1 ? Infinity : limit;
    const build = (fields: StructType['fields']): Array<Leaf | Node> => {
      const out: Array<Leaf | Node> = [];
      for (const f of fields) {
        if (budget <= 0) break;
        const physical = physicalName(f, mode);
        if (typeof f.type === 'object' && f.type.type === 'struct') {
          const children = build(f.type.fields);
          if (children.length > 0) out.push({ leaf: false, name: f.name, physical, children });
          continue;
        }
        budget--;
        const kind = kindOf(f.type);
        if (kind === undefined) continue;
        const scale = typeof f.type === 'object' && f.type.type === 'decimal' ? f.type.scale : 0;
        out.push({ leaf: true, name: f.name, physical, kind, scale, nulls: 0, min: undefined, max: undefined });
      }
      return out;
    };
    this.roots = build(schema.fields);
  }

  /** Adds a batch whose columns carry the schema's logical names (extra columns are ignored). */
  add(batch: RecordBatch): void {
    this.rows += batch.numRows;
    const names = batch.schema.fields.map((f) => f.name);
    for (const node of this.roots) {
      const idx = names.indexOf(node.name);
      const data = idx >= 0 ? (batch.data.children[idx] as Data | undefined) : undefined;
      visit(node, data, batch.numRows, [], this.prefix);
    }
  }

  /**
   * Fills the stats from per-leaf summaries instead of rows (e.g. a parquet footer's column statistics):
   * `summarize` gets each indexed leaf's physical path and kind and returns what is known exactly; a bound
   * or null count it leaves out stays out of the stats. Values use the collector's representation
   * ({@link LeafSummary}). Replaces whatever was added before.
   */
  fillFromSummaries(numRecords: number, summarize: (path: readonly string[], kind: StatsLeafKind, scale: number) => LeafSummary | undefined): void {
    this.rows = numRecords;
    const fill = (nodes: ReadonlyArray<Leaf | Node>, prefix: readonly string[]): void => {
      for (const node of nodes) {
        const path = [...prefix, node.physical];
        if (!node.leaf) {
          fill(node.children, path);
          continue;
        }
        const s = summarize(path, node.kind, node.scale);
        node.nulls = s?.nulls ?? 0;
        node.nullsUnknown = s?.nulls === undefined;
        node.min = node.kind === 'nullOnly' ? undefined : s?.min;
        node.max = node.kind === 'nullOnly' ? undefined : s?.max;
      }
    };
    fill(this.roots, []);
  }

  /** The number of rows seen so far. */
  get numRecords(): number {
    return this.rows;
  }

  /** The stats JSON (`{"numRecords":…,"minValues":{…},"maxValues":{…},"nullCount":{…}}`) as a string. */
  toJSON(): string {
    const min = renderTree(this.roots, (l) => renderBound(l, 'min', this.prefix));
    const max = renderTree(this.roots, (l) => renderBound(l, 'max', this.prefix));
    const nulls = renderTree(this.roots, (l) => (l.nullsUnknown ? undefined : String(l.nulls)));
    return `{"numRecords":${this.rows},${this.tight ? '"tightBounds":true,' : ''}"minValues":${min ?? '{}'},"maxValues":${max ?? '{}'},"nullCount":${nulls ?? '{}'}}`;
  }
}

/** The stats JSON string of `data` (an Arrow table or record batches) for a file holding exactly those rows. */
export function collectStats(data: Table | Iterable<RecordBatch>, schema: StructType, options: StatsOptions = {}): string {
  const collector = new StatsCollector(schema, options);
  const batches = 'batches' in data ? data.batches : data;
  for (const b of batches) collector.add(b);
  return collector.toJSON();
}

// ---------------------------------------------------------------------------------------------------

function kindOf(type: DataType): Kind | undefined {
  if (typeof type === 'string') {
    switch (type) {
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
        return 'int';
      case 'float':
      case 'double':
        return 'float';
      case 'string':
        return 'string';
      case 'date':
        return 'date';
      case 'timestamp':
      case 'timestamp_ntz':
        return type;
      case 'void':
        return undefined;
      default:
        // boolean (Spark keeps no bounds for it), binary (omitted), variant: null counts only.
        return 'nullOnly';
    }
  }
  if (type.type === 'decimal') return 'decimal';
  // Arrays and maps: the column's own null count, nothing inside them.
  return 'nullOnly';
}

/** `ancestors` are the validity sources of enclosing structs: a null struct makes its leaves null. */
function visit(node: Leaf | Node, data: Data | undefined, length: number, ancestors: readonly Data[], prefix: number): void {
  if (!node.leaf) {
    const children = data !== undefined && data.type.typeId === Type.Struct ? data.children : undefined;
    const names = data !== undefined ? (data.type.children ?? []).map((f) => f.name) : [];
    const chain = data !== undefined && data.nullCount > 0 ? [...ancestors, data] : ancestors;
    for (const child of node.children) {
      const i = names.indexOf(child.name);
      visit(child, i >= 0 ? children?.[i] : undefined, length, chain, prefix);
    }
    return;
  }
  if (data === undefined) {
    // A column missing from the batch is all nulls.
    node.nulls += length;
    return;
  }
  if (ancestors.length === 0 && fastBounds(node, data)) return;
  const valid = (i: number): boolean => {
    for (const a of ancestors) if (!a.getValid(i)) return false;
    return data.getValid(i);
  };
  const read = reader(node, data);
  for (let i = 0; i < data.length; i++) {
    if (!valid(i)) {
      node.nulls++;
      continue;
    }
    if (read === undefined) continue;
    const v = read(i);
    if (v === undefined) continue;
    offer(node, v);
  }
}

function offer(node: Leaf, v: bigint | number | string): void {
  if (node.min === undefined || less(v, node.min)) node.min = v;
  if (node.max === undefined || less(node.max, v)) node.max = v;
}

/**
 * Bounds of a top-level leaf straight from its Arrow buffers: one tight loop per batch and one value
 * offered per bound, instead of a BigInt or a decoded string per row. False when the layout is not one
 * of the common ones (the generic per-row path handles it).
 */
function fastBounds(node: Leaf, data: Data): boolean {
  const type = data.type as { typeId: Type; bitWidth?: number; unit?: number };
  const values = data.values as unknown;
  const n = data.length;
  const hasNulls = data.nullCount > 0;
  const kind = node.kind;
  if (kind === 'nullOnly') {
    node.nulls += data.nullCount;
    return true;
  }
  const numeric =
    (kind === 'int' && type.typeId === Type.Int && (type.bitWidth ?? 64) <= 32) ||
    (kind === 'float' && type.typeId === Type.Float) ||
    (kind === 'date' && type.typeId === Type.Date && type.unit === 0);
  if (numeric && (values instanceof Int8Array || values instanceof Int16Array || values instanceof Int32Array || values instanceof Uint8Array ||
      values instanceof Uint16Array || values instanceof Uint32Array || values instanceof Float32Array || values instanceof Float64Array)) {
    let lo = Infinity;
    let hi = -Infinity;
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (hasNulls && !data.getValid(i)) {
        nulls++;
        continue;
      }
      const v = values[i]!;
      // Spark skips NaN; infinities cannot be JSON numbers (the comparisons below drop NaN by themselves).
      if (v < lo && v !== -Infinity) lo = v;
      if (v > hi && v !== Infinity) hi = v;
    }
    node.nulls += nulls;
    if (lo !== Infinity) offer(node, kind === 'int' ? BigInt(lo) : lo);
    if (hi !== -Infinity) offer(node, kind === 'int' ? BigInt(hi) : hi);
    return true;
  }
  if (kind === 'int' && type.typeId === Type.Int && values instanceof BigInt64Array) {
    let lo: bigint | undefined;
    let hi: bigint | undefined;
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (hasNulls && !data.getValid(i)) {
        nulls++;
        continue;
      }
      const v = values[i]!;
      if (lo === undefined || v < lo) lo = v;
      if (hi === undefined || v > hi) hi = v;
    }
    node.nulls += nulls;
    if (lo !== undefined) offer(node, lo);
    if (hi !== undefined) offer(node, hi);
    return true;
  }
  const offsets = data.valueOffsets as unknown;
  if (kind === 'string' && type.typeId === Type.Utf8 && values instanceof Uint8Array && offsets instanceof Int32Array) {
    // UTF-8 byte order is code point order, the order compareKeys uses.
    let lo = -1;
    let hi = -1;
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (hasNulls && !data.getValid(i)) {
        nulls++;
        continue;
      }
      if (lo < 0 || compareBytes(values, offsets, i, lo) < 0) lo = i;
      if (hi < 0 || compareBytes(values, offsets, i, hi) > 0) hi = i;
    }
    node.nulls += nulls;
    const text = (i: number): string => UTF8.decode(values.subarray(offsets[i]!, offsets[i + 1]!));
    if (lo >= 0) offer(node, text(lo));
    if (hi >= 0) offer(node, text(hi));
    return true;
  }
  return false;
}

const UTF8 = new TextDecoder();

function compareBytes(bytes: Uint8Array, offsets: Int32Array, a: number, b: number): number {
  let i = offsets[a]!;
  const ea = offsets[a + 1]!;
  let j = offsets[b]!;
  const eb = offsets[b + 1]!;
  for (; i < ea && j < eb; i++, j++) {
    const d = bytes[i]! - bytes[j]!;
    if (d !== 0) return d;
  }
  return ea - i - (eb - j);
}

function less(a: bigint | number | string, b: bigint | number | string): boolean {
  if (typeof a === 'string' && typeof b === 'string') return compareKeys(a, b) < 0;
  return a < b;
}

type Read = (i: number) => bigint | number | string | undefined;

// Arrow JS slices fixed-width value buffers (only the validity bitmap is read at `offset + i`).
/** Reads row `i` as a comparable value: bigint (ints, decimals unscaled, timestamps in µs), number, or string. */
function reader(node: Leaf, data: Data): Read | undefined {
  const type = data.type;
  const values = data.values as ArrayLike<number | bigint> | undefined;
  switch (node.kind) {
    case 'nullOnly':
      return undefined;
    case 'string': {
      const vec = new Vector([data]);
      return (i) => {
        const v: unknown = vec.get(i);
        return typeof v === 'string' ? v : undefined;
      };
    }
    case 'int': {
      if (type.typeId !== Type.Int || values === undefined) return genericBigInt(data);
      return (i) => BigInt(values[i]!);
    }
    case 'float': {
      const vec = new Vector([data]);
      // Spark skips NaN when collecting min/max; infinities cannot be written as JSON numbers.
      return (i) => {
        const v = Number(vec.get(i));
        return Number.isFinite(v) ? v : undefined;
      };
    }
    case 'date': {
      if (values === undefined) return undefined;
      const { unit } = type as unknown as { unit: number };
      // DateUnit.DAY = 0 (int32 days), MILLISECOND = 1 (int64 ms).
      if (unit === 0) return (i) => Number(values[i]!);
      return (i) => Math.floor(Number(values[i]!) / 86_400_000);
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      if (values === undefined || type.typeId !== Type.Timestamp) return undefined;
      const { unit } = type as unknown as { unit: number };
      // Keep nanoseconds exactly (µs would need rounding); bounds are rounded to ms when rendered.
      const toNanos = [1_000_000_000n, 1_000_000n, 1_000n, 1n][unit] ?? 1n;
      return (i) => BigInt(values[i]!) * toNanos;
    }
    case 'decimal': {
      if (type.typeId !== Type.Decimal || values === undefined) return undefined;
      const { bitWidth } = type as unknown as { bitWidth: number };
      const words = bitWidth / 32;
      const u32 = values as ArrayLike<number>;
      const top = 1n << BigInt(bitWidth);
      return (i) => {
        let v = 0n;
        for (let w = words - 1; w >= 0; w--) v = (v << 32n) | BigInt(u32[i * words + w]! >>> 0);
        return v >= top >> 1n ? v - top : v;
      };
    }
  }
}

function genericBigInt(data: Data): Read {
  const vec = new Vector([data]);
  return (i) => {
    const v: unknown = vec.get(i);
    return typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined;
  };
}

function renderTree(nodes: ReadonlyArray<Leaf | Node>, leaf: (l: Leaf) => string | undefined): string | undefined {
  const parts: string[] = [];
  for (const n of nodes) {
    const text = n.leaf ? leaf(n) : renderTree(n.children, leaf);
    if (text !== undefined) parts.push(`${JSON.stringify(n.physical)}:${text}`);
  }
  return parts.length === 0 ? undefined : `{${parts.join(',')}}`;
}

function renderBound(l: Leaf, which: 'min' | 'max', prefix: number): string | undefined {
  const v = which === 'min' ? l.min : l.max;
  if (v === undefined) return undefined;
  switch (l.kind) {
    case 'int':
      return String(v);
    case 'float':
      return JSON.stringify(v);
    case 'string': {
      const s = which === 'min' ? truncateMin(v as string, prefix) : truncateMax(v as string, prefix);
      return s === undefined ? undefined : JSON.stringify(s);
    }
    case 'date':
      return JSON.stringify(formatDate(v as number));
    case 'timestamp':
    case 'timestamp_ntz': {
      // Millisecond precision: floor the min, ceil the max, so the bounds still hold.
      const ns = v as bigint;
      const ms = which === 'min' ? floorDiv(ns, 1_000_000n) : -floorDiv(-ns, 1_000_000n);
      return JSON.stringify(formatMillis(ms, l.kind === 'timestamp'));
    }
    case 'decimal':
      return exactDecimal(v as bigint, l.scale);
    case 'nullOnly':
      return undefined;
  }
}

/** The first `n` code points of `s` (a prefix sorts at or below `s`). */
export function truncateMin(s: string, n: number): string {
  const cps = Array.from(s);
  return cps.length <= n ? s : cps.slice(0, n).join('');
}

/**
 * An upper bound of `s` with at most `n` code points: `s` itself when short enough, else its prefix with
 * the last code point incremented (surrogates skipped; trailing U+10FFFF dropped), or undefined when no
 * such bound exists.
 */
export function truncateMax(s: string, n: number): string | undefined {
  const cps = Array.from(s);
  if (cps.length <= n) return s;
  const head = cps.slice(0, n);
  while (head.length > 0) {
    const cp = head.pop()!.codePointAt(0)!;
    if (cp >= 0x10ffff) continue;
    const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
    return head.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** The decimal as a JSON number when a double reader gets it back exactly at `scale`, else undefined. */
function exactDecimal(unscaled: bigint, scale: number): string | undefined {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${neg ? '-' : ''}${scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`}`;
  const abs = neg ? -unscaled : unscaled;
  if (abs > 2n ** 53n) return undefined;
  return Number(text).toFixed(scale) === text.replace(/^-(0\.?0*)$/, '$1') ? text : undefined;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function formatMillis(ms: bigint, utc: boolean): string {
  const day = floorDiv(ms, 86_400_000n);
  const rem = Number(ms - day * 86_400_000n);
  const h = Math.floor(rem / 3_600_000);
  const m = Math.floor(rem / 60_000) % 60;
  const s = Math.floor(rem / 1000) % 60;
  const frac = rem % 1000;
  return `${formatDate(Number(day))}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(frac, 3)}${utc ? 'Z' : ''}`;
}


function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
