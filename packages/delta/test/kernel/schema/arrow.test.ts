import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Binary,
  BinaryView,
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  DurationSecond,
  Field,
  FixedSizeBinary,
  Float16,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  Null,
  Schema,
  Struct,
  TimeMicrosecond,
  Timestamp,
  TimeUnit,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  Utf8View,
  type DataType as ArrowDataType,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { fromArrowSchema, fromArrowType, toArrowSchema, toArrowType } from '../../../src/kernel/schema/arrow.js';
import { parseSchema } from '../../../src/kernel/schema/parse.js';
import type { DataType, StructType } from '../../../src/kernel/schema/types.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const golden = path.resolve(repoRoot, '../shared/fixtures/delta-golden');

describe('toArrowType', () => {
  it.each<[DataType, string]>([
    ['string', 'Utf8'],
    ['long', 'Int64'],
    ['integer', 'Int32'],
    ['short', 'Int16'],
    ['byte', 'Int8'],
    ['float', 'Float32'],
    ['double', 'Float64'],
    ['boolean', 'Bool'],
    ['binary', 'Binary'],
    ['date', 'Date32<DAY>'],
    ['timestamp', 'Timestamp<MICROSECOND, UTC>'],
    ['timestamp_ntz', 'Timestamp<MICROSECOND>'],
    [{ type: 'decimal', precision: 10, scale: 2 }, 'Decimal[10e+2]'],
    ['void', 'Null'],
  ])('maps %j to Arrow %s', (type, arrow) => {
    expect(String(toArrowType(type))).toBe(arrow);
  });

  it('maps decimal(p,s) to a 128-bit Arrow decimal with the same precision and scale', () => {
    const t = toArrowType({ type: 'decimal', precision: 38, scale: 9 }) as Decimal;
    expect([t.precision, t.scale, t.bitWidth]).toEqual([38, 9, 128]);
  });

  it('maps an array to a List whose child is named element and carries containsNull', () => {
    const t = toArrowType({ type: 'array', elementType: 'long', containsNull: false }) as List;
    expect(t.children[0]?.name).toBe('element');
    expect(t.children[0]?.nullable).toBe(false);
    expect(String(t.children[0]?.type)).toBe('Int64');
  });

  it('maps a map to Map_ with a non-null entries struct of a non-null key and a value that may be null', () => {
    const t = toArrowType({ type: 'map', keyType: 'string', valueType: 'double', valueContainsNull: true }) as Map_;
    const entries = t.children[0]!;
    expect(entries.name).toBe('entries');
    expect(entries.nullable).toBe(false);
    expect(entries.type.children.map((c: Field) => [c.name, String(c.type), c.nullable])).toEqual([
      ['key', 'Utf8', false],
      ['value', 'Float64', true],
    ]);
  });

  it('maps an unshredded variant to a struct of binary metadata and value', () => {
    const t = toArrowType('variant') as Struct;
    expect(t.children.map((c) => `${c.name}:${String(c.type)}:${c.nullable}`)).toEqual(['metadata:Binary:false', 'value:Binary:false']);
  });
});

