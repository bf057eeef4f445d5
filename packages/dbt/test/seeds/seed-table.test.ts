import { describe, expect, it } from 'vitest';
import { inferColumnType, parseColumnType, parseCsv, readSeed, SeedParseError, SeedTypeError } from '../../src/seeds/index.js';

describe('parseCsv', () => {
  it('reads quoted fields with doubled quotes, delimiters and line breaks inside', () => {
    const doc = parseCsv('id,note\n1,"a, ""b""\nc"\n2,plain\n');
    expect(doc.header).toEqual(['id', 'note']);
    expect(doc.records.map((r) => r.fields)).toEqual([['1', 'a, "b"\nc'], ['2', 'plain']]);
    expect(doc.records.map((r) => r.line)).toEqual([2, 4]);
  });

  it('strips a byte-order mark, takes CRLF line ends and skips blank lines', () => {
    const doc = parseCsv('\uFEFFa,b\r\n1,2\r\n\r\n3,4');
    expect(doc.header).toEqual(['a', 'b']);
    expect(doc.records.map((r) => r.fields)).toEqual([['1', '2'], ['3', '4']]);
  });

  it('pads short rows and keeps a quoted empty field as a value', () => {
    expect(parseCsv('a,b\n1\n""\n').records.map((r) => r.fields)).toEqual([['1', ''], ['', '']]);
  });

  it('uses another delimiter when configured', () => {
    expect(parseCsv('a|b\n1|x,y', { delimiter: '|' }).records[0]!.fields).toEqual(['1', 'x,y']);
  });

  it.each([
    ['a,b\n1,2,3', /line 2: the row has 3 fields/],
    ['a,b\n"1,2', /line 2: a quoted field is never closed/],
    ['a,a\n1,2', /column name "a" appears twice/],
    ['', /the file is empty/],
  ])('refuses %j naming the file and line', (text, message) => {
    expect(() => parseCsv(text, { file: 'seeds/x.csv' })).toThrow(SeedParseError);
    expect(() => parseCsv(text, { file: 'seeds/x.csv' })).toThrow(message);
  });
});

describe('inferColumnType', () => {
  it.each([
    [['1', '-2', '+3', ''], 'integer'],
    [['2147483647'], 'integer'],
    [['2147483648'], 'bigint'],
    [['99999999999999999999'], 'double'],
    [['1', '2.5'], 'double'],
    [['1e3'], 'double'],
    [['2020-01-31', 'null'], 'date'],
    [['2020-02-30'], 'varchar'],
    [['2020-01-31 10:11:12'], 'timestamp'],
    [['2020-01-31T10:11:12.123456', '2020-01-31T10:11:12Z'], 'timestamp'],
    [['2020-01-31 10:11:12.5'], 'varchar'],
    [['2020-01-31', '2020-01-31 10:11:12'], 'varchar'],
    [['true', 'FALSE', 'True'], 'boolean'],
    [['t', 'f'], 'varchar'],
    [['yes'], 'varchar'],
    [['', 'NULL'], 'integer'],
    [['abc', '1'], 'varchar'],
  ])('types %j as %s', (cells, kind) => {
    expect(inferColumnType(cells).kind).toBe(kind);
  });
});

