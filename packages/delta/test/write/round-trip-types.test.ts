// Round-trip of every Arrow type the reader supports: write with writeDeltaTable, read back with our reader,
// compare values exactly (raw buffers for 64-bit ints, timestamps and decimals), check partition folders,
// partitionValues and per-file stats.

import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeUtf8,
  List,
  Map_,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  Type,
  Uint16,
  Uint32,
  Uint8,
  Utf8,
  Vector,
  makeData,
  vectorFromArray,
  type Data,
  type DataType as ArrowType,
} from 'apache-arrow';
import type { ObjectStore } from '@duckrun/storage';
import { DeltaTable, SchemaError, writeDeltaTable, type AddFile, type WriteOptions } from '../../src/index.js';
import { freshMemoryStore, tempDir } from '../helpers.js';

// ---------------------------------------------------------------------------------------------------
// Building input columns exactly (no ms-based builders for timestamps, raw words for decimals).

const bitmap = (valid: readonly boolean[]): Uint8Array => {
  const out = new Uint8Array(Math.ceil(valid.length / 8));
  valid.forEach((v, i) => {
    if (v) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
};

/** A fixed-width column from raw values; `null` entries become nulls (their slot holds 0). */
function fixed<T extends ArrowType>(type: T, values: readonly (bigint | number | null)[]): Data<T> {
  const valid = values.map((v) => v !== null);
  const nullCount = valid.filter((v) => !v).length;
  const big = type.typeId === Type.Timestamp || (type.typeId === Type.Int && (type as unknown as Int64).bitWidth === 64);
  const ArrayType = (type as unknown as { ArrayType: new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint } }).ArrayType;
  const data = big ? new BigInt64Array(values.length) : new ArrayType(values.length);
  values.forEach((v, i) => {
    if (v !== null) data[i] = big ? BigInt(v) : Number(v);
  });
  return makeData({ type, length: values.length, nullCount, nullBitmap: nullCount > 0 ? bitmap(valid) : null, data } as never) as Data<T>;
}

/** A 128-bit decimal column from unscaled values. */
function decimal(precision: number, scale: number, unscaled: readonly (bigint | null)[]): Data<Decimal> {
  const words = new Uint32Array(unscaled.length * 4);
  const mask = (1n << 128n) - 1n;
  unscaled.forEach((v, i) => {
    const u = (v ?? 0n) & mask;
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
  });
  const valid = unscaled.map((v) => v !== null);
  const nullCount = valid.filter((v) => !v).length;
  return makeData({ type: new Decimal(scale, precision, 128), length: unscaled.length, nullCount, nullBitmap: nullCount > 0 ? bitmap(valid) : null, data: words } as never) as unknown as Data<Decimal>;
}

const col = <T extends ArrowType>(values: readonly unknown[], type: T): Data<T> => vectorFromArray(values as never[], type).data[0] as Data<T>;

const ts = (unit: TimeUnit, tz: string | null): Timestamp => new Timestamp(unit, tz);

// ---------------------------------------------------------------------------------------------------
// Reading output columns exactly.

/** Row `i` of `data` as a plain, exactly comparable JS value (64-bit ints, timestamps and decimals as bigint). */
function exact(data: Data, i: number): unknown {
  if (!data.getValid(i)) return null;
  const type = data.type as ArrowType;
  const values = data.values as ArrayLike<number | bigint>;
  switch (type.typeId) {
    case Type.Int:
      return (type as unknown as Int64).bitWidth === 64 ? BigInt(values[i]!) : Number(values[i]!);
    case Type.Float:
    case Type.Date:
      return Number(values[i]!);
    case Type.Timestamp:
      return BigInt(values[i]!);
    case Type.Decimal: {
      let v = 0n;
      for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt((values as ArrayLike<number>)[i * 4 + w]! >>> 0);
      return v >= 1n << 127n ? v - (1n << 128n) : v;
    }
    case Type.Bool:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary: {
      const v: unknown = new Vector([data]).get(i);
      return v instanceof Uint8Array ? Array.from(v) : v;
    }
    case Type.Struct: {
      const out: Record<string, unknown> = {};
      type.children.forEach((f, k) => (out[f.name] = exact(data.children[k]!, i)));
      return out;
    }
    case Type.List: {
      const offsets = data.valueOffsets;
      const out: unknown[] = [];
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) out.push(exact(data.children[0]!, j));
      return out;
    }
    case Type.Map: {
      const offsets = data.valueOffsets;
      const entries = data.children[0]!;
      const out: [unknown, unknown][] = [];
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) out.push([exact(entries.children[0]!, j), exact(entries.children[1]!, j)]);
      return out;
    }
    default:
      throw new Error(`exact(): unexpected type ${String(type)}`);
  }
}

interface ReadBack {
  readonly schema: Schema;
  /** Column name → values of every row, in scan order. */
  readonly columns: Record<string, unknown[]>;
  readonly rows: Record<string, unknown>[];
  readonly adds: AddFile[];
  readonly table: DeltaTable;
}

/** Reads the whole table with our reader, rows sorted by `sortBy` when given. */
async function readBack(t: Target, sortBy?: string): Promise<ReadBack> {
  const table = await t.open();
  const snap = await table.snapshot();
  let schema: Schema | undefined;
  const rows: Record<string, unknown>[] = [];
  for await (const batch of snap.scan()) {
    schema ??= batch.schema;
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, unknown> = {};
      batch.schema.fields.forEach((f, k) => (row[f.name] = exact(batch.data.children[k]!, i)));
      rows.push(row);
    }
  }
  if (sortBy !== undefined) rows.sort((a, b) => Number(a[sortBy]) - Number(b[sortBy]));
  schema ??= snap.arrowSchema();
  const columns: Record<string, unknown[]> = {};
  for (const f of schema.fields) columns[f.name] = rows.map((r) => r[f.name]);
  return { schema, columns, rows, adds: snap.addFiles(), table };
}

