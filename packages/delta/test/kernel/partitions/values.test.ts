import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { columnMappingMode, physicalName } from '../../../src/kernel/features/column-mapping.js';
import { civilDays, formatPartitionValue, parsePartitionValue, type PartitionScalar } from '../../../src/kernel/partitions/values.js';
import { parseSchema } from '../../../src/kernel/schema/parse.js';
import type { DataType } from '../../../src/kernel/schema/types.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const golden = path.resolve(repoRoot, '../shared/fixtures/delta-golden');

const dec = (precision: number, scale: number): DataType => ({ type: 'decimal', precision, scale });
const parse = (raw: string | null | undefined, type: DataType): PartitionScalar => parsePartitionValue(raw, type, 'p');

function expectProtocolError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
    expect.unreachable();
  } catch (e) {
    expect(isDuckrunError(e, 'DELTA_PROTOCOL')).toBe(true);
    expect((e as Error).message).toMatch(message);
  }
}

describe('parsePartitionValue', () => {
  const types: DataType[] = ['string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp', 'timestamp_ntz', dec(10, 2)];

  it.each(types)('reads null, an absent value and the empty string as null for %j', (type) => {
    expect(parse(null, type)).toBeNull();
    expect(parse(undefined, type)).toBeNull();
    expect(parse('', type)).toBeNull();
  });

  it.each<[string, DataType, PartitionScalar]>([
    ['a string verbatim, spaces included', 'string', ' a b '],
    ['the text "null" as a string', 'string', 'null'],
  ])('keeps %s', (_name, type, value) => {
    expect(parse(value as string, type)).toBe(value);
  });

  it.each<[string, DataType, PartitionScalar]>([
    ['1', 'integer', 1],
    ['-2147483648', 'integer', -2147483648],
    ['+7', 'short', 7],
    ['-128', 'byte', -128],
    ['32767', 'short', 32767],
    ['9223372036854775807', 'long', 9223372036854775807n],
    ['-9223372036854775808', 'long', -9223372036854775808n],
    ['0', 'long', 0n],
    ['1.0', 'double', 1],
    ['-2.5E-3', 'double', -0.0025],
    ['1.0E7', 'double', 1e7],
    ['NaN', 'double', Number.NaN],
    ['-Infinity', 'double', Number.NEGATIVE_INFINITY],
    ['.5', 'double', 0.5],
    ['1.1', 'float', Math.fround(1.1)],
    ['true', 'boolean', true],
    ['FALSE', 'boolean', false],
  ])('reads %s as %s', (raw, type, value) => {
    expect(parse(raw, type)).toEqual(value);
  });

  it.each<[string, DataType]>([
    ['2147483648', 'integer'],
    ['128', 'byte'],
    ['-32769', 'short'],
    ['9223372036854775808', 'long'],
    ['1.5', 'integer'],
    ['0x10', 'long'],
    ['1e3', 'long'],
    ['abc', 'double'],
    ['1.2.3', 'float'],
    ['yes', 'boolean'],
  ])('rejects %s as a %s, naming the column and the value', (raw, type) => {
    expectProtocolError(() => parsePartitionValue(raw, type, 'my_col'), new RegExp(`partition column "my_col" has value "${raw.replace(/[.+]/g, '\\$&')}"`));
  });

  describe('dates', () => {
    it.each<[string, number]>([
      ['1970-01-01', 0],
      ['1969-12-31', -1],
      ['2021-09-08', 18878],
      ['2000-02-29', 11016],
      ['0001-01-01', -719162],
      ['9999-12-31', 2932896],
    ])('reads %s as day %i', (raw, days) => {
      expect(parse(raw, 'date')).toBe(days);
    });

    it('rejects a day that does not exist', () => {
      expectProtocolError(() => parse('2021-02-29', 'date'), /existing calendar date/);
      expectProtocolError(() => parse('2021-13-01', 'date'), /existing calendar date/);
    });

    it('rejects a date with a time', () => {
      expectProtocolError(() => parse('2021-01-01 00:00:00', 'date'), /YYYY-MM-DD/);
    });
  });

  describe('timestamps', () => {
    it.each<[string, bigint]>([
      ['1970-01-01 00:00:00', 0n],
      ['2021-09-08 11:11:11', 1631099471000000n],
      ['2013-07-05 17:01:00.123456', 1373043660123456n],
      ['2020-01-01 08:09:10.001', 1577866150001000n],
      ['1969-01-01 00:00:00', -31536000000000n],
      ['1969-12-31 23:59:59.999999', -1n],
      ['1970-01-01T00:00:00.123456Z', 123456n],
      ['2021-09-08T11:11:11Z', 1631099471000000n],
      ['2021-09-08T16:41:11+05:30', 1631099471000000n],
      ['2021-09-08T03:11:11-08:00', 1631099471000000n],
      ['2021-09-08T16:41:11+0530', 1631099471000000n],
      ['2021-09-08T13:11:11+02', 1631099471000000n],
      ['2021-09-08 11:11:11 UTC', 1631099471000000n],
      ['1970-01-01 00:00:00.123456789', 123456n],
      ['2021-09-08', 1631059200000000n],
    ])('reads %s as %i microseconds since the epoch (UTC)', (raw, micros) => {
      expect(parse(raw, 'timestamp')).toBe(micros);
    });

    it('reads the legacy form without a zone as UTC, not as local time', () => {
      expect(parse('2021-10-01 08:09:20', 'timestamp')).toBe(parse('2021-10-01T08:09:20Z', 'timestamp'));
    });

    it.each(['2021-09-08 25:00:00', '2021-09-08 11:61:00', '2021-09-08T11:11:11+19:00', '2021-09-08T11:11:11 PST', 'yesterday'])(
      'rejects the timestamp %s',
      (raw) => {
        expectProtocolError(() => parse(raw, 'timestamp'), /not a timestamp/);
      },
    );

    it('reads timestamp_ntz as wall-clock microseconds', () => {
      expect(parse('2013-07-05 17:01:00.123456', 'timestamp_ntz')).toBe(1373043660123456n);
      expect(parse('2021-11-18T02:30:00', 'timestamp_ntz')).toBe(1637202600000000n);
    });

    it('rejects a zone on timestamp_ntz, which has none', () => {
      expectProtocolError(() => parse('2021-11-18T02:30:00Z', 'timestamp_ntz'), /without time zone/);
      expectProtocolError(() => parse('2021-11-18 02:30:00+01:00', 'timestamp_ntz'), /without time zone/);
    });
  });

  describe('decimals', () => {
    it.each<[string, DataType, string]>([
      ['1', dec(10, 0), '1'],
      ['234.00000', dec(10, 5), '234.00000'],
      ['-2342342.23423', dec(12, 5), '-2342342.23423'],
      ['0.00004', dec(10, 5), '0.00004'],
      ['1.5', dec(5, 2), '1.50'],
      ['-0.5', dec(3, 1), '-0.5'],
      ['1.5E+3', dec(10, 2), '1500.00'],
      ['0E-10', dec(20, 10), '0.0000000000'],
      ['-0', dec(5, 0), '0'],
      ['12345678901234567890123456789012345678', dec(38, 0), '12345678901234567890123456789012345678'],
      ['007.10', dec(4, 2), '7.10'],
    ])('reads %s as %j exactly: %s', (raw, type, value) => {
      expect(parse(raw, type)).toBe(value);
    });

    it('rejects more digits than the precision allows', () => {
      expectProtocolError(() => parse('1000', dec(3, 0)), /not a valid decimal\(3,0\)/);
      expectProtocolError(() => parse('10.0', dec(3, 2)), /decimal\(3,2\)/);
    });

    it('rejects a value with more fraction digits than the scale', () => {
      expectProtocolError(() => parse('1.234', dec(10, 2)), /decimal\(10,2\)/);
    });

    it('rejects text that is not a number', () => {
      expectProtocolError(() => parse('1,5', dec(10, 2)), /decimal/);
      expectProtocolError(() => parse('.', dec(10, 2)), /decimal/);
    });
  });

  it('reads binary as the UTF-8 bytes of the stored string', () => {
    expect(Array.from(parse('\u0001\u0002\u0003', 'binary') as Uint8Array)).toEqual([1, 2, 3]);
    expect(Array.from(parse('é€', 'binary') as Uint8Array)).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  });

  it('refuses nested types as partition columns', () => {
    expectProtocolError(() => parse('x', { type: 'array', elementType: 'long', containsNull: true }), /column "p" has type array<long>, which cannot be a partition column/);
  });
});

