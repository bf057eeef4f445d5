// DuckDB result chunks (native @duckdb/node-api) → apache-arrow 21 Data, reading DuckDB's vector memory
// directly (fixed-width columns are block copies). Arrow types mirror DuckDB's own Arrow export, so the
// native engine returns the same schema as DuckDB-WASM (decimals as decimal128, UUID as text, …).
import {
  Binary,
  Bool,
  DataType,
  Date_,
  DateUnit,
  Decimal,
  Dictionary,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Interval,
  IntervalUnit,
  List,
  Map_,
  Struct,
  Time,
  TimeUnit,
  Timestamp,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import type { DuckDBType } from '@duckdb/node-api';

/** The raw vector functions of `@duckdb/node-bindings` this converter calls (typed here, loaded lazily). */
export interface VectorBindings {
  vector_get_data(vector: unknown, byteCount: number): Uint8Array;
  vector_get_validity(vector: unknown, byteCount: number): Uint8Array | null;
  list_vector_get_child(vector: unknown): unknown;
  list_vector_get_size(vector: unknown): number;
  struct_vector_get_child(vector: unknown, index: number): unknown;
  array_vector_get_child(vector: unknown): unknown;
  get_data_from_pointer(buffer: ArrayBuffer, pointerOffset: number, byteCount: number): Uint8Array;
}

/** Appends rows of DuckDB vectors and produces one Arrow Data per batch. */
export interface ColumnBuilder {
  readonly type: DataType;
  /** Appends rows `[start, start + count)` of `vector`. */
  append(vector: unknown, start: number, count: number): void;
  /** Bytes buffered so far (to bound batch size). */
  readonly byteLength: number;
  /** The rows appended so far as Arrow data; the builder is then reset for the next batch. */
  finish(): Data;
}

/** Thrown for DuckDB types that have no Arrow form here; the caller turns it into a QueryError. */
export class UnsupportedDuckdbTypeError extends Error {}

/** Type ids of `DuckDBTypeId` (a const enum in node-api; repeated so this module has no runtime import of it). */
const T = {
  BOOLEAN: 1, TINYINT: 2, SMALLINT: 3, INTEGER: 4, BIGINT: 5, UTINYINT: 6, USMALLINT: 7, UINTEGER: 8, UBIGINT: 9,
  FLOAT: 10, DOUBLE: 11, TIMESTAMP: 12, DATE: 13, TIME: 14, INTERVAL: 15, HUGEINT: 16, VARCHAR: 17, BLOB: 18,
  DECIMAL: 19, TIMESTAMP_S: 20, TIMESTAMP_MS: 21, TIMESTAMP_NS: 22, ENUM: 23, LIST: 24, STRUCT: 25, MAP: 26,
  UUID: 27, UNION: 28, BIT: 29, TIME_TZ: 30, TIMESTAMP_TZ: 31, UHUGEINT: 32, ARRAY: 33, BIGNUM: 35, SQLNULL: 36, TIME_NS: 39,
} as const;

/** Creates the builder of one result column; `timezone` labels TIMESTAMPTZ columns (the session's TimeZone). */
export function columnBuilder(b: VectorBindings, type: DuckDBType, timezone: string): ColumnBuilder {
  const t = type as DuckDBType & Record<string, unknown>;
  switch (type.typeId as number) {
    case T.BOOLEAN:
      return new BoolBuilder(b);
    case T.TINYINT:
      return new FixedBuilder(b, new Int8(), 1);
    case T.SMALLINT:
      return new FixedBuilder(b, new Int16(), 2);
    case T.INTEGER:
      return new FixedBuilder(b, new Int32(), 4);
    case T.BIGINT:
      return new FixedBuilder(b, new Int64(), 8);
    case T.UTINYINT:
      return new FixedBuilder(b, new Uint8(), 1);
    case T.USMALLINT:
      return new FixedBuilder(b, new Uint16(), 2);
    case T.UINTEGER:
      return new FixedBuilder(b, new Uint32(), 4);
    case T.UBIGINT:
      return new FixedBuilder(b, new Uint64(), 8);
    case T.FLOAT:
      return new FixedBuilder(b, new Float32(), 4);
    case T.DOUBLE:
      return new FixedBuilder(b, new Float64(), 8);
    case T.DATE:
      return new FixedBuilder(b, new Date_(DateUnit.DAY), 4);
    case T.TIME:
      return new FixedBuilder(b, new Time(TimeUnit.MICROSECOND, 64), 8);
    case T.TIME_NS:
      return new FixedBuilder(b, new Time(TimeUnit.NANOSECOND, 64), 8);
    case T.TIMESTAMP:
      return new FixedBuilder(b, new Timestamp(TimeUnit.MICROSECOND), 8);
    case T.TIMESTAMP_S:
      return new FixedBuilder(b, new Timestamp(TimeUnit.SECOND), 8);
    case T.TIMESTAMP_MS:
      return new FixedBuilder(b, new Timestamp(TimeUnit.MILLISECOND), 8);
    case T.TIMESTAMP_NS:
      return new FixedBuilder(b, new Timestamp(TimeUnit.NANOSECOND), 8);
    case T.TIMESTAMP_TZ:
      return new FixedBuilder(b, new Timestamp(TimeUnit.MICROSECOND, timezone), 8);
    case T.HUGEINT:
      // DuckDB exports HUGEINT as decimal128(38, 0); both are 16-byte little-endian two's complement.
      return new FixedBuilder(b, new Decimal(0, 38, 128), 16);
    case T.UHUGEINT:
      return new FixedBuilder(b, new FixedSizeBinary(16), 16);
    case T.DECIMAL: {
      const width = t['width'] as number;
      return new DecimalBuilder(b, new Decimal(t['scale'] as number, width, 128), width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16);
    }
    case T.VARCHAR:
      return new StringBuilder(b, new Utf8());
    case T.BLOB:
    case T.BIT:
    case T.BIGNUM:
      return new StringBuilder(b, new Binary());
    case T.UUID:
      return new UuidBuilder(b);
    case T.INTERVAL:
      return new IntervalBuilder(b);
    case T.TIME_TZ:
      return new TimeTzBuilder(b);
    case T.ENUM:
      return new EnumBuilder(b, t['values'] as readonly string[], t['internalTypeId'] as number);
    case T.LIST: {
      const child = columnBuilder(b, t['valueType'] as DuckDBType, timezone);
      return new ListBuilder(b, new List(new Field('l', child.type, true)), child);
    }
    case T.MAP: {
      const key = columnBuilder(b, t['keyType'] as DuckDBType, timezone);
      const value = columnBuilder(b, t['valueType'] as DuckDBType, timezone);
      const entriesType = new Struct<{ key: DataType; value: DataType }>([new Field('key', key.type, false), new Field('value', value.type, true)]);
      const entries = new StructBuilder(b, entriesType, [key, value]);
      return new ListBuilder(b, new Map_(new Field('entries', entriesType, false), false), entries);
    }
    case T.STRUCT: {
      const names = t['entryNames'] as readonly string[];
      const children = (t['entryTypes'] as readonly DuckDBType[]).map((c) => columnBuilder(b, c, timezone));
      return new StructBuilder(b, new Struct(children.map((c, i) => new Field(names[i]!, c.type, true))), children);
    }
    case T.ARRAY: {
      const child = columnBuilder(b, t['valueType'] as DuckDBType, timezone);
      const size = t['length'] as number;
      return new ArrayBuilder(b, new FixedSizeList(size, new Field('', child.type, true)), child, size);
    }
    default:
      throw new UnsupportedDuckdbTypeError(type.toString());
  }
}

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(256);
  length = 0;
  reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  push(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.length);
    this.buf = new Uint8Array(256);
    this.length = 0;
    return out;
  }
}