// ---------------------------------------------------------------------------------------------------
// Where tables are written: a local folder (plain path) or a memory store passed as options.store.

interface Target {
  readonly kind: 'local' | 'memory';
  readonly uri: string;
  readonly options: Pick<WriteOptions, 'store'>;
  open(): Promise<DeltaTable>;
  /** Every object key under the table root. */
  keys(): Promise<string[]>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function target(kind: 'local' | 'memory'): Promise<Target> {
  if (kind === 'memory') {
    const store: ObjectStore = freshMemoryStore();
    return {
      kind,
      uri: store.url,
      options: { store },
      open: () => DeltaTable.open(store.url, { store }),
      keys: async () => {
        const out: string[] = [];
        for await (const e of store.list('')) out.push(e.path);
        return out.sort();
      },
    };
  }
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return {
    kind,
    uri: dir,
    options: {},
    open: () => DeltaTable.open(dir),
    keys: async () => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => `${e.parentPath ?? e.path}/${e.name}`.slice(dir.length + 1)).sort(),
  };
}

const KINDS = ['local', 'memory'] as const;

type Stats = { numRecords: number; minValues: Record<string, any>; maxValues: Record<string, any>; nullCount: Record<string, any> };
const statsOf = (add: AddFile): Stats => JSON.parse(add.stats!) as Stats;

// ---------------------------------------------------------------------------------------------------

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const LONG = 'λ'.repeat(5000) + 'end';

/** Six rows of every flat type (the last row of every column is null), `rep` times over; `id` counts the rows. */
function flatColumns(rep = 1): Record<string, Data> {
  const r = <T,>(values: T[]): T[] => Array.from({ length: rep }, () => values).flat() as T[];
  return {
    id: col(Array.from({ length: 6 * rep }, (_, i) => i), new Int32()),
    bool: col(r([true, false, true, null, false, null]), new Bool()),
    i8: col(r([-128, 127, 0, -1, 1, null]), new Int8()),
    i16: col(r([-32768, 32767, 0, -1, 1, null]), new Int16()),
    i32: col(r([-2147483648, 2147483647, 0, -1, 1, null]), new Int32()),
    i64: fixed(new Int64(), r([I64_MIN, I64_MAX, 0n, -1n, 9007199254740993n, null])),
    u8: col(r([0, 255, 128, 1, 254, null]), new Uint8()),
    u16: col(r([0, 65535, 32768, 1, 65534, null]), new Uint16()),
    u32: col(r([0, 4294967295, 2147483648, 1, 4294967294, null]), new Uint32()),
    f32: col(r([Number.NaN, Infinity, -Infinity, -0, 3.4028234663852886e38, null]), new Float32()),
    f64: col(r([Number.NaN, Infinity, -Infinity, -0, Number.MIN_VALUE, null]), new Float64()),
    dec10: decimal(10, 2, r([-9999999999n, 9999999999n, 0n, -1n, 12345n, null])),
    dec38: decimal(38, 10, r([-(10n ** 38n - 1n), 10n ** 38n - 1n, -1n, 123456789012345678901234567890n, 0n, null])),
    utf8: col(r(['', 'héllo wörld', '😀🎉 ✓', LONG, 'nul\u0000in', null]), new Utf8()),
    large: col(r(['', 'ünïcödé', LONG, 'a', '😀', null]), new LargeUtf8()),
    bin: col(r([new Uint8Array(0), Uint8Array.of(0, 255, 1), Uint8Array.of(0xde, 0xad, 0xbe, 0xef), new Uint8Array(300).fill(7), Uint8Array.of(0), null]), new Binary()),
    date: fixed(new DateDay(), r([-719162, 0, 19782, 2932896, -1, null])),
    ts_s: fixed(ts(TimeUnit.SECOND, 'UTC'), r([-62135596800n, 0n, 1700000000n, 253402300799n, -1n, null])),
    ts_ms: fixed(ts(TimeUnit.MILLISECOND, 'America/New_York'), r([-62135596800000n, 0n, 1700000000123n, 253402300799999n, -1n, null])),
    ts_us: fixed(ts(TimeUnit.MICROSECOND, 'UTC'), r([-62135596800000000n, 0n, 1700000000123456n, 253402300799999000n, -1n, null])),
    ts_ns: fixed(ts(TimeUnit.NANOSECOND, '+05:30'), r([-9223372036854775000n, 0n, 1700000000123456789n, 9223372036854775000n, -1n, null])),
  };
}

const flatBatch = (): RecordBatch => new RecordBatch(flatColumns());

