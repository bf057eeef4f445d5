// Minimal columnar builders: plain JS values → apache-arrow `Data`, written straight into typed arrays.
// apache-arrow's generic builders cost ~16 µs a checkpoint row; these cost about a tenth of that.

import { Bool, DateDay, Field, Int32, Int64, List, Map_, Struct, Utf8, makeData, type Data, type DataType } from 'apache-arrow';
import { CheckpointError } from '../errors.js';

/** Accumulates one column's values and hands them out as Arrow data, batch after batch. */
export interface ColumnBuilder {
  /** The Arrow type of the column. */
  readonly type: DataType;
  /** Rows appended since the last {@link finish}. */
  readonly length: number;
  /** Appends one value; `null` and `undefined` append a null. */
  append(value: unknown): void;
  /** Appends nulls until the column holds `length` rows (cheap: no per-row work for fixed-width columns). */
  padTo(length: number): void;
  /** The values appended since the last call, as Arrow data; the builder starts over empty. */
  finish(): Data;
}

/** A nullable UTF-8 string column. */
export class StringColumn implements ColumnBuilder {
  readonly type = new Utf8();
  private readonly rows = new RowOffsets();
  private bytes = new Uint8Array(16_384);
  private used = 0;

  constructor(private readonly field: string) {}

  get length(): number {
    return this.rows.length;
  }

  append(value: unknown): void {
    if (value === null || value === undefined) return this.rows.push(false, this.used);
    if (typeof value !== 'string') throw badValue(this.field, 'a string', value);
    this.write(value);
    this.rows.push(true, this.used);
  }

  padTo(length: number): void {
    this.rows.padTo(length, this.used);
  }

  finish(): Data {
    const data = makeData({ type: this.type, ...this.rows.take(), data: this.bytes.slice(0, this.used) });
    this.used = 0;
    return data;
  }

  private write(s: string): void {
    const need = this.used + s.length * 3;
    if (need > this.bytes.length) this.bytes = grow(this.bytes, need);
    const bytes = this.bytes;
    let at = this.used;
    if (s.length > 24) {
      this.used += ENCODER.encodeInto(s, bytes.subarray(at)).written;
      return;
    }
    // Short strings: copying ASCII code units beats a TextEncoder call; anything else falls back to it.
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        at += ENCODER.encodeInto(s.slice(i), bytes.subarray(at)).written;
        this.used = at;
        return;
      }
      bytes[at++] = c;
    }
    this.used = at;
  }
}

/** A nullable 64-bit integer column (Delta `long`), fed JS numbers or bigints. */
export class LongColumn implements ColumnBuilder {
  readonly type = new Int64();
  private readonly validity = new Validity();
  private values = new BigInt64Array(1024);

  constructor(private readonly field: string) {}

  get length(): number {
    return this.validity.length;
  }

  append(value: unknown): void {
    const row = this.validity.length;
    if (row + 1 > this.values.length) this.values = grow(this.values, row + 1);
    if (value === null || value === undefined) {
      this.validity.push(false);
      this.values[row] = 0n;
      return;
    }
    if (typeof value === 'bigint') this.values[row] = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) this.values[row] = BigInt(value);
    else throw badValue(this.field, 'an integer', value);
    this.validity.push(true);
  }

  padTo(length: number): void {
    const row = this.validity.length;
    if (length <= row) return;
    if (length > this.values.length) this.values = grow(this.values, length);
    this.values.fill(0n, row, length);
    this.validity.pushNulls(length - row);
  }

  finish(): Data {
    const length = this.validity.length;
    return makeData({ type: this.type, length, nullCount: this.validity.nullCount, nullBitmap: this.validity.take(), data: this.values.slice(0, length) });
  }
}

/** A nullable 32-bit integer column (Delta `integer`), or days since the epoch typed as a date (Delta `date`). */
export class IntColumn implements ColumnBuilder {
  private readonly validity = new Validity();
  private values = new Int32Array(1024);

  constructor(
    private readonly field: string,
    readonly type: Int32 | DateDay = new Int32(),
  ) {}

  get length(): number {
    return this.validity.length;
  }

  append(value: unknown): void {
    const row = this.validity.length;
    if (row + 1 > this.values.length) this.values = grow(this.values, row + 1);
    if (value === null || value === undefined) {
      this.validity.push(false);
      this.values[row] = 0;
      return;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) {
      throw badValue(this.field, 'a 32-bit integer', value);
    }
    this.values[row] = value;
    this.validity.push(true);
  }