describe('toArrowSchema', () => {
  const schema: StructType = {
    type: 'struct',
    fields: [
      { name: 'id', type: 'long', nullable: false, metadata: { 'delta.columnMapping.id': 1, 'delta.columnMapping.physicalName': 'col-a', comment: 'key' } },
      {
        name: 's',
        type: { type: 'struct', fields: [{ name: 'inner', type: 'timestamp', nullable: true, metadata: { 'delta.columnMapping.id': 3 } }] },
        nullable: true,
        metadata: {},
      },
    ],
  };

  it('carries nullability and nested fields', () => {
    const arrow = toArrowSchema(schema);
    expect(arrow.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual([
      'id:Int64:false',
      's:Struct<{inner:Timestamp<MICROSECOND, UTC>}>:true',
    ]);
  });

  it('keeps field metadata as strings and exposes column mapping ids as PARQUET:field_id', () => {
    const arrow = toArrowSchema(schema);
    expect(Object.fromEntries(arrow.fields[0]!.metadata)).toEqual({
      'delta.columnMapping.id': '1',
      'delta.columnMapping.physicalName': 'col-a',
      comment: 'key',
      'PARQUET:field_id': '1',
    });
    expect(arrow.fields[1]!.type.children[0].metadata.get('PARQUET:field_id')).toBe('3');
  });

  it('round-trips through fromArrowSchema, metadata included', () => {
    expect(fromArrowSchema(toArrowSchema(schema))).toEqual(schema);
  });
});

describe('fromArrowType', () => {
  it.each<[string, ArrowDataType, DataType]>([
    ['Utf8', new Utf8(), 'string'],
    ['LargeUtf8', new LargeUtf8(), 'string'],
    ['Utf8View', new Utf8View(), 'string'],
    ['Binary', new Binary(), 'binary'],
    ['LargeBinary', new LargeBinary(), 'binary'],
    ['BinaryView', new BinaryView(), 'binary'],
    ['FixedSizeBinary', new FixedSizeBinary(16), 'binary'],
    ['Bool', new Bool(), 'boolean'],
    ['Int8', new Int8(), 'byte'],
    ['Int16', new Int16(), 'short'],
    ['Int32', new Int32(), 'integer'],
    ['Int64', new Int64(), 'long'],
    ['Uint8', new Uint8(), 'short'],
    ['Uint16', new Uint16(), 'integer'],
    ['Uint32', new Uint32(), 'long'],
    ['Uint64', new Uint64(), { type: 'decimal', precision: 20, scale: 0 }],
    ['Float16', new Float16(), 'float'],
    ['Float32', new Float32(), 'float'],
    ['Float64', new Float64(), 'double'],
    ['DateDay', new DateDay(), 'date'],
    ['DateMillisecond', new DateMillisecond(), 'date'],
    ['Timestamp(us, UTC)', new Timestamp(TimeUnit.MICROSECOND, 'UTC'), 'timestamp'],
    ['Timestamp(ms, Europe/Paris)', new Timestamp(TimeUnit.MILLISECOND, 'Europe/Paris'), 'timestamp'],
    ['Timestamp(ns, +05:30)', new Timestamp(TimeUnit.NANOSECOND, '+05:30'), 'timestamp'],
    ['Timestamp(us) without zone', new Timestamp(TimeUnit.MICROSECOND), 'timestamp_ntz'],
    ['Timestamp(s) without zone', new Timestamp(TimeUnit.SECOND, null), 'timestamp_ntz'],
    ['Decimal(12,3)', new Decimal(3, 12, 128), { type: 'decimal', precision: 12, scale: 3 }],
    ['Dictionary<Int32, Utf8>', new Dictionary(new Utf8(), new Int32()), 'string'],
    ['LargeList<Int32>', new LargeList(new Field('item', new Int32(), true)), { type: 'array', elementType: 'integer', containsNull: true }],
  ])('maps Arrow %s to Delta', (_name, arrow, delta) => {
    expect(fromArrowType(arrow, 'c')).toEqual(delta);
  });

  it('maps an Arrow map with nested lists back to a Delta map', () => {
    const arrow = new Map_(
      new Field(
        'entries',
        new Struct([new Field('key', new Utf8(), false), new Field('value', new List(new Field('item', new Float64(), false)), true)]),
        false,
      ),
    );
    expect(fromArrowType(arrow as ArrowDataType, 'm')).toEqual({
      type: 'map',
      keyType: 'string',
      valueType: { type: 'array', elementType: 'double', containsNull: false },
      valueContainsNull: true,
    });
  });

  it.each<[string, ArrowDataType, RegExp]>([
    ['a Time column', new TimeMicrosecond(), /column "c" has Arrow type Time/],
    ['a Duration column', new DurationSecond(), /column "c" has Arrow type Duration/],
    ['an all-NULL column', new Null(), /column "c" .*only NULLs.*cast it/],
    ['a 76-digit decimal', new Decimal(0, 76, 256), /precision <= 38/],
  ])('refuses %s with a SchemaError naming the column', (_name, arrow, message) => {
    try {
      fromArrowType(arrow, 'c');
      expect.unreachable();
    } catch (e) {
      expect(isDuckrunError(e, 'DELTA_SCHEMA')).toBe(true);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('names the nested path of a column Delta cannot hold', () => {
    const schema = new Schema([new Field('outer', new Struct([new Field('when', new TimeMicrosecond(), true)]), true)]);
    expect(() => fromArrowSchema(schema)).toThrow(/column "outer\.when"/);
  });

  it('refuses two columns whose names differ only in case', () => {
    const schema = new Schema([new Field('Id', new Int32(), true), new Field('id', new Int32(), true)]);
    expect(() => fromArrowSchema(schema)).toThrow(/"Id" and "id" differ only in case/);
  });
});

describe.skipIf(!fs.existsSync(golden))('golden table schemas (needs ../shared/fixtures/delta-golden; skipped when it is absent)', () => {
  it('survive a Delta → Arrow → Delta round trip unchanged', () => {
    let count = 0;
    for (const table of fs.readdirSync(golden)) {
      const first = path.join(golden, table, 'delta/_delta_log/00000000000000000000.json');
      if (!fs.existsSync(first)) continue;
      for (const line of fs.readFileSync(first, 'utf8').split('\n')) {
        if (!line.includes('"metaData"')) continue;
        const schemaString = (JSON.parse(line) as { metaData?: { schemaString: string } }).metaData?.schemaString;
        if (schemaString === undefined) continue;
        const schema = parseSchema(schemaString);
        expect(fromArrowSchema(toArrowSchema(schema)), table).toEqual(schema);
        count++;
      }
    }
    expect(count).toBeGreaterThan(40);
  });
});