/** What the reader gives back for {@link flatBatch}: Delta types (uints widened, timestamps in µs UTC). */
const FLAT_EXPECTED: Record<string, { arrow: string; delta: unknown; values: unknown[] }> = {
  id: { arrow: 'Int32', delta: 'integer', values: [0, 1, 2, 3, 4, 5] },
  bool: { arrow: 'Bool', delta: 'boolean', values: [true, false, true, null, false, null] },
  i8: { arrow: 'Int8', delta: 'byte', values: [-128, 127, 0, -1, 1, null] },
  i16: { arrow: 'Int16', delta: 'short', values: [-32768, 32767, 0, -1, 1, null] },
  i32: { arrow: 'Int32', delta: 'integer', values: [-2147483648, 2147483647, 0, -1, 1, null] },
  i64: { arrow: 'Int64', delta: 'long', values: [I64_MIN, I64_MAX, 0n, -1n, 9007199254740993n, null] },
  u8: { arrow: 'Int16', delta: 'short', values: [0, 255, 128, 1, 254, null] },
  u16: { arrow: 'Int32', delta: 'integer', values: [0, 65535, 32768, 1, 65534, null] },
  u32: { arrow: 'Int64', delta: 'long', values: [0n, 4294967295n, 2147483648n, 1n, 4294967294n, null] },
  f32: { arrow: 'Float32', delta: 'float', values: [Number.NaN, Infinity, -Infinity, -0, Math.fround(3.4028234663852886e38), null] },
  f64: { arrow: 'Float64', delta: 'double', values: [Number.NaN, Infinity, -Infinity, -0, Number.MIN_VALUE, null] },
  dec10: { arrow: 'Decimal[10e+2]', delta: { type: 'decimal', precision: 10, scale: 2 }, values: [-9999999999n, 9999999999n, 0n, -1n, 12345n, null] },
  dec38: {
    arrow: 'Decimal[38e+10]',
    delta: { type: 'decimal', precision: 38, scale: 10 },
    values: [-(10n ** 38n - 1n), 10n ** 38n - 1n, -1n, 123456789012345678901234567890n, 0n, null],
  },
  utf8: { arrow: 'Utf8', delta: 'string', values: ['', 'héllo wörld', '😀🎉 ✓', LONG, 'nul\u0000in', null] },
  large: { arrow: 'Utf8', delta: 'string', values: ['', 'ünïcödé', LONG, 'a', '😀', null] },
  bin: { arrow: 'Binary', delta: 'binary', values: [[], [0, 255, 1], [0xde, 0xad, 0xbe, 0xef], new Array(300).fill(7), [0], null] },
  date: { arrow: 'Date32<DAY>', delta: 'date', values: [-719162, 0, 19782, 2932896, -1, null] },
  ts_s: { arrow: 'Timestamp<MICROSECOND, UTC>', delta: 'timestamp', values: [-62135596800000000n, 0n, 1700000000000000n, 253402300799000000n, -1000000n, null] },
  ts_ms: { arrow: 'Timestamp<MICROSECOND, UTC>', delta: 'timestamp', values: [-62135596800000000n, 0n, 1700000000123000n, 253402300799999000n, -1000n, null] },
  ts_us: { arrow: 'Timestamp<MICROSECOND, UTC>', delta: 'timestamp', values: [-62135596800000000n, 0n, 1700000000123456n, 253402300799999000n, -1n, null] },
  // Nanoseconds are floored to the microsecond (toward the earlier instant, like Spark).
  ts_ns: { arrow: 'Timestamp<MICROSECOND, UTC>', delta: 'timestamp', values: [-9223372036854775n, 0n, 1700000000123456n, 9223372036854775n, -1n, null] },
};