  padTo(length: number): void {
    const row = this.validity.length;
    if (length <= row) return;
    if (length > this.values.length) this.values = grow(this.values, length);
    this.values.fill(0, row, length);
    this.validity.pushNulls(length - row);
  }

  finish(): Data {
    const length = this.validity.length;
    // DateDay stores Int32 values too; the cast only picks makeData's overload.
    const type = this.type as Int32;
    return makeData({ type, length, nullCount: this.validity.nullCount, nullBitmap: this.validity.take(), data: this.values.slice(0, length) });
  }
}

/** A nullable boolean column. */
export class BoolColumn implements ColumnBuilder {
  readonly type = new Bool();
  private readonly validity = new Validity();
  private readonly values = new Validity();

  constructor(private readonly field: string) {}

  get length(): number {
    return this.validity.length;
  }

  append(value: unknown): void {
    if (value === null || value === undefined) {
      this.validity.push(false);
      this.values.push(false);
      return;
    }
    if (typeof value !== 'boolean') throw badValue(this.field, 'a boolean', value);
    this.validity.push(true);
    this.values.push(value);
  }

  padTo(length: number): void {
    const row = this.validity.length;
    if (length <= row) return;
    this.validity.pushNulls(length - row);
    this.values.pushNulls(length - row);
  }

  finish(): Data {
    const length = this.validity.length;
    const nullCount = this.validity.nullCount;
    const nullBitmap = this.validity.take();
    return makeData({ type: this.type, length, nullCount, nullBitmap, data: this.values.take(true) });
  }
}

/** A nullable `map<string,string>` column (non-null keys, nullable values), fed plain objects or Maps. */
export class StringMapColumn implements ColumnBuilder {
  readonly type: Map_<Utf8, Utf8>;
  private readonly rows = new RowOffsets();
  private readonly keys: StringColumn;
  private readonly values: StringColumn;
  private entries = 0;

  constructor(private readonly field: string) {
    this.keys = new StringColumn(`${field}.key`);
    this.values = new StringColumn(`${field}.value`);
    this.type = new Map_(new Field('key_value', new Struct([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)]), false), false);
  }

  get length(): number {
    return this.rows.length;
  }

  padTo(length: number): void {
    this.rows.padTo(length, this.entries);
  }

  append(value: unknown): void {
    if (value === null || value === undefined) return this.rows.push(false, this.entries);
    if (value instanceof Map) {
      for (const [k, v] of value) this.entry(k, v);
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      for (const k in value) this.entry(k, (value as Record<string, unknown>)[k]);
    } else {
      throw badValue(this.field, 'a string map', value);
    }
    this.rows.push(true, this.entries);
  }

  finish(): Data {
    const entries = makeData({
      type: this.type.children[0]!.type,
      length: this.entries,
      nullCount: 0,
      children: [this.keys.finish(), this.values.finish()],
    });
    const data = makeData({ type: this.type, ...this.rows.take(), child: entries });
    this.entries = 0;
    return data;
  }

  private entry(key: unknown, value: unknown): void {
    if (typeof key !== 'string') throw badValue(`${this.field} key`, 'a string', key);
    this.keys.append(key);
    this.values.append(value);
    this.entries++;
  }
}

/** A nullable `array<string>` column (nullable elements). */
export class StringListColumn implements ColumnBuilder {
  readonly type: List<Utf8> = new List<Utf8>(new Field('element', new Utf8(), true));
  private readonly rows = new RowOffsets();
  private readonly elements: StringColumn;
  private count = 0;

  constructor(private readonly field: string) {
    this.elements = new StringColumn(`${field}.element`);
  }

  get length(): number {
    return this.rows.length;
  }

  padTo(length: number): void {
    this.rows.padTo(length, this.count);
  }

  append(value: unknown): void {
    if (value === null || value === undefined) return this.rows.push(false, this.count);
    if (!Array.isArray(value)) throw badValue(this.field, 'an array of strings', value);
    for (const v of value) this.elements.append(v);
    this.count += value.length;
    this.rows.push(true, this.count);
  }

  finish(): Data {
    const data = makeData({ type: this.type, ...this.rows.take(), child: this.elements.finish() as Data<Utf8> });
    this.count = 0;
    return data;
  }
}

/** A nullable struct column, fed plain objects whose keys are the child names. */
export class StructColumn implements ColumnBuilder {
  readonly type: Struct;
  private readonly validity = new Validity();
  private readonly names: string[];
  private readonly children: ColumnBuilder[];

