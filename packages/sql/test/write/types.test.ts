// DuckDB type names → Delta types and back, and table names → locations under the root (no engine needed).
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { parseDuckType } from '../../src/write/duck-type.js';
import { planCreate, planInsert } from '../../src/write/select-plan.js';
import { tableLocation } from '../../src/write/table-name.js';
import { deltaTypeOf, duckTypeOf, needsCast } from '../../src/write/type-mapping.js';

function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (!isDuckrunError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected an error');
}

const delta = (text: string): unknown => deltaTypeOf(parseDuckType(text, 'c'), 'c');

describe('DuckDB → Delta types', () => {
  it.each([
    ['BOOLEAN', 'boolean'],
    ['TINYINT', 'byte'],
    ['SMALLINT', 'short'],
    ['INTEGER', 'integer'],
    ['BIGINT', 'long'],
    ['FLOAT', 'float'],
    ['DOUBLE', 'double'],
    ['VARCHAR', 'string'],
    ['BLOB', 'binary'],
    ['DATE', 'date'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamp'],
    ['TIMESTAMP', 'timestamp_ntz'],
    ['TIMESTAMP_MS', 'timestamp_ntz'],
    ['UUID', 'string'],
    ["ENUM('a', 'b')", 'string'],
    ['DECIMAL(18,3)', { type: 'decimal', precision: 18, scale: 3 }],
  ])('maps %s to %j', (duck, expected) => {
    expect(delta(duck)).toEqual(expected);
  });

  it('maps nested types, quoted field names included', () => {
    expect(delta('STRUCT(x INTEGER, "y c" VARCHAR[], m MAP(VARCHAR, DECIMAL(10,2)))[]')).toEqual({
      type: 'array',
      containsNull: true,
      elementType: {
        type: 'struct',
        fields: [
          { name: 'x', type: 'integer', nullable: true, metadata: {} },
          { name: 'y c', type: { type: 'array', elementType: 'string', containsNull: true }, nullable: true, metadata: {} },
          {
            name: 'm',
            type: { type: 'map', keyType: 'string', valueType: { type: 'decimal', precision: 10, scale: 2 }, valueContainsNull: true },
            nullable: true,
            metadata: {},
          },
        ],
      },
    });
    expect(delta('INTEGER[2][]')).toEqual({ type: 'array', containsNull: true, elementType: { type: 'array', containsNull: true, elementType: 'integer' } });
  });

  it('casts only the types whose DuckDB Arrow form differs from the Delta one', () => {
    expect(needsCast(parseDuckType('STRUCT(a INTEGER, b VARCHAR[])', 'c'))).toBe(false);
    expect(needsCast(parseDuckType('TIMESTAMP WITH TIME ZONE', 'c'))).toBe(false);
    expect(delta('HUGEINT')).toBe('long');
    for (const t of ['HUGEINT', 'INTEGER[3]', 'STRUCT(a UUID)', "MAP(ENUM('x'), INTEGER)", 'TIMESTAMP_NS[]']) expect(needsCast(parseDuckType(t, 'c')), t).toBe(true);
  });

  it.each([
    ['UHUGEINT', 'column "c" has DuckDB type UHUGEINT, which a Delta table cannot hold; cast it, e.g. CAST("c" AS DECIMAL(38,0))'],
    ['UINTEGER', 'CAST("c" AS BIGINT)'],
    ['UBIGINT', 'CAST("c" AS DECIMAL(20,0))'],
    ['INTERVAL', 'cast it to VARCHAR (or a number, e.g. epoch(x) for seconds)'],
    ['TIME', 'CAST("c" AS VARCHAR)'],
    ['UNION(a INTEGER, b VARCHAR)', 'has DuckDB type UNION(a INTEGER, b VARCHAR), which a Delta table cannot hold; cast it to one of its member types'],
    ['STRUCT(a USMALLINT)', 'column "c" has DuckDB type USMALLINT at c.a, which a Delta table cannot hold; cast the column to a type with INTEGER there'],
  ])('refuses %s naming the column and a cast', (duck, message) => {
    const e = thrown(() => delta(duck));
    expect(e.code).toBe('SQL_COLUMN_TYPE');
    expect(e.message).toContain(message);
  });

  it('renders Delta types as the DuckDB types to cast to', () => {
    expect(duckTypeOf('timestamp', 'c')).toBe('TIMESTAMPTZ');
    expect(duckTypeOf('timestamp_ntz', 'c')).toBe('TIMESTAMP');
    expect(
      duckTypeOf(
        { type: 'struct', fields: [{ name: 'a b', type: { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }, nullable: true, metadata: {} }] },
        'c',
      ),
    ).toBe('STRUCT("a b" MAP(VARCHAR, BIGINT))');
    expect(thrown(() => duckTypeOf('variant', 'v')).message).toContain('column "v" has Delta type variant');
  });
});

describe('write plans', () => {
  it('CREATE: renames query columns by position and casts only where needed', () => {
    const plan = planCreate('SELECT 1', [
      { name: 'id', type: 'INTEGER' },
      { name: 'id_1', type: "ENUM('a')" },
    ]);
    expect(plan.sql).toBe(
      'SELECT __duckrun_source."id" AS "id", CAST(__duckrun_source."id_1" AS VARCHAR) AS "id_1" FROM (\nSELECT 1\n) AS __duckrun_source("id", "id_1")',
    );
    expect(plan.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'integer'],
      ['id_1', 'string'],
    ]);
  });

  const schema = {
    type: 'struct' as const,
    fields: [
      { name: 'id', type: 'long' as const, nullable: false, metadata: {} },
      { name: 'Name', type: 'string' as const, nullable: true, metadata: {} },
      { name: 'amount', type: { type: 'decimal' as const, precision: 10, scale: 2 }, nullable: true, metadata: {} },
    ],
  };
  const cols = (...names: string[]) => names.map((name) => ({ name, type: 'INTEGER' }));

  it('INSERT: maps a column list onto table order, fills the rest with typed NULLs, casts every column', () => {
    const plan = planInsert('VALUES (1, 2)', cols('col0', 'col1'), { kind: 'insert', table: { parts: ['t'] }, columns: ['amount', 'ID'], byName: false, query: '' }, schema, 't');
    expect(plan.sql).toBe(
      'SELECT CAST(__duckrun_source."id" AS BIGINT) AS "id", CAST(NULL AS VARCHAR) AS "Name", CAST(__duckrun_source."amount" AS DECIMAL(10,2)) AS "amount" FROM (\nVALUES (1, 2)\n) AS __duckrun_source("amount", "id")',
    );
  });

  it('INSERT: maps BY NAME case-insensitively and by position otherwise', () => {
    const byName = planInsert('q', cols('name', 'id'), { kind: 'insert', table: { parts: ['t'] }, byName: true, query: '' }, schema, 't');
    expect(byName.sql).toContain('CAST(__duckrun_source."id" AS BIGINT) AS "id", CAST(__duckrun_source."Name" AS VARCHAR) AS "Name", CAST(NULL AS DECIMAL(10,2))');
    expect(byName.sql).toContain('AS __duckrun_source("Name", "id")');
    const positional = planInsert('q', cols('a', 'b', 'c'), { kind: 'insert', table: { parts: ['t'] }, byName: false, query: '' }, schema, 't');
    expect(positional.sql).toContain('AS __duckrun_source("id", "Name", "amount")');
  });

  it.each([
    [cols('a'), { columns: ['nope'] }, 'INSERT INTO t: listed column "nope" is not a column of t; its columns are id, Name, amount'],
    [cols('a', 'b'), { columns: ['id', 'ID'] }, 'INSERT INTO t: column "id" is given twice'],
    [cols('a', 'b'), { columns: ['id'] }, 'INSERT INTO t lists 1 column but the query returns 2; make them match'],
    [cols('a'), { columns: ['Name'] }, 'INSERT INTO t: column "id" is NOT NULL but gets no value; add it to the inserted columns'],
    [cols('a', 'b'), {}, 'table t has 3 columns (id, Name, amount) but the query returns 2; list the columns you insert: INSERT INTO t (id, Name) …'],
    [cols('id', 'extra'), { byName: true }, 'INSERT INTO t: query column "extra" is not a column of t; its columns are id, Name, amount'],
  ])('INSERT: refuses mismatched columns (%#)', (columns, extra, message) => {
    const e = thrown(() => planInsert('q', columns, { kind: 'insert', table: { parts: ['t'] }, byName: false, query: '', ...extra }, schema, 't'));
    expect(e).toEqual({ code: 'SQL_COLUMN_MISMATCH', message });
  });
});

describe('tableLocation', () => {
  it('puts plain, quoted and dotted names under the root', () => {
    expect(tableLocation({ parts: ['sales'] }, 'file:///lake')).toBe('file:///lake/sales');
    expect(tableLocation({ parts: ['my table'] }, 'file:///lake/')).toBe('file:///lake/my%20table');
    expect(tableLocation({ parts: ['sales', 'orders'] }, 'memory://bucket/lake')).toBe('memory://bucket/lake/sales/orders');
  });

  it.each([[['..', 'x']], [['../x']], [['a/b']], [['a\\b']], [['.']], [['']], [['c:', 'x']]])('refuses %j, which would leave the root', (parts) => {
    const e = thrown(() => tableLocation({ parts }, 'file:///lake'));
    expect(e.code).toBe('SQL_TABLE_NAME');
    expect(e.message).toMatch(/must name a folder under the root|outside the root/);
  });
});