describe('formatPartitionValue', () => {
  it.each<[DataType, PartitionScalar, string | null]>([
    ['string', 'a/b', 'a/b'],
    ['string', '', null],
    ['long', 9223372036854775807n, '9223372036854775807'],
    ['integer', 42, '42'],
    ['double', 1, '1.0'],
    ['double', 0.1, '0.1'],
    ['float', Math.fround(1.5), '1.5'],
    ['double', Number.NaN, 'NaN'],
    ['boolean', false, 'false'],
    ['date', 18878, '2021-09-08'],
    ['date', -719162, '0001-01-01'],
    ['timestamp', 1631099471000000n, '2021-09-08T11:11:11.000000Z'],
    ['timestamp', -1n, '1969-12-31T23:59:59.999999Z'],
    ['timestamp_ntz', 1373043660123456n, '2013-07-05 17:01:00.123456'],
    ['timestamp_ntz', 1577866150001000n, '2020-01-01 08:09:10.001'],
    ['timestamp_ntz', 0n, '1970-01-01 00:00:00'],
    [dec(10, 2), '1.5', '1.50'],
    [dec(10, 2), 3n, '3.00'],
    ['binary', Uint8Array.from([1, 2, 3]), '\u0001\u0002\u0003'],
    ['string', null, null],
  ])('writes a %j value %s as %j', (type, value, text) => {
    expect(formatPartitionValue(value, type, 'p')).toBe(text);
  });

  it.each<[DataType, PartitionScalar]>([
    ['long', 12345678901234567n],
    ['integer', -5],
    ['double', -1234.5e-10],
    ['float', Math.fround(3.3)],
    ['date', -1],
    ['timestamp', 1373043660123456n],
    ['timestamp', -62135596800000000n],
    ['timestamp_ntz', 1637202600000001n],
    [dec(38, 10), '-1234567890123456789012345678.0123456789'],
    ['binary', Uint8Array.from([0xc3, 0xa9, 0x41])],
    ['boolean', true],
  ])('round-trips a %j value %s through the log form', (type, value) => {
    expect(parse(formatPartitionValue(value, type, 'p'), type)).toEqual(value);
  });

  it('refuses a value of the wrong representation, naming the column', () => {
    expectProtocolError(() => formatPartitionValue('5', 'long', 'n'), /column "n" of type long/);
    expectProtocolError(() => formatPartitionValue(2 ** 40, 'integer', 'n'), /column "n" of type integer/);
  });

  it('refuses binary partition values that are not UTF-8 with a schema error saying so', () => {
    expect(() => formatPartitionValue(Uint8Array.from([0xff]), 'binary', 'b')).toThrow(/binary partition column "b" holds bytes that are not valid UTF-8/);
  });

  it('keeps the sign of a negative zero double, as Spark does', () => {
    expect(formatPartitionValue(-0, 'double', 'd')).toBe('-0.0');
    expect(formatPartitionValue(0, 'double', 'd')).toBe('0.0');
  });
});

