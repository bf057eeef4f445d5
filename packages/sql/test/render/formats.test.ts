// Rendering of DuckDB results as text tables, CSV and JSON (src/render/*), on values DuckDB itself produced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { openWasmEngine, type WasmEngine } from '../../src/engine/wasm.js';
import { renderCsv } from '../../src/render/csv.js';
import { renderJson } from '../../src/render/json.js';
import { renderTextTable } from '../../src/render/table-text.js';
import { cellText } from '../../src/render/text.js';
import { readCell } from '../../src/render/cells.js';

let engine: WasmEngine;
beforeAll(async () => {
  engine = await openWasmEngine();
});
afterAll(async () => {
  await engine?.close();
});

const q = (sql: string): Promise<Table> => engine.query(sql);
const one = async (expr: string): Promise<string> => cellText(readCell((await q(`SELECT ${expr} AS v`)).getChild('v')!, 0));

describe('cell text', () => {
  it.each([
    ['NULL::INTEGER', 'NULL'],
    ['true', 'true'],
    ['-170141183460469231731687303715884105727::HUGEINT', '-170141183460469231731687303715884105727'],
    ['18446744073709551615::UBIGINT', '18446744073709551615'],
    ['12345678901234567890.123::DECIMAL(38,3)', '12345678901234567890.123'],
    ['-0.05::DECIMAL(4,2)', '-0.05'],
    ['0.1::FLOAT', '0.1'],
    ["'nan'::DOUBLE", 'nan'],
    ["DATE '2024-02-29'", '2024-02-29'],
    ["DATE '1969-12-31'", '1969-12-31'],
    ["TIMESTAMP '2024-01-02 03:04:05.123456'", '2024-01-02 03:04:05.123456'],
    ["TIMESTAMP '1960-01-01 00:00:00.5'", '1960-01-01 00:00:00.5'],
    ["TIMESTAMPTZ '2024-01-01 10:00:00+00'", '2024-01-01 10:00:00+00'],
    ["TIMESTAMP_NS '2024-01-01 00:00:00.123456789'", '2024-01-01 00:00:00.123456'],
    ["TIME '01:02:03.5'", '01:02:03.5'],
    ["INTERVAL '14 months 3 days 04:05:06'", '1 year 2 months 3 days 04:05:06'],
    ["'a\\x00b'::BLOB", 'a\\x00b'],
    ["[1, NULL, 3]", '[1, NULL, 3]'],
    ["{'a': 1, 'b': 'x'}", "{'a': 1, 'b': x}"],
    ["MAP {'k': [1, 2]}", '{k=[1, 2]}'],
    ["'b'::ENUM('a', 'b')", 'b'],
    ["[{'x': DATE '2024-01-01'}]", "[{'x': 2024-01-01}]"],
  ])('%s prints as %s', async (expr, text) => {
    expect(await one(expr)).toBe(text);
  });
});

describe('renderTextTable', () => {
  it('aligns columns, right-aligns numbers, shows NULL and counts rows', async () => {
    const out = renderTextTable(await q("SELECT * FROM (VALUES (1, 'x'), (100, NULL)) t(n, label)"));
    expect(out).toBe(
      [
        '┌─────┬───────┐',
        '│ n   │ label │',
        '├─────┼───────┤',
        '│   1 │ x     │',
        '│ 100 │ NULL  │',
        '└─────┴───────┘',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('keeps the grid intact for line breaks and wide characters', async () => {
    const out = renderTextTable(await q("SELECT 'a' || chr(10) || 'b' AS s UNION ALL SELECT '日本'"));
    const lines = out.split('\n').filter((l) => l.startsWith('│'));
    expect(lines).toEqual(['│ s    │', '│ a\\nb │', '│ 日本 │']);
  });

  it('prints a header and (0 rows) for an empty result', async () => {
    expect(renderTextTable(await q('SELECT 1 AS a WHERE false'))).toContain('│ a │\n├───┤\n└───┘\n(0 rows)\n');
  });
});

describe('renderCsv', () => {
  it('writes a header and RFC 4180 quoting, with NULL as an empty field and "" as the empty string', async () => {
    const out = renderCsv(
      await q(`SELECT * FROM (VALUES (1, 'plain', 'a,b'), (2, NULL, 'say "hi"'), (3, '', 'two' || chr(10) || 'lines')) t("id", "note", "odd, name")`),
    );
    expect(out).toBe('id,note,"odd, name"\n1,plain,"a,b"\n2,,"say ""hi"""\n3,"","two\nlines"\n');
  });
});

describe('renderJson', () => {
  it('writes one array of objects with exact numbers, ISO dates and nested values', async () => {
    const out = renderJson(
      await q(`SELECT 1 AS i, 9007199254740993::BIGINT AS big, 1.50::DECIMAL(5,2) AS dec, 'x"y' AS s, NULL AS n,
        DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05.5' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz,
        [1, 2] AS l, {'k': 'v'} AS st, MAP {1: 'one'} AS m, 'inf'::DOUBLE AS f`),
    );
    expect(JSON.parse(out)).toEqual([
      {
        i: 1,
        big: '9007199254740993',
        dec: 1.5,
        s: 'x"y',
        n: null,
        d: '2024-01-02',
        ts: '2024-01-02T03:04:05.5',
        tz: '2024-01-02T03:04:05Z',
        l: [1, 2],
        st: { k: 'v' },
        m: [{ key: 1, value: 'one' }],
        f: 'inf',
      },
    ]);
    expect(out).toContain('"dec":1.50');
  });

  it('writes [] for an empty result', async () => {
    expect(renderJson(await q('SELECT 1 AS a WHERE false'))).toBe('[]\n');
  });
});