  /** `children` are [field name, builder, key of the appended object to read (default the field name)]. */
  constructor(
    private readonly field: string,
    children: readonly (readonly [string, ColumnBuilder, string?])[],
  ) {
    // A derived child (e.g. partitionValues_parsed) reads the same key as the column it is derived from.
    this.names = children.map((c) => c[2] ?? c[0]);
    this.children = children.map((c) => c[1]);
    // Every child nullable: non-nullable checkpoint columns have broken other readers (design.md §8).
    this.type = new Struct(children.map(([name, b]) => new Field(name, b.type, true)));
  }

  get length(): number {
    return this.validity.length;
  }

  append(value: unknown): void {
    if (value === null || value === undefined) {
      // Children catch up lazily (padTo), so a null struct costs one bit however many fields it has.
      this.validity.push(false);
      return;
    }
    if (typeof value !== 'object') throw badValue(this.field, 'an object', value);
    const row = this.validity.length;
    this.validity.push(true);
    const obj = value as Record<string, unknown>;
    for (let i = 0; i < this.children.length; i++) {
      const child = this.children[i]!;
      if (child.length < row) child.padTo(row);
      child.append(obj[this.names[i]!]);
    }
  }

  padTo(length: number): void {
    const row = this.validity.length;
    if (length > row) this.validity.pushNulls(length - row);
  }

  finish(): Data {
    const length = this.validity.length;
    for (const c of this.children) c.padTo(length);
    return makeData({
      type: this.type,
      length,
      nullCount: this.validity.nullCount,
      nullBitmap: this.validity.take(),
      children: this.children.map((c) => c.finish()),
    });
  }
}

/** A growable bitmap (validity or boolean values) with a null count. */
class Validity {
  length = 0;
  nullCount = 0;
  private bits = new Uint8Array(128);

  push(valid: boolean): void {
    const i = this.length++;
    if (i >> 3 >= this.bits.length) this.bits = grow(this.bits, (i >> 3) + 1);
    if (valid) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.nullCount++;
  }

  /** Appends `n` unset bits (bits past `length` are always zero). */
  pushNulls(n: number): void {
    this.length += n;
    this.nullCount += n;
    const bytes = (this.length + 7) >> 3;
    if (bytes > this.bits.length) this.bits = grow(this.bits, bytes);
  }

  /** The bitmap so far (empty when nothing is null, unless `always`), then resets. */
  take(always = false): Uint8Array {
    const bytes = (this.length + 7) >> 3;
    const out = always || this.nullCount > 0 ? this.bits.slice(0, bytes) : new Uint8Array(0);
    this.bits.fill(0, 0, bytes);
    this.length = 0;
    this.nullCount = 0;
    return out;
  }
}

/** Validity and value offsets of a variable-length column (strings, lists, maps). */
class RowOffsets {
  private readonly validity = new Validity();
  private offsets = new Int32Array(1024);

  get length(): number {
    return this.validity.length;
  }

  /** Ends the next row at child position `end` (a null row keeps the previous end). */
  push(valid: boolean, end: number): void {
    const row = this.validity.length;
    if (row + 2 > this.offsets.length) this.offsets = grow(this.offsets, row + 2);
    this.validity.push(valid);
    this.offsets[row + 1] = end;
  }

  /** Appends null rows up to `length`, all ending at `end`. */
  padTo(length: number, end: number): void {
    const row = this.validity.length;
    if (length <= row) return;
    if (length + 1 > this.offsets.length) this.offsets = grow(this.offsets, length + 1);
    this.offsets.fill(end, row + 1, length + 1);
    this.validity.pushNulls(length - row);
  }

  /** The Arrow row metadata so far, then resets. */
  take(): { length: number; nullCount: number; nullBitmap: Uint8Array; valueOffsets: Int32Array } {
    const length = this.validity.length;
    const nullCount = this.validity.nullCount;
    const valueOffsets = this.offsets.slice(0, length + 1);
    this.offsets[0] = 0;
    return { length, nullCount, nullBitmap: this.validity.take(), valueOffsets };
  }
}

const ENCODER = new TextEncoder();

function grow<T extends Int32Array | Uint8Array | BigInt64Array>(array: T, need: number): T {
  let size = array.length * 2;
  while (size < need) size *= 2;
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array as never);
  return next;
}

function badValue(field: string, expected: string, value: unknown): CheckpointError {
  const shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value);
  return new CheckpointError(`checkpoint field ${field} must be ${expected}, got ${shown.slice(0, 80)}; the action is malformed`);
}
