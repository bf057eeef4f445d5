// Type fidelity on every engine: every Delta type through registerArrow → query → Arrow, and DuckDB's own types
// out of a query, must come back identical (same Arrow types, same values) from DuckDB-WASM and native DuckDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import type { Engine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/open-engine.js';
import type { EngineKind } from '../../src/engine/open-engine.js';
import { ENGINES } from '../engines.js';

/** Every Delta type (incl. nested ones), with nulls at every level; made by DuckDB so the Arrow types are DuckDB's. */
const DELTA_TYPES_SQL = `
  SELECT
    i::TINYINT AS byte_col, (i * 300)::SMALLINT AS short_col, (i * 70000)::INTEGER AS int_col,
    (i * 9007199254740993)::BIGINT AS long_col, (i / 3)::FLOAT AS float_col, (i / 7)::DOUBLE AS double_col,
    (i * 1.25)::DECIMAL(5, 2) AS dec_small, (i * -123456.7891)::DECIMAL(18, 4) AS dec_mid,
    (i * 12345678901234567890.1234567891)::DECIMAL(38, 10) AS dec_big,
    'row ' || i || repeat('x', i * 5) AS string_col, ('bytes' || i)::BLOB AS binary_col, i % 2 = 0 AS bool_col,
    DATE '2024-02-28' + i::INTEGER AS date_col, to_timestamp(1709296496.789012 + i * 86400) AS ts_col,
    TIMESTAMP '2024-03-01 01:02:03.000004' + to_hours(i) AS ts_ntz_col,
    [i, NULL, i + 1] AS int_list, [{'k': 'a' || i, 'v': i}, NULL] AS struct_list,
    {'name': 'n' || i, 'tags': ['t', NULL], 'inner': {'d': DATE '2024-01-01' + i::INTEGER}} AS nested_struct,
    MAP(['a', 'long key number ' || i], [i, NULL]) AS map_col
  FROM range(5) r(i)
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  UNION ALL
  SELECT -128, -32768, -2147483648, -9223372036854775808, 'NaN', '-Infinity', -999.99, -99999999999999.9999,
    -9999999999999999999999999999.9999999999, '', ''::BLOB, false, DATE '0001-01-01', TIMESTAMPTZ '1970-01-01 00:00:00+00',
    TIMESTAMP '9999-12-31 23:59:59.999999', [], [], {'name': NULL, 'tags': NULL, 'inner': NULL}, MAP([], [])
`;

/** DuckDB types beyond Delta's that a query may still return. */
const QUERY_TYPES_SQL = `
  SELECT 5::UTINYINT u8, 6::UBIGINT u64, -7::HUGEINT h, 8::UHUGEINT uh, TIME '01:02:03' tm,
    TIMESTAMP_S '2024-01-01 00:00:00' tss, TIMESTAMP_MS '2024-01-01 00:00:00.123' tsms, TIMESTAMP_NS '2024-01-01 00:00:00.123456789' tsns,
    INTERVAL 1 MONTH + INTERVAL 2 DAY + INTERVAL 3 SECOND iv, '06259df0-55f4-425e-b190-dde7bf15cc14'::UUID u,
    [1, 2]::INT[2] arr, 'b'::ENUM('a', 'b') en, TIME WITH TIME ZONE '01:02:03+01' ttz, NULL::INT n, [[1], NULL, [2, 3]] ll
  FROM range(3)
  UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
`;

/** Rows as JSON-comparable values (bigints and typed arrays spelled out). */
function plain(table: Table): unknown {
  return JSON.parse(
    JSON.stringify(table.toArray().map((r) => r.toJSON()), (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (ArrayBuffer.isView(v)) return [...(v as unknown as ArrayLike<number>)];
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (v !== null && typeof v === 'object' && 'toJSON' in v && typeof v.toJSON === 'function') return v.toJSON();
      return v;
    }),
  );
}

function types(table: Table): string[] {
  return table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`);
}

const engines = new Map<EngineKind, Engine>();

beforeAll(async () => {
  for (const kind of ENGINES) engines.set(kind, await openEngine(kind));
});
afterAll(async () => {
  for (const engine of engines.values()) await engine.close();
});

describe.each(ENGINES)('%s engine types', (kind) => {
  it('round-trips every Delta type through registerArrow → query → Arrow unchanged', async () => {
    const engine = engines.get(kind)!;
    // The source Arrow data comes from DuckDB-WASM on every run, so both engines get identical input.
    const source = await engines.get('wasm')!.query(DELTA_TYPES_SQL);
    await engine.registerArrow('delta_types', source);
    try {
      const back = await engine.query('SELECT * FROM delta_types');
      expect(types(back)).toEqual(types(source));
      expect(plain(back)).toEqual(plain(source));
    } finally {
      await engine.dropTable('delta_types');
    }
  });

  it('streams the same rows it materialises', async () => {
    const engine = engines.get(kind)!;
    const table = await engine.query(DELTA_TYPES_SQL);
    const stream = await engine.stream(DELTA_TYPES_SQL);
    const rows: unknown[] = [];
    for await (const batch of stream) rows.push(...(plain(new (table.constructor as typeof Table)(batch)) as unknown[]));
    expect(rows).toEqual(plain(table));
  });
});

describe.runIf(ENGINES.length > 1)('engines agree', () => {
  it.each([
    ['Delta types', DELTA_TYPES_SQL],
    ['other DuckDB types', QUERY_TYPES_SQL],
  ])('%s: identical Arrow types and values from a query', async (_name, sql) => {
    const [wasm, native] = [await engines.get('wasm')!.query(sql), await engines.get('native')!.query(sql)];
    expect(types(native)).toEqual(types(wasm));
    expect(plain(native)).toEqual(plain(wasm));
  });
});