describe('civilDays', () => {
  it('counts days of the proleptic Gregorian calendar and rejects impossible dates', () => {
    expect(civilDays(1970, 1, 1)).toBe(0);
    expect(civilDays(1600, 2, 29)).toBe(-135081);
    expect(civilDays(1900, 2, 29)).toBeNull();
    expect(civilDays(2024, 4, 31)).toBeNull();
  });
});

function logActions(table: string): Array<Record<string, unknown>> {
  const log = path.join(golden, table, 'delta/_delta_log');
  return fs
    .readdirSync(log)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .flatMap((n) => fs.readFileSync(path.join(log, n), 'utf8').split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!fs.existsSync(golden))('partition values of golden tables (needs ../shared/fixtures/delta-golden; skipped when it is absent)', () => {
  it.each([
    'data-reader-partition-values',
    'kernel-timestamp-pst',
    'kernel-timestamp-timestamp_micros',
    'data-reader-timestamp_ntz',
    'data-reader-timestamp_ntz-name-mode',
    'basic-decimal-table',
    'data-reader-escaped-chars',
    'dv-partitioned-with-checkpoint',
  ])('parses every partition value of %s with its column type', (table) => {
    const actions = logActions(table);
    const metaData = actions.find((a) => a['metaData'])!['metaData'] as { schemaString: string; configuration: Record<string, string> };
    const schema = parseSchema(metaData.schemaString);
    const mode = columnMappingMode(metaData.configuration);
    const types = new Map(schema.fields.map((f) => [physicalName(f, mode), f.type]));
    let parsed = 0;
    for (const a of actions) {
      const add = a['add'] as { partitionValues: Record<string, string | null> } | undefined;
      for (const [column, raw] of Object.entries(add?.partitionValues ?? {})) {
        const type = types.get(column);
        expect(type, `${table}: partition column ${column} is in the schema`).toBeDefined();
        parsePartitionValue(raw, type!, column);
        parsed++;
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });

  it('gives data-reader-partition-values its typed values', () => {
    const add = logActions('data-reader-partition-values')
      .map((a) => a['add'] as { partitionValues: Record<string, string | null> } | undefined)
      .find((a) => a?.partitionValues['as_int'] === '1')!;
    const v = add.partitionValues;
    expect(parsePartitionValue(v['as_long'], 'long', 'as_long')).toBe(1n);
    expect(parsePartitionValue(v['as_float'], 'float', 'as_float')).toBe(1);
    expect(parsePartitionValue(v['as_boolean'], 'boolean', 'as_boolean')).toBe(false);
    expect(parsePartitionValue(v['as_date'], 'date', 'as_date')).toBe(18878);
    expect(parsePartitionValue(v['as_timestamp'], 'timestamp', 'as_timestamp')).toBe(1631099471000000n);
    expect(parsePartitionValue(v['as_string_lit_null'], 'string', 'as_string_lit_null')).toBe('null');
  });

  it('reads the legacy timestamps of kernel-timestamp-pst as the instants in its expected output', () => {
    const expectedDir = path.join(golden, 'kernel-timestamp-pst/expected');
    const expected = new Set<number | null>();
    for (const f of fs.readdirSync(expectedDir).filter((n) => n.endsWith('.parquet'))) {
      const t = tableFromIPC(readParquet(new Uint8Array(fs.readFileSync(path.join(expectedDir, f)))).intoIPCStream());
      const column = t.getChild('part')!;
      for (let i = 0; i < t.numRows; i++) expected.add(column.get(i) as number | null);
    }
    const fromLog = new Set<number | null>();
    for (const a of logActions('kernel-timestamp-pst')) {
      const add = a['add'] as { partitionValues: Record<string, string | null> } | undefined;
      if (!add) continue;
      const micros = parsePartitionValue(add.partitionValues['part'], 'timestamp', 'part') as bigint | null;
      fromLog.add(micros === null ? null : Number(micros / 1000n));
    }
    expect([...fromLog].sort()).toEqual([...expected].sort());
  });
});

describe('parsePartitionValue with a session time zone', () => {
  it('reads zone-less legacy timestamps in the given zone, across daylight saving', () => {
    const la = { timeZone: 'America/Los_Angeles' };
    // PDT (UTC-7) in September, PST (UTC-8) in January.
    expect(parsePartitionValue('2021-09-08 11:11:11', 'timestamp', 'ts', la)).toBe(BigInt(Date.parse('2021-09-08T18:11:11Z')) * 1000n);
    expect(parsePartitionValue('2021-01-08 11:11:11.5', 'timestamp', 'ts', la)).toBe(BigInt(Date.parse('2021-01-08T19:11:11.5Z')) * 1000n);
  });

  it('leaves explicit offsets and timestamp_ntz untouched by the zone', () => {
    const la = { timeZone: 'America/Los_Angeles' };
    expect(parsePartitionValue('2021-09-08T11:11:11Z', 'timestamp', 'ts', la)).toBe(BigInt(Date.parse('2021-09-08T11:11:11Z')) * 1000n);
    expect(parsePartitionValue('2021-09-08 11:11:11', 'timestamp_ntz', 'ts', la)).toBe(BigInt(Date.parse('2021-09-08T11:11:11Z')) * 1000n);
  });
});