describe('parseColumnType', () => {
  it.each([
    ['integer', { kind: 'integer' }],
    ['BIGINT', { kind: 'bigint' }],
    ['varchar(20)', { kind: 'varchar' }],
    ['decimal(10, 2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['numeric', { kind: 'decimal', precision: 18, scale: 3 }],
    ['timestamp with time zone', { kind: 'timestamptz' }],
    ['float8', { kind: 'double' }],
  ])('reads %s', (name, type) => {
    expect(parseColumnType(name)).toEqual(type);
  });

  it.each(['blob', 'integer(3)', 'decimal(40,2)', 'struct(a int)'])('refuses %s', (name) => {
    expect(parseColumnType(name)).toBeUndefined();
  });
});

describe('readSeed', () => {
  const csv = [
    'id,amount,ordered_at,placed_on,is_paid,status,big',
    '1,10.5,2020-01-01 10:00:00,2020-01-01,true,placed,3000000000',
    '2,,2020-01-02 11:30:00,2020-01-02,false,null,1',
    '3,7,,2020-01-03,TRUE,shipped,2',
  ].join('\n');

  it('types columns like agate and builds an Arrow table with exact values', () => {
    const seed = readSeed(csv, { file: 'seeds/orders.csv' });
    expect(seed.rowCount).toBe(3);
    expect(seed.columns.map((c) => [c.name, c.sqlType])).toEqual([
      ['id', 'INTEGER'],
      ['amount', 'DOUBLE'],
      ['ordered_at', 'TIMESTAMP'],
      ['placed_on', 'DATE'],
      ['is_paid', 'BOOLEAN'],
      ['status', 'VARCHAR'],
      ['big', 'BIGINT'],
    ]);
    const t = seed.table;
    expect(t.numRows).toBe(3);
    expect(String(t.schema.fields.map((f) => f.type))).toBe('Int32,Float64,Timestamp<MICROSECOND>,Date32<DAY>,Bool,Utf8,Int64');
    expect(t.getChild('id')!.toArray()).toEqual(new Int32Array([1, 2, 3]));
    expect(t.getChild('amount')!.get(1)).toBeNull();
    expect(t.getChild('amount')!.get(2)).toBe(7);
    // 2020-01-01 10:00:00 UTC in microseconds.
    expect(t.getChild('ordered_at')!.data[0]!.values[0]).toBe(1577872800000000n);
    expect(t.getChild('ordered_at')!.get(2)).toBeNull();
    expect(t.getChild('placed_on')!.data[0]!.values[0]).toBe(18262);
    expect([...t.getChild('is_paid')!]).toEqual([true, false, true]);
    expect([...t.getChild('status')!]).toEqual(['placed', null, 'shipped']);
    expect(t.getChild('big')!.get(0)).toBe(3000000000n);
  });

  it('applies column_types, including decimals and text kept verbatim', () => {
    const seed = readSeed('id,price,code\n1,10.456,007\n2,-3,\n', { columnTypes: { id: 'bigint', price: 'decimal(10,2)', CODE: 'varchar' } });
    expect(seed.columns.map((c) => [c.name, c.sqlType, c.overridden])).toEqual([
      ['id', 'BIGINT', true],
      ['price', 'DECIMAL(10,2)', true],
      ['code', 'VARCHAR', true],
    ]);
    expect(seed.table.getChild('id')!.get(1)).toBe(2n);
    const price = seed.table.getChild('price')!.data[0]!.values as Uint32Array;
    expect(price[0]).toBe(1046);
    expect(BigInt.asIntN(32, BigInt(price[4]!))).toBe(-300n);
    expect([...seed.table.getChild('code')!]).toEqual(['007', null]);
  });

  it('names the file, line, column and value when a value does not fit column_types', () => {
    const read = () => readSeed('id,d\n1,2020-01-01\n2,soon\n', { file: 'seeds/x.csv', columnTypes: { d: 'date' } });
    expect(read).toThrow(SeedTypeError);
    expect(read).toThrow('seed seeds/x.csv: line 3, column "d": "soon" is not a valid DATE');
  });

  it('refuses column_types naming an unknown column or type', () => {
    expect(() => readSeed('a\n1', { file: 's.csv', columnTypes: { b: 'int' } })).toThrow(/names "b", which is not a column/);
    expect(() => readSeed('a\n1', { file: 's.csv', columnTypes: { a: 'blob' } })).toThrow(/"blob", which a seed cannot hold/);
  });

  it('reads a header-only seed as an empty table of integer columns', () => {
    const seed = readSeed('a,b\n');
    expect(seed.rowCount).toBe(0);
    expect(seed.table.numRows).toBe(0);
    expect(seed.columns.map((c) => c.sqlType)).toEqual(['INTEGER', 'INTEGER']);
  });
});
