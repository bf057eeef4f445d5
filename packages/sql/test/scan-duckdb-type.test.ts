// DuckDB type names as DESCRIBE prints them, parsed for the native read_parquet scan; and the SQL that conforms
// file columns to table types (or refuses to, so the Arrow path reads the table).
import { describe, expect, it } from 'vitest';
import { conformExpression, NativeScanUnsupported } from '../src/scan/conform-sql.js';
import { DuckTypeSyntaxError, duckTypeOfDelta, parseDuckType, renderDuckType } from '../src/scan/duckdb-type.js';

describe('parseDuckType', () => {
  it.each([
    ['INTEGER', 'INTEGER'],
    ['TIMESTAMP WITH TIME ZONE', 'TIMESTAMP WITH TIME ZONE'],
    ['DECIMAL(10, 2)', 'DECIMAL(10,2)'],
    ['VARCHAR[][]', 'VARCHAR[][]'],
    ['MAP(VARCHAR, DECIMAL(9,2)[])', 'MAP(VARCHAR, DECIMAL(9,2)[])'],
    ['STRUCT(x INTEGER, "a ""b"", c" STRUCT(y TIMESTAMP WITH TIME ZONE)[])', 'STRUCT("x" INTEGER, "a ""b"", c" STRUCT("y" TIMESTAMP WITH TIME ZONE)[])'],
  ])('%s', (text, rendered) => {
    expect(renderDuckType(parseDuckType(text))).toBe(rendered);
  });

  it.each(['INTEGER[3]', 'UNION(a INTEGER, b VARCHAR)', 'ENUM(\'a\', \'b\')', 'STRUCT(x INTEGER'])('refuses %s', (text) => {
    expect(() => parseDuckType(text)).toThrow(DuckTypeSyntaxError);
  });
});

describe('conformExpression', () => {
  const t = parseDuckType;
  it('leaves columns that already have the table type alone', () => {
    expect(conformExpression('c', t('STRUCT(a INTEGER, b VARCHAR[])'), { type: 'struct', fields: [
      { name: 'a', type: 'integer', nullable: true, metadata: {} },
      { name: 'b', type: { type: 'array', elementType: 'string', containsNull: true }, nullable: true, metadata: {} },
    ] }, 'none', 'c')).toBe('c');
  });

  it('widens, renames physical fields and fills missing ones with NULL', () => {
    const sql = conformExpression('c', t('STRUCT("col-1" INTEGER)'), { type: 'struct', fields: [
      { name: 'a', type: 'long', nullable: true, metadata: { 'delta.columnMapping.physicalName': 'col-1' } },
      { name: 'b', type: 'string', nullable: true, metadata: { 'delta.columnMapping.physicalName': 'col-2' } },
    ] }, 'name', 'c');
    expect(sql).toBe(`CASE WHEN c IS NULL THEN NULL ELSE struct_pack("a" := CAST(struct_extract(c, 'col-1') AS BIGINT), "b" := CAST(NULL AS VARCHAR)) END`);
  });

  it.each([
    ['BLOB', 'string'],
    ['VARCHAR', 'binary'],
    ['UBIGINT', 'long'],
    ['VARCHAR', 'integer'],
    ['DATE', 'timestamp'],
  ] as const)('refuses %s as %s (the Arrow path converts differently)', (source, target) => {
    expect(() => conformExpression('c', t(source), target, 'none', 'c')).toThrow(NativeScanUnsupported);
  });

  it('has no DuckDB type for variant and void columns', () => {
    expect(duckTypeOfDelta('variant')).toBeUndefined();
    expect(duckTypeOfDelta({ type: 'struct', fields: [{ name: 'v', type: 'void', nullable: true, metadata: {} }] })).toBeUndefined();
  });
});