/** Arrow validity bitmap built from DuckDB validity masks (same LSB-first bit order). */
class Validity {
  #bits = new Uint8Array(64);
  length = 0;
  nullCount = 0;
  /** Appends the validity of rows `[start, start + count)`; `mask` null means all valid. Returns the mask. */
  append(mask: Uint8Array | null, start: number, count: number): void {
    const need = (this.length + count + 7) >> 3;
    if (need > this.#bits.length) {
      const next = new Uint8Array(Math.max(this.#bits.length * 2, need));
      next.set(this.#bits);
      this.#bits = next;
    }
    const bits = this.#bits;
    let at = this.length;
    if (mask === null) {
      // All valid (the common case): whole bytes at once.
      const end = at + count;
      while (at < end && (at & 7) !== 0) bits[at >> 3]! |= 1 << (at++ & 7);
      const whole = (end - at) >> 3;
      bits.fill(0xff, at >> 3, (at >> 3) + whole);
      at += whole * 8;
      while (at < end) bits[at >> 3]! |= 1 << (at++ & 7);
      this.length = end;
      return;
    }
    for (let i = start; i < start + count; i++, at++) {
      if (mask === null || (mask[i >> 3]! >> (i & 7)) & 1) bits[at >> 3]! |= 1 << (at & 7);
      else this.nullCount++;
    }
    this.length = at;
  }
  take(): { nullCount: number; nullBitmap: Uint8Array | undefined } {
    const out = { nullCount: this.nullCount, nullBitmap: this.nullCount === 0 ? undefined : this.#bits.subarray(0, (this.length + 7) >> 3) };
    this.#bits = new Uint8Array(64);
    this.length = 0;
    this.nullCount = 0;
    return out;
  }
}

function mask(b: VectorBindings, vector: unknown, start: number, count: number): Uint8Array | null {
  return b.vector_get_validity(vector, Math.ceil((start + count) / 64) * 8);
}

abstract class BaseBuilder implements ColumnBuilder {
  protected readonly validity = new Validity();
  constructor(
    protected readonly b: VectorBindings,
    readonly type: DataType,
  ) {}
  abstract get byteLength(): number;
  abstract finish(): Data;
  append(vector: unknown, start: number, count: number): void {
    const m = mask(this.b, vector, start, count);
    this.validity.append(m, start, count);
    this.appendValues(vector, start, count, m);
  }
  protected abstract appendValues(vector: unknown, start: number, count: number, mask: Uint8Array | null): void;
  protected data(props: Record<string, unknown>): Data {
    const length = this.validity.length;
    return makeData({ type: this.type, length, ...this.validity.take(), ...props } as never) as Data;
  }
}

/** Fixed-width values whose DuckDB and Arrow layouts agree: one block copy per chunk. */
class FixedBuilder extends BaseBuilder {
  #values = new Bytes();
  constructor(
    b: VectorBindings,
    type: DataType,
    private readonly width: number,
  ) {
    super(b, type);
  }
  get byteLength(): number {
    return this.#values.length;
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    const src = this.b.vector_get_data(vector, (start + count) * this.width);
    this.#values.push(src.subarray(start * this.width, (start + count) * this.width));
  }
  finish(): Data {
    return this.data({ data: this.#values.take() });
  }
}

/** DuckDB stores one byte per boolean; Arrow packs bits. */
class BoolBuilder extends BaseBuilder {
  #bits = new Validity();
  constructor(b: VectorBindings) {
    super(b, new Bool());
  }
  get byteLength(): number {
    return this.#bits.length >> 3;
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    const src = this.b.vector_get_data(vector, start + count);
    const packed = new Uint8Array((count + 7) >> 3);
    for (let i = 0; i < count; i++) if (src[start + i]) packed[i >> 3]! |= 1 << (i & 7);
    this.#bits.append(packed, 0, count);
  }
  finish(): Data {
    const bits = this.#bits.length;
    const { nullBitmap: values } = this.#bits.take();
    return this.data({ data: values ?? new Uint8Array((bits + 7) >> 3).fill(0xff) });
  }
}

/** DECIMAL is int16/32/64/128 inside DuckDB by width; DuckDB's Arrow export widens every one to decimal128. */
class DecimalBuilder extends BaseBuilder {
  #values = new Bytes();
  constructor(
    b: VectorBindings,
    type: DataType,
    private readonly width: number,
  ) {
    super(b, type);
  }
  get byteLength(): number {
    return this.#values.length;
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    const src = this.b.vector_get_data(vector, (start + count) * this.width);
    if (this.width === 16) {
      this.#values.push(src.subarray(start * 16, (start + count) * 16));
      return;
    }
    this.#values.reserve(count * 16);
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const out = new DataView(this.#values.buf.buffer, this.#values.length, count * 16);
    for (let i = 0; i < count; i++) {
      const at = (start + i) * this.width;
      let lo: number;
      let hi: number;
      if (this.width === 8) {
        lo = view.getUint32(at, true);
        hi = view.getInt32(at + 4, true);
      } else {
        lo = this.width === 4 ? view.getInt32(at, true) : view.getInt16(at, true);
        hi = lo < 0 ? -1 : 0;
      }
      const sign = hi < 0 ? -1 : 0;
      out.setInt32(i * 16, lo, true);
      out.setInt32(i * 16 + 4, hi, true);
      out.setInt32(i * 16 + 8, sign, true);
      out.setInt32(i * 16 + 12, sign, true);
    }
    this.#values.length += count * 16;
  }
  finish(): Data {
    return this.data({ data: this.#values.take() });
  }
}

/** VARCHAR/BLOB: DuckDB's 16-byte string_t (≤12 bytes inline, longer ones behind a pointer). */
class StringBuilder extends BaseBuilder {
  #values = new Bytes();
  #offsets = new Int32Array(1024);
  #rows = 0;
  get byteLength(): number {
    return this.#values.length + this.#rows * 4;
  }
  protected appendValues(vector: unknown, start: number, count: number, m: Uint8Array | null): void {
    const src = this.b.vector_get_data(vector, (start + count) * 16);
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const long = this.#longStrings(view, start, count, m);
    if (this.#offsets.length < this.#rows + count + 1) {
      const next = new Int32Array(Math.max(this.#offsets.length * 2, this.#rows + count + 1));
      next.set(this.#offsets);
      this.#offsets = next;
    }
    let k = 0;
    for (let i = start; i < start + count; i++) {
      if (m === null || (m[i >> 3]! >> (i & 7)) & 1) {
        const at = i * 16;
        const len = view.getUint32(at, true);
        this.#values.push(len <= 12 ? src.subarray(at + 4, at + 4 + len) : long[k++]!);
      }
      this.#offsets[++this.#rows] = this.#values.length;
    }
  }
  /**
   * The bytes of the strings longer than 12 bytes, in row order. One native call per string costs ~2 µs,
   * so strings are read a memory region at a time: pointers sorted, merged while the gap between two
   * strings is under 4 KiB (no page can lie wholly inside such a gap, so every byte read is mapped).
   */
  #longStrings(view: DataView, start: number, count: number, m: Uint8Array | null): Uint8Array[] {
    const ptrs: number[] = [];
    const lens: number[] = [];
    let sorted = true;
    for (let i = start; i < start + count; i++) {
      if (m !== null && !((m[i >> 3]! >> (i & 7)) & 1)) continue;
      const len = view.getUint32(i * 16, true);
      if (len <= 12) continue;
      const ptr = view.getUint32(i * 16 + 8, true) + view.getUint32(i * 16 + 12, true) * 0x1_0000_0000;
      if (ptrs.length > 0 && ptr < ptrs[ptrs.length - 1]!) sorted = false;
      ptrs.push(ptr);
      lens.push(len);
    }
    if (ptrs.length === 0) return [];
    const order = ptrs.map((_, j) => j);
    if (!sorted) order.sort((a, c) => ptrs[a]! - ptrs[c]!);
    const out: Uint8Array[] = new Array<Uint8Array>(ptrs.length);
    const cell = new DataView(new ArrayBuffer(8));
    let j = 0;
    while (j < order.length) {
      const first = ptrs[order[j]!]!;
      let end = first + lens[order[j]!]!;
      let last = j + 1;
      while (last < order.length && ptrs[order[last]!]! - (end - 1) <= 4096 && end - first < MAX_REGION) {
        end = Math.max(end, ptrs[order[last]!]! + lens[order[last]!]!);
        last++;
      }
      cell.setUint32(0, first % 0x1_0000_0000, true);
      cell.setUint32(4, Math.floor(first / 0x1_0000_0000), true);
      const region = this.b.get_data_from_pointer(cell.buffer as ArrayBuffer, 0, end - first);
      for (let r = j; r < last; r++) {
        const idx = order[r]!;
        const from = ptrs[idx]! - first;
        out[idx] = region.subarray(from, from + lens[idx]!);
      }
      j = last;
    }
    return out;
  }
  finish(): Data {
    const offsets = this.#offsets.slice(0, this.#rows + 1);
    this.#offsets = new Int32Array(1024);
    this.#rows = 0;
    return this.data({ valueOffsets: offsets, data: this.#values.take() });
  }
}

/** Upper bound of one memory region read for long strings. */
const MAX_REGION = 16 * 1024 * 1024;

/** UUID is a 128-bit integer with the top bit flipped; DuckDB's Arrow export writes it as text. */
class UuidBuilder extends BaseBuilder {
  #values: (string | null)[] = [];
  constructor(b: VectorBindings) {
    super(b, new Utf8());
  }
  get byteLength(): number {
    return this.#values.length * 36;
  }
  protected appendValues(vector: unknown, start: number, count: number, m: Uint8Array | null): void {
    const src = this.b.vector_get_data(vector, (start + count) * 16);
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    for (let i = start; i < start + count; i++) {
      if (m !== null && !((m[i >> 3]! >> (i & 7)) & 1)) {
        this.#values.push(null);
        continue;
      }
      const at = i * 16;
      const s = hex(view.getUint32(at + 12, true) ^ 0x80000000) + hex(view.getUint32(at + 8, true)) + hex(view.getUint32(at + 4, true)) + hex(view.getUint32(at, true));
      this.#values.push(`${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`);
    }
  }
  finish(): Data {
    const values = this.#values;
    this.#values = [];
    this.validity.take();
    return vectorFromArray(values, new Utf8()).data[0]!;
  }
}

/** INTERVAL {months, days, micros} → Arrow month_day_nano {months, days, nanos}. */
class IntervalBuilder extends BaseBuilder {
  #values = new Bytes();
  constructor(b: VectorBindings) {
    super(b, new Interval(IntervalUnit.MONTH_DAY_NANO));
  }
  get byteLength(): number {
    return this.#values.length;
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    const src = this.b.vector_get_data(vector, (start + count) * 16);
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    this.#values.reserve(count * 16);
    const out = new DataView(this.#values.buf.buffer, this.#values.length, count * 16);
    for (let i = 0; i < count; i++) {
      const at = (start + i) * 16;
      out.setInt32(i * 16, view.getInt32(at, true), true);
      out.setInt32(i * 16 + 4, view.getInt32(at + 4, true), true);
      out.setBigInt64(i * 16 + 8, view.getBigInt64(at + 8, true) * 1000n, true);
    }
    this.#values.length += count * 16;
  }
  finish(): Data {
    return this.data({ data: this.#values.take() });
  }
}

/** TIME WITH TIME ZONE packs micros (high 40 bits) and offset (low 24); DuckDB's Arrow export keeps the micros. */
class TimeTzBuilder extends BaseBuilder {
  #values = new Bytes();
  constructor(b: VectorBindings) {
    super(b, new Time(TimeUnit.MICROSECOND, 64));
  }
  get byteLength(): number {
    return this.#values.length;
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    const src = this.b.vector_get_data(vector, (start + count) * 8);
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    this.#values.reserve(count * 8);
    const out = new DataView(this.#values.buf.buffer, this.#values.length, count * 8);
    for (let i = 0; i < count; i++) out.setBigInt64(i * 8, view.getBigUint64((start + i) * 8, true) >> 24n, true);
    this.#values.length += count * 8;
  }
  finish(): Data {
    return this.data({ data: this.#values.take() });
  }
}

let dictionaryIds = 0;

/** ENUM → dictionary of its member names, indices of the enum's internal unsigned width. */
class EnumBuilder extends BaseBuilder {
  #values = new Bytes();
  #width: number;
  #dictionary;
  constructor(b: VectorBindings, members: readonly string[], internalTypeId: number) {
    const width = internalTypeId === T.UTINYINT ? 1 : internalTypeId === T.USMALLINT ? 2 : 4;
    const indices = width === 1 ? new Uint8() : width === 2 ? new Uint16() : new Uint32();
    super(b, new Dictionary(new Utf8(), indices, ++dictionaryIds, false));
    this.#width = width;
    this.#dictionary = vectorFromArray([...members], new Utf8());
  }
  get byteLength(): number {
    return this.#values.length;
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    const src = this.b.vector_get_data(vector, (start + count) * this.#width);
    this.#values.push(src.subarray(start * this.#width, (start + count) * this.#width));
  }
  finish(): Data {
    return this.data({ data: this.#values.take(), dictionary: this.#dictionary });
  }
}

/** LIST and MAP: list_entry_t {offset, length} rows over a child vector; runs of adjacent entries copy at once. */
class ListBuilder extends BaseBuilder {
  #offsets: number[] = [0];
  #childRows = 0;
  constructor(
    b: VectorBindings,
    type: DataType,
    private readonly child: ColumnBuilder,
  ) {
    super(b, type);
  }
  get byteLength(): number {
    return this.#offsets.length * 4 + this.child.byteLength;
  }
  protected appendValues(vector: unknown, start: number, count: number, m: Uint8Array | null): void {
    const src = this.b.vector_get_data(vector, (start + count) * 16);
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const childVector = this.b.list_vector_get_child(vector);
    let runStart = 0;
    let runEnd = 0;
    const flush = (): void => {
      if (runEnd > runStart) this.child.append(childVector, runStart, runEnd - runStart);
    };
    for (let i = start; i < start + count; i++) {
      if (m === null || (m[i >> 3]! >> (i & 7)) & 1) {
        const offset = Number(view.getBigUint64(i * 16, true));
        const length = Number(view.getBigUint64(i * 16 + 8, true));
        if (length > 0) {
          if (offset !== runEnd) {
            flush();
            runStart = offset;
            runEnd = offset;
          }
          runEnd += length;
          this.#childRows += length;
        }
      }
      this.#offsets.push(this.#childRows);
    }
    flush();
  }
  finish(): Data {
    const offsets = Int32Array.from(this.#offsets);
    this.#offsets = [0];
    this.#childRows = 0;
    return this.data({ valueOffsets: offsets, child: this.child.finish() });
  }
}

/** STRUCT: each child vector holds the same rows. */
class StructBuilder extends BaseBuilder {
  constructor(
    b: VectorBindings,
    type: DataType,
    private readonly children: readonly ColumnBuilder[],
  ) {
    super(b, type);
  }
  get byteLength(): number {
    return this.children.reduce((n, c) => n + c.byteLength, 0);
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    this.children.forEach((c, i) => c.append(this.b.struct_vector_get_child(vector, i), start, count));
  }
  finish(): Data {
    return this.data({ children: this.children.map((c) => c.finish()) });
  }
}

/** ARRAY(n): row i owns child rows [i·n, (i+1)·n). */
class ArrayBuilder extends BaseBuilder {
  constructor(
    b: VectorBindings,
    type: DataType,
    private readonly child: ColumnBuilder,
    private readonly size: number,
  ) {
    super(b, type);
  }
  get byteLength(): number {
    return this.child.byteLength;
  }
  protected appendValues(vector: unknown, start: number, count: number): void {
    this.child.append(this.b.array_vector_get_child(vector), start * this.size, count * this.size);
  }
  finish(): Data {
    return this.data({ child: this.child.finish() });
  }
}