describe('round-trip of every Arrow type the reader supports', () => {
  for (const kind of KINDS) {
    it(`writes every flat type and reads back exactly the same values (${kind} store)`, async () => {
      const t = await target(kind);
      const r = await writeDeltaTable(t.uri, new Table([flatBatch()]), t.options);
      expect(r).toMatchObject({ committed: true, created: true, version: 0, rowsWritten: 6, filesAdded: 1 });
      const back = await readBack(t, 'id');
      const snap = await back.table.snapshot();
      expect(snap.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
      for (const [name, want] of Object.entries(FLAT_EXPECTED)) {
        expect({ name, arrow: String(back.schema.fields.find((f) => f.name === name)?.type) }).toEqual({ name, arrow: want.arrow });
        expect({ name, delta: snap.schema.fields.find((f) => f.name === name)?.type }).toEqual({ name, delta: want.delta });
        expect({ name, values: back.columns[name] }).toEqual({ name, values: want.values });
      }
      // toEqual tells -0 from 0 and NaN from null, but be explicit about the float edge cases.
      expect(Object.is(back.columns.f64![3], -0)).toBe(true);
      expect(Object.is(back.columns.f32![3], -0)).toBe(true);
      expect(Number.isNaN(back.columns.f32![0])).toBe(true);
      expect(back.schema.fields.map((f) => f.name)).toEqual(Object.keys(FLAT_EXPECTED));
    });
  }

  it('writes a sliced batch (non-zero offsets) of every flat type split into interleaved partitions exactly', async () => {
    const full = new RecordBatch({ ...flatColumns(4), p: col(Array.from({ length: 24 }, (_, i) => i % 4), new Int8()) });
    const sliced = full.slice(5, 20);
    const ids = Array.from({ length: 15 }, (_, i) => i + 5);
    for (const kind of KINDS) {
      const t = await target(kind);
      await writeDeltaTable(t.uri, sliced, { ...t.options, partitionBy: ['p'] });
      const back = await readBack(t, 'id');
      expect(back.columns.id).toEqual(ids);
      expect(back.columns.p).toEqual(ids.map((i) => i % 4));
      for (const [name, want] of Object.entries(FLAT_EXPECTED)) {
        if (name === 'id') continue;
        expect({ name, values: back.columns[name] }).toEqual({ name, values: ids.map((i) => want.values[i % 6]) });
      }
      expect(back.adds).toHaveLength(4);
      for (const add of back.adds) {
        const p = Number(add.partitionValues.p);
        const mine = ids.filter((i) => i % 4 === p);
        const s = statsOf(add);
        expect(s.numRecords).toBe(mine.length);
        expect(s.minValues.id).toBe(mine[0]);
        expect(s.maxValues.id).toBe(mine[mine.length - 1]);
        for (const [name, want] of Object.entries(FLAT_EXPECTED)) {
          expect({ p, name, nulls: s.nullCount[name] }).toEqual({ p, name, nulls: mine.filter((i) => want.values[i % 6] === null).length });
        }
      }
    }
  });

  it('writes nested structs, lists of ints, lists of structs, maps and structs containing lists with nulls at every level', async () => {
    const inner = new Struct([new Field('x', new Float64(), true), new Field('when', ts(TimeUnit.MICROSECOND, 'UTC'), true)]);
    const sType = new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true), new Field('inner', inner, true)]);
    const kv = new Struct([new Field('k', new Utf8(), true), new Field('v', new Int64(), true)]);
    const mapType = new Map_<Utf8, Int32>(new Field('entries', new Struct<{ key: Utf8; value: Int32 }>([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]), false));
    const slType = new Struct([new Field('tags', new List(new Field('element', new Utf8(), true)), true), new Field('n', new Int32(), true)]);
    const batch = new RecordBatch({
      id: col([0, 1, 2, 3, 4], new Int32()),
      s: col(
        [
          { a: 1, b: 'x', inner: { x: 1.5, when: new Date(Date.UTC(2024, 0, 2)) } },
          { a: null, b: null, inner: null },
          null,
          { a: -7, b: '', inner: { x: null, when: null } },
          { a: 2147483647, b: '😀', inner: { x: -0, when: new Date(0) } },
        ],
        sType,
      ),
      li: col([[1, 2, 3], [], null, [null, -1, null], [2147483647]], new List(new Field('element', new Int32(), true))),
      ls: col(
        [[{ k: 'a', v: 1n }, null, { k: null, v: null }], null, [], [{ k: 'z', v: -(2n ** 63n) }], [null]],
        new List(new Field('element', kv, true)),
      ),
      m: col(
        [
          new Map([['a', 1], ['b', null]]),
          new Map(),
          null,
          new Map([['ü', -2147483648]]),
          new Map([['k', 0], ['', 5]]),
        ],
        mapType,
      ),
      sl: col([{ tags: ['a', null, 'b'], n: 1 }, { tags: null, n: null }, null, { tags: [], n: 0 }, { tags: [''], n: 3 }], slType),
    });
    for (const kind of KINDS) {
      const t = await target(kind);
      await writeDeltaTable(t.uri, batch, t.options);
      const back = await readBack(t, 'id');
      const day = 1704153600000000n;
      expect(back.columns.s).toEqual([
        { a: 1, b: 'x', inner: { x: 1.5, when: day } },
        { a: null, b: null, inner: null },
        null,
        { a: -7, b: '', inner: { x: null, when: null } },
        { a: 2147483647, b: '😀', inner: { x: -0, when: 0n } },
      ]);
      expect(back.columns.li).toEqual([[1, 2, 3], [], null, [null, -1, null], [2147483647]]);
      expect(back.columns.ls).toEqual([[{ k: 'a', v: 1n }, null, { k: null, v: null }], null, [], [{ k: 'z', v: -(2n ** 63n) }], [null]]);
      expect(back.columns.m).toEqual([
        [['a', 1], ['b', null]],
        [],
        null,
        [['ü', -2147483648]],
        [['k', 0], ['', 5]],
      ]);
      expect(back.columns.sl).toEqual([{ tags: ['a', null, 'b'], n: 1 }, { tags: null, n: null }, null, { tags: [], n: 0 }, { tags: [''], n: 3 }]);
      const snap = await back.table.snapshot();
      expect(snap.schema.fields.find((f) => f.name === 'm')!.type).toEqual({ type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: true });
      expect(snap.schema.fields.find((f) => f.name === 'ls')!.type).toMatchObject({ type: 'array', containsNull: true, elementType: { type: 'struct' } });
    }
  });

  it('writes dictionary-encoded strings as plain strings, across batches with different dictionaries', async () => {
    const dict = () => new Dictionary(new Utf8(), new Int32());
    const b1 = new RecordBatch({ id: col([0, 1, 2, 3], new Int32()), d: col(['red', 'green', null, 'red'], dict()) });
    const b2 = new RecordBatch({ id: col([4, 5, 6], new Int32()), d: col(['blue', '', 'ünï'], dict()) });
    for (const kind of KINDS) {
      const t = await target(kind);
      // Each batch has its own dictionary (an Arrow Table cannot hold both), so pass them as an iterable.
      await writeDeltaTable(t.uri, [b1, b2], t.options);
      const back = await readBack(t, 'id');
      expect(String(back.schema.fields[1]!.type)).toBe('Utf8');
      expect(back.columns.d).toEqual(['red', 'green', null, 'red', 'blue', '', 'ünï']);
      expect((await back.table.snapshot()).schema.fields[1]!.type).toBe('string');
    }
  });

  it('writes zone-less timestamps as timestamp_ntz at reader 3 / writer 7 when allowTimestampNtz is set', async () => {
    const batch = new RecordBatch({
      id: col([0, 1, 2], new Int32()),
      ntz_us: fixed(ts(TimeUnit.MICROSECOND, null), [1700000000123456n, -1n, null]),
      ntz_ms: fixed(ts(TimeUnit.MILLISECOND, null), [1700000000123n, -62135596800000n, null]),
      tz: fixed(ts(TimeUnit.MICROSECOND, 'UTC'), [1n, 2n, null]),
    });
    for (const kind of KINDS) {
      const t = await target(kind);
      await writeDeltaTable(t.uri, batch, { ...t.options, allowTimestampNtz: true });
      const back = await readBack(t, 'id');
      const snap = await back.table.snapshot();
      expect(snap.protocol).toMatchObject({ minReaderVersion: 3, minWriterVersion: 7 });
      expect(snap.protocol.readerFeatures).toContain('timestampNtz');
      expect(snap.protocol.writerFeatures).toContain('timestampNtz');
      expect(snap.schema.fields.map((f) => f.type)).toEqual(['integer', 'timestamp_ntz', 'timestamp_ntz', 'timestamp']);
      expect(back.schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Timestamp<MICROSECOND>', 'Timestamp<MICROSECOND>', 'Timestamp<MICROSECOND, UTC>']);
      expect(back.columns.ntz_us).toEqual([1700000000123456n, -1n, null]);
      expect(back.columns.ntz_ms).toEqual([1700000000123000n, -62135596800000000n, null]);
      // Stats of timestamp_ntz carry no zone suffix; timestamp ones end in Z.
      const s = statsOf(back.adds[0]!);
      expect(s.minValues.ntz_us).toBe('1969-12-31T23:59:59.999');
      expect(s.maxValues.ntz_us).toBe('2023-11-14T22:13:20.124');
      expect(s.minValues.tz).toBe('1970-01-01T00:00:00.000Z');
    }
  });

  it('refuses zone-less timestamps without allowTimestampNtz with a SchemaError naming the column, and writes nothing', async () => {
    for (const kind of KINDS) {
      const t = await target(kind);
      const batch = new RecordBatch({ id: col([1], new Int32()), local_time: fixed(ts(TimeUnit.MICROSECOND, null), [5n]) });
      const err = await writeDeltaTable(t.uri, batch, t.options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaError);
      expect((err as Error).message).toMatch(/"local_time"/);
      expect((err as Error).message).toMatch(/allowTimestampNtz/);
      const nested = new RecordBatch({
        id: col([1], new Int32()),
        ev: col([{ at: new Date(0) }], new Struct([new Field('at', ts(TimeUnit.MILLISECOND, null), true)])),
      });
      await expect(writeDeltaTable(t.uri, nested, t.options)).rejects.toThrow(/"ev\.at"/);
      expect(await t.keys()).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------

/** The decoded partition folder of each add (the object key minus the file name). */
const folderOf = (add: AddFile): string => decodeURIComponent(add.path).replace(/\/?part-[^/]*$/, '');

describe('partitioned writes', () => {
  for (const kind of KINDS) {
    it(`escapes special characters in string partition folders and maps '' and null to __HIVE_DEFAULT_PARTITION__ (${kind} store)`, async () => {
      const t = await target(kind);
      const values = ['a b', 'x/y', 'k=v', '50%', 'é😀', '', null, 'a b', 'c:d?#'];
      const batch = new RecordBatch({ id: col(values.map((_, i) => i), new Int32()), p: col(values, new Utf8()) });
      await writeDeltaTable(t.uri, batch, { ...t.options, partitionBy: ['p'] });
      const back = await readBack(t, 'id');
      // The empty string is a null partition value (as Spark reads it back).
      expect(back.rows).toEqual(values.map((p, i) => ({ id: i, p: p === '' ? null : p })));
      const byValue = new Map(back.adds.map((a) => [a.partitionValues.p, a]));
      expect([...byValue.keys()].sort()).toEqual(['50%', 'a b', 'c:d?#', 'k=v', 'x/y', 'é😀', null].sort());
      expect(back.adds).toHaveLength(7);
      const folders = Object.fromEntries(back.adds.map((a) => [String(a.partitionValues.p), folderOf(a)]));
      expect(folders).toEqual({
        'a b': 'p=a b',
        'x/y': 'p=x%2Fy',
        'k=v': 'p=k%3Dv',
        '50%': 'p=50%25',
        'é😀': 'p=é😀',
        null: 'p=__HIVE_DEFAULT_PARTITION__',
        'c:d?#': 'p=c%3Ad%3F%23',
      });
      // add.path is a URI: the escaped folder is percent-encoded once more.
      expect(byValue.get('x/y')!.path).toMatch(/^p=x%252Fy\/part-00\d{3}-[0-9a-f-]{36}\.c000\.snappy\.parquet$/);
      expect(byValue.get('a b')!.path.startsWith('p=a%20b/')).toBe(true);
      expect(byValue.get('é😀')!.path.startsWith(`p=${encodeURIComponent('é😀')}/`)).toBe(true);
      // The objects live under the escaped (not URI-encoded) folders.
      const dataKeys = (await t.keys()).filter((k) => !k.startsWith('_delta_log/'));
      expect(dataKeys.map((k) => k.replace(/\/part-[^/]*$/, '')).sort()).toEqual(Object.values(folders).sort());
      expect(statsOf(byValue.get(null)!).numRecords).toBe(2);
      expect(statsOf(byValue.get('a b')!).numRecords).toBe(2);
      // Partition columns are not in the data files' stats.
      expect(Object.keys(statsOf(byValue.get('a b')!).minValues)).toEqual(['id']);
    });
  }

  it('partitions by int, long, date, timestamp, double, boolean and decimal columns with spec-serialized values', async () => {
    const cases: {
      name: string;
      data: Data;
      want: unknown[];
      values: (string | null)[];
      folders: string[];
    }[] = [
      {
        name: 'i',
        data: col([-1, 0, 2147483647, null, -2147483648], new Int32()),
        want: [-1, 0, 2147483647, null, -2147483648],
        values: ['-1', '0', '2147483647', null, '-2147483648'],
        folders: ['i=-1', 'i=0', 'i=2147483647', 'i=__HIVE_DEFAULT_PARTITION__', 'i=-2147483648'],
      },
      {
        name: 'l',
        data: fixed(new Int64(), [I64_MIN, 0n, I64_MAX, null, 9007199254740993n]),
        want: [I64_MIN, 0n, I64_MAX, null, 9007199254740993n],
        values: [String(I64_MIN), '0', String(I64_MAX), null, '9007199254740993'],
        folders: [`l=${I64_MIN}`, 'l=0', `l=${I64_MAX}`, 'l=__HIVE_DEFAULT_PARTITION__', 'l=9007199254740993'],
      },
      {
        name: 'd',
        data: fixed(new DateDay(), [19782, -1, 0, null, -719162]),
        want: [19782, -1, 0, null, -719162],
        values: ['2024-02-29', '1969-12-31', '1970-01-01', null, '0001-01-01'],
        folders: ['d=2024-02-29', 'd=1969-12-31', 'd=1970-01-01', 'd=__HIVE_DEFAULT_PARTITION__', 'd=0001-01-01'],
      },
      {
        name: 't',
        // A zone other than UTC: partition values are still the UTC instant, with Z.
        data: fixed(ts(TimeUnit.MILLISECOND, 'Asia/Tokyo'), [1700000000123n, 0n, -1n, null, 1709164800000n]),
        want: [1700000000123000n, 0n, -1000n, null, 1709164800000000n],
        values: ['2023-11-14T22:13:20.123000Z', '1970-01-01T00:00:00.000000Z', '1969-12-31T23:59:59.999000Z', null, '2024-02-29T00:00:00.000000Z'],
        folders: [
          't=2023-11-14T22%3A13%3A20.123000Z',
          't=1970-01-01T00%3A00%3A00.000000Z',
          't=1969-12-31T23%3A59%3A59.999000Z',
          't=__HIVE_DEFAULT_PARTITION__',
          't=2024-02-29T00%3A00%3A00.000000Z',
        ],
      },
      {
        name: 'f',
        data: col([Number.NaN, Infinity, -Infinity, null, 1.5], new Float64()),
        want: [Number.NaN, Infinity, -Infinity, null, 1.5],
        values: ['NaN', 'Infinity', '-Infinity', null, '1.5'],
        folders: ['f=NaN', 'f=Infinity', 'f=-Infinity', 'f=__HIVE_DEFAULT_PARTITION__', 'f=1.5'],
      },
      {
        name: 'b',
        data: col([true, false, true, null, false], new Bool()),
        want: [true, false, true, null, false],
        values: ['true', 'false', 'true', null, 'false'],
        folders: ['b=true', 'b=false', 'b=true', 'b=__HIVE_DEFAULT_PARTITION__', 'b=false'],
      },
      {
        name: 'dec',
        data: decimal(10, 2, [-1250n, 5n, 0n, null, 9999999999n]),
        want: [-1250n, 5n, 0n, null, 9999999999n],
        values: ['-12.50', '0.05', '0.00', null, '99999999.99'],
        folders: ['dec=-12.50', 'dec=0.05', 'dec=0.00', 'dec=__HIVE_DEFAULT_PARTITION__', 'dec=99999999.99'],
      },
    ];
    for (const kind of KINDS) {
      for (const c of cases) {
        const t = await target(kind);
        const batch = new RecordBatch({ id: col([0, 1, 2, 3, 4], new Int32()), [c.name]: c.data });
        await writeDeltaTable(t.uri, batch, { ...t.options, partitionBy: [c.name] });
        const back = await readBack(t, 'id');
        expect({ c: c.name, rows: back.rows }).toEqual({ c: c.name, rows: c.want.map((v, i) => ({ id: i, [c.name]: v })) });
        // One file per distinct value, holding the rows of that value.
        const expectedFiles = new Map<string, { value: string | null; folder: string; ids: number[] }>();
        c.values.forEach((v, i) => {
          const key = String(v);
          const e = expectedFiles.get(key) ?? { value: v, folder: c.folders[i]!, ids: [] };
          e.ids.push(i);
          expectedFiles.set(key, e);
        });
        const got = back.adds
          .map((a) => ({ value: a.partitionValues[c.name] ?? null, folder: folderOf(a), n: statsOf(a).numRecords }))
          .sort((a, b) => String(a.value).localeCompare(String(b.value)));
        const want = [...expectedFiles.values()]
          .map((e) => ({ value: e.value, folder: e.folder, n: e.ids.length }))
          .sort((a, b) => String(a.value).localeCompare(String(b.value)));
        expect({ c: c.name, files: got }).toEqual({ c: c.name, files: want });
        const dataFolders = (await t.keys()).filter((k) => !k.startsWith('_delta_log/')).map((k) => k.replace(/\/part-[^/]*$/, ''));
        expect(dataFolders.sort()).toEqual(want.map((w) => w.folder).sort());
      }
    }
  });

  it('escapes special characters in partition column names too', async () => {
    const t = await target('local');
    const batch = new RecordBatch({ 'my_id.x': col([0, 1], new Int32()), 'a=b c/d': col(['v', 'w'], new Utf8()), ünï: col(['1', '1'], new Utf8()) });
    await writeDeltaTable(t.uri, batch, { partitionBy: ['a=b c/d', 'ünï'] });
    const back = await readBack(t, 'my_id.x');
    expect(back.rows).toEqual([
      { 'my_id.x': 0, 'a=b c/d': 'v', ünï: '1' },
      { 'my_id.x': 1, 'a=b c/d': 'w', ünï: '1' },
    ]);
    expect(back.adds.map(folderOf).sort()).toEqual(['a%3Db c%2Fd=v/ünï=1', 'a%3Db c%2Fd=w/ünï=1']);
    expect(back.adds.map((a) => a.partitionValues)).toContainEqual({ 'a=b c/d': 'v', ünï: '1' });
    expect((await t.keys()).filter((k) => !k.startsWith('_delta_log/')).map((k) => k.replace(/\/part-[^/]*$/, '')).sort()).toEqual(['a%3Db c%2Fd=v/ünï=1', 'a%3Db c%2Fd=w/ünï=1']);
  });

  it('nests folders of several partition columns in partition order', async () => {
    const t = await target('local');
    const batch = new RecordBatch({
      id: col([0, 1, 2], new Int32()),
      day: fixed(new DateDay(), [19782, 19782, null]),
      region: col(['eu/west', 'us', 'us'], new Utf8()),
    });
    await writeDeltaTable(t.uri, batch, { partitionBy: ['region', 'day'] });
    const back = await readBack(t, 'id');
    expect(back.rows).toEqual([
      { id: 0, day: 19782, region: 'eu/west' },
      { id: 1, day: 19782, region: 'us' },
      { id: 2, day: null, region: 'us' },
    ]);
    expect(back.adds.map(folderOf).sort()).toEqual(['region=eu%2Fwest/day=2024-02-29', 'region=us/day=2024-02-29', 'region=us/day=__HIVE_DEFAULT_PARTITION__']);
    expect(back.adds.map((a) => a.partitionValues)).toContainEqual({ region: 'us', day: null });
  });
});

// ---------------------------------------------------------------------------------------------------

/** Code point order (UTF-8 byte order), as Delta compares strings. */
const cmp = (a: string, b: string): number => {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('per-file stats of written files', () => {
  it('records numRecords, min/max and null counts of primitive columns, skipping NaN and infinities', async () => {
    const t = await target('memory');
    await writeDeltaTable(t.uri, flatBatch(), t.options);
    const { adds } = await readBack(t);
    expect(adds).toHaveLength(1);
    const raw = adds[0]!.stats!;
    const s = statsOf(adds[0]!);
    expect(s.numRecords).toBe(6);
    expect(s.nullCount).toEqual({
      id: 0,
      ...Object.fromEntries(Object.keys(FLAT_EXPECTED).filter((k) => k !== 'id' && k !== 'bool' && k !== 'bin').map((k) => [k, 1])),
      bool: 2,
      bin: 1,
    });
    expect(s.minValues).toMatchObject({ id: 0, i8: -128, i16: -32768, i32: -2147483648, u8: 0, u16: 0, u32: 0, f64: 0, date: '0001-01-01' });
    expect(s.maxValues).toMatchObject({ id: 5, i8: 127, i16: 32767, i32: 2147483647, u8: 255, u16: 65535, u32: 4294967295, date: '9999-12-31' });
    // 64-bit bounds are exact JSON integers (JSON.parse would round them).
    expect(raw).toContain('"i64":-9223372036854775808');
    expect(raw).toContain('"i64":9223372036854775807');
    // NaN and ±Infinity are skipped: what is left is -0 (min and max) for f64, -0 … max float for f32.
    expect(Object.is(s.maxValues.f64, Number.MIN_VALUE)).toBe(true);
    expect(s.minValues.f32).toBe(0);
    expect(s.maxValues.f32).toBe(Math.fround(3.4028234663852886e38));
    // Booleans and binaries get null counts only.
    for (const k of ['bool', 'bin']) {
      expect(s.minValues[k]).toBeUndefined();
      expect(s.maxValues[k]).toBeUndefined();
    }
    // Decimals appear only when a double holds them exactly.
    expect(s.minValues.dec10).toBe(-99999999.99);
    expect(s.maxValues.dec10).toBe(99999999.99);
    expect(s.minValues.dec38).toBeUndefined();
    // Timestamps: UTC, millisecond precision, min floored and max ceiled.
    expect(s.minValues.ts_s).toBe('0001-01-01T00:00:00.000Z');
    expect(s.maxValues.ts_s).toBe('9999-12-31T23:59:59.000Z');
    expect(s.minValues.ts_us).toBe('0001-01-01T00:00:00.000Z');
    expect(s.maxValues.ts_us).toBe('9999-12-31T23:59:59.999Z');
    expect(s.maxValues.ts_ns).toBe('2262-04-11T23:47:16.855Z');
    expect(s.minValues.ts_ns).toBe('1677-09-21T00:12:43.145Z');
    // Strings: '' is the min; the long one is truncated.
    expect(s.minValues.utf8).toBe('');
    expect(s.maxValues.utf8).toBe('😀🎉 ✓');
    expect(s.minValues.large).toBe('');
    expect(s.maxValues.large).toBe('😀');
  });

  it('truncates long string bounds to safe prefixes: min a prefix, max bumped above every value, never splitting surrogate pairs', async () => {
    const values = [
      'b'.repeat(40),
      'a'.repeat(50),
      'c'.repeat(33) + 'd',
      '😀'.repeat(40),
      'a'.repeat(31) + '😀😀',
      'short',
      null,
    ];
    const emojiFirst = ['a'.repeat(31) + '😀😀', '😀'.repeat(40)];
    for (const [label, vals] of [['mixed', values], ['surrogate boundary', emojiFirst]] as const) {
      const t = await target('memory');
      await writeDeltaTable(t.uri, new RecordBatch({ s: col(vals, new Utf8()) }), t.options);
      const s = statsOf((await readBack(t)).adds[0]!);
      const min = s.minValues.s as string;
      const max = s.maxValues.s as string;
      const present = (vals as readonly (string | null)[]).filter((v): v is string => v !== null);
      const trueMin = [...present].sort(cmp)[0]!;
      expect({ label, lone: LONE_SURROGATE.test(min) || LONE_SURROGATE.test(max) }).toEqual({ label, lone: false });
      expect(Array.from(min).length).toBeLessThanOrEqual(32);
      expect(Array.from(max).length).toBeLessThanOrEqual(32);
      expect(trueMin.startsWith(min)).toBe(true);
      for (const v of present) {
        expect(cmp(min, v)).toBeLessThanOrEqual(0);
        expect(cmp(max, v)).toBeGreaterThanOrEqual(0);
      }
    }
    // Concrete bounds: min 'a'×32 (a prefix), max: '😀'×31 + '😁' (the last code point bumped).
    const t = await target('memory');
    await writeDeltaTable(t.uri, new RecordBatch({ s: col(values, new Utf8()) }), t.options);
    const s = statsOf((await readBack(t)).adds[0]!);
    expect(s.minValues.s).toBe('a'.repeat(32));
    expect(s.maxValues.s).toBe('😀'.repeat(31) + '😁');
    expect(s.nullCount.s).toBe(1);
    const t2 = await target('memory');
    await writeDeltaTable(t2.uri, new RecordBatch({ s: col(emojiFirst, new Utf8()) }), t2.options);
    const s2 = statsOf((await readBack(t2)).adds[0]!);
    expect(s2.minValues.s).toBe('a'.repeat(31) + '😀');
    expect(s2.maxValues.s).toBe('😀'.repeat(31) + '😁');
  });

  it('records nested struct leaves (a null struct counts as nulls in its leaves) and only null counts for lists and maps, nested ones too', async () => {
    const sType = new Struct([
      new Field('a', new Int32(), true),
      new Field('b', new Utf8(), true),
      new Field('inner', new Struct([new Field('x', new Float64(), true), new Field('d', new DateDay(), true)]), true),
    ]);
    const batch = new RecordBatch({
      id: col([0, 1, 2, 3], new Int32()),
      s: col(
        [
          { a: 5, b: 'q', inner: { x: 1.5, d: new Date(Date.UTC(2024, 1, 29)) } },
          { a: -3, b: null, inner: null },
          null,
          { a: null, b: 'a', inner: { x: -2.25, d: null } },
        ],
        sType,
      ),
      li: col([[1, 2], null, [], [null]], new List(new Field('element', new Int32(), true))),
      m: col([new Map([['a', 1]]), null, null, new Map()], new Map_<Utf8, Int32>(new Field('entries', new Struct<{ key: Utf8; value: Int32 }>([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]), false))),
      sl: col(
        [{ tags: ['a'], n: 1 }, { tags: null, n: 5 }, null, { tags: [], n: null }],
        new Struct([new Field('tags', new List(new Field('element', new Utf8(), true)), true), new Field('n', new Int32(), true)]),
      ),
    });
    for (const kind of KINDS) {
      const t = await target(kind);
      await writeDeltaTable(t.uri, batch, t.options);
      const s = statsOf((await readBack(t)).adds[0]!);
      expect(s).toEqual({
        numRecords: 4,
        minValues: { id: 0, s: { a: -3, b: 'a', inner: { x: -2.25, d: '2024-02-29' } }, sl: { n: 1 } },
        maxValues: { id: 3, s: { a: 5, b: 'q', inner: { x: 1.5, d: '2024-02-29' } }, sl: { n: 5 } },
        nullCount: { id: 0, s: { a: 2, b: 2, inner: { x: 2, d: 3 } }, li: 1, m: 2, sl: { tags: 2, n: 2 } },
      });
    }
  });

  it('gives every partition file its own stats over its own rows', async () => {
    const t = await target('local');
    const batch = new RecordBatch({
      id: col([0, 1, 2, 3, 4, 5], new Int32()),
      p: col(['x', 'y', 'x', 'y', 'x', null], new Utf8()),
      v: col(['m', 'b', 'z', null, 'a', 'q'], new Utf8()),
    });
    await writeDeltaTable(t.uri, batch, { partitionBy: ['p'] });
    const { adds } = await readBack(t);
    const by = Object.fromEntries(adds.map((a) => [String(a.partitionValues.p), statsOf(a)]));
    expect(by).toEqual({
      x: { numRecords: 3, minValues: { id: 0, v: 'a' }, maxValues: { id: 4, v: 'z' }, nullCount: { id: 0, v: 0 } },
      y: { numRecords: 2, minValues: { id: 1, v: 'b' }, maxValues: { id: 3, v: 'b' }, nullCount: { id: 0, v: 1 } },
      null: { numRecords: 1, minValues: { id: 5, v: 'q' }, maxValues: { id: 5, v: 'q' }, nullCount: { id: 0, v: 0 } },
    });
  });
});
