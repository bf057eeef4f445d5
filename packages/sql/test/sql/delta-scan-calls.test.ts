import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { findDeltaScanCalls, replaceRanges } from '../../src/sql/delta-scan-calls.js';

const one = (sql: string) => {
  const calls = findDeltaScanCalls(sql);
  expect(calls).toHaveLength(1);
  return calls[0]!;
};

describe('findDeltaScanCalls', () => {
  it('finds calls in FROM clauses, joins, subqueries and CTEs, in source order', () => {
    const sql = `WITH a AS (SELECT * FROM delta_scan('t1')) SELECT * FROM a JOIN DELTA_SCAN('t2') b ON a.k = b.k
      WHERE a.k IN (SELECT k FROM delta_scan('t3', version => 2))`;
    expect(findDeltaScanCalls(sql).map((c) => [c.uri, c.version])).toEqual([['t1', undefined], ['t2', undefined], ['t3', 2]]);
  });

  it('ignores delta_scan inside strings, quoted identifiers, comments, and as a plain column name', () => {
    const sql = `SELECT 'delta_scan(''x'')', "delta_scan"('y') , delta_scan -- delta_scan('z')
      FROM t /* delta_scan('w') */`;
    expect(findDeltaScanCalls(sql)).toEqual([]);
  });

  it('reads version and timestamp named arguments in both => and := forms', () => {
    expect(one("select * from delta_scan('s3://b/t', version := 7)")).toMatchObject({ uri: 's3://b/t', version: 7 });
    expect(one("select * from delta_scan('t', timestamp => '2024-05-01T00:00:00Z')")).toMatchObject({ timestamp: '2024-05-01T00:00:00Z' });
    expect(one("select * from delta_scan('t', TIMESTAMP => TIMESTAMP '2024-05-01 00:00:00')")).toMatchObject({ timestamp: '2024-05-01 00:00:00' });
    expect(one("select * from delta_scan('it''s')").uri).toBe("it's");
  });

  it.each([
    ["delta_scan(t)", 'string literal table URI'],
    ["delta_scan('t', 3)", 'named arguments'],
    ["delta_scan('t', version => 'x')", 'non-negative integer'],
    ["delta_scan('t', version => -1)", 'non-negative integer'],
    ["delta_scan('t', timestamp => 5)", 'string literal'],
    ["delta_scan('t', branch => 'x')", 'no argument named branch'],
    ["delta_scan('t', version => 1, timestamp => '2024-01-01')", 'not both'],
    ["delta_scan('t'", 'no closing parenthesis'],
  ])('rejects %s with a message that shows the correct form', (call, message) => {
    let error: unknown;
    try {
      findDeltaScanCalls(`select * from ${call}`);
    } catch (e) {
      error = e;
    }
    expect(isDuckrunError(error, 'SQL_DELTA_SCAN_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(message);
  });

  it('replaces each call by offsets, leaving the rest of the text untouched', () => {
    const sql = "select * from delta_scan('a') x join delta_scan('b') y using (k)";
    const calls = findDeltaScanCalls(sql);
    expect(replaceRanges(sql, calls.map((c, i) => ({ start: c.start, end: c.end, text: `"t${i}"` })))).toBe(
      'select * from "t0" x join "t1" y using (k)',
    );
  });
});

describe('pruning filters of a delta_scan call', () => {
  it.each([
    ["SELECT * FROM delta_scan('t') WHERE p = 1 AND q > 2", undefined, ['p = 1', 'q > 2']],
    ["SELECT * FROM delta_scan('t') AS d WHERE d.p = 1", 'd', ['d.p = 1']],
    ["SELECT * FROM delta_scan('t') d WHERE d.p BETWEEN 1 AND 3 AND q = 'x'", 'd', ['d.p BETWEEN 1 AND 3', "q = 'x'"]],
    ["SELECT * FROM delta_scan('t') WHERE (p = 1 OR p IS NULL) AND q IN (1, 2)", undefined, ['(p = 1 OR p IS NULL)', 'q IN (1, 2)']],
    ["SELECT * FROM delta_scan('t') WHERE p = 1 AND q = 2 OR r = 3", undefined, ['p = 1 AND q = 2 OR r = 3']],
    ["SELECT * FROM delta_scan('t') WHERE CASE WHEN p AND q THEN 1 END = 1 AND r", undefined, ['CASE WHEN p AND q THEN 1 END = 1', 'r']],
    ["SELECT * FROM delta_scan('t') WHERE p = 1 GROUP BY ALL ORDER BY 1 LIMIT 3", undefined, ['p = 1']],
    ["SELECT * FROM delta_scan('t') WHERE p = 1 UNION ALL SELECT * FROM u WHERE q = 2", undefined, ['p = 1']],
    ["SELECT * FROM (SELECT * FROM delta_scan('t') WHERE p = 1) s WHERE s.q = 2", undefined, ['p = 1']],
    ["WITH c AS (SELECT * FROM delta_scan('t') x WHERE x.p >= DATE '2024-01-01') SELECT 1", 'x', ["x.p >= DATE '2024-01-01'"]],
    ["FROM delta_scan('t') WHERE p = 1", undefined, ['p = 1']],
    ["SELECT * FROM u JOIN delta_scan('t') d ON u.k = d.k WHERE d.p = 1", 'd', ['d.p = 1']],
    ["SELECT * FROM delta_scan('t') d LEFT JOIN u ON u.k = d.k WHERE d.p = 1", 'd', ['d.p = 1']],
    ["SELECT * FROM u JOIN v ON u.a IS NOT DISTINCT FROM v.a JOIN delta_scan('t') d ON true WHERE d.p = 1", 'd', ['d.p = 1']],
    ["SELECT * FROM delta_scan('t') d, u WHERE d.p = 1 -- trailing\n", 'd', ['d.p = 1']],
  ])('%s → alias %s, filters %j', (sql, alias, filters) => {
    const call = one(sql);
    expect(call.alias).toBe(alias);
    expect(call.pruningFilters).toEqual(filters);
  });

  it.each([
    ["SELECT * FROM u LEFT JOIN delta_scan('t') d ON u.k = d.k WHERE d.p IS NULL", 'the null-extended side of a LEFT JOIN'],
    ["SELECT * FROM delta_scan('t') d RIGHT JOIN u ON u.k = d.k WHERE d.p = 1", 'a RIGHT JOIN'],
    ["SELECT * FROM delta_scan('t') d FULL OUTER JOIN u ON u.k = d.k WHERE d.p = 1", 'a FULL JOIN'],
    ["SELECT * FROM u ASOF JOIN delta_scan('t') d ON u.k = d.k AND u.t >= d.t WHERE d.p = 1", 'an ASOF JOIN'],
    ["SELECT * FROM u ANTI JOIN delta_scan('t') d ON u.k = d.k WHERE p = 1", 'the right side of an ANTI JOIN'],
    ["SELECT * FROM delta_scan('t') USING SAMPLE 10 ROWS WHERE p = 1", 'sampling'],
    ["SELECT * FROM delta_scan('t') d(a, b) WHERE a = 1", 'a column alias list'],
    ["SELECT * FROM delta_scan('t') UNPIVOT (v FOR p IN (a, b)) WHERE p = 'a'", 'UNPIVOT'],
    ["SELECT (SELECT 1 FROM u) FROM delta_scan('t')", 'a block without WHERE'],
    ["SELECT * FROM (SELECT * FROM delta_scan('t')) s WHERE s.p = 1", 'a filter in the outer block'],
  ])('does not prune %s (%s)', (sql) => {
    expect(one(sql).pruningFilters).toEqual([]);
  });

  it('keeps only conjuncts without subqueries, parameters or volatile functions', () => {
    const call = one(
      "SELECT * FROM delta_scan('t') WHERE p IN (SELECT p FROM u) AND q = ? AND r < now() AND s > random() AND d = current_date AND ok = 1",
    );
    expect(call.pruningFilters).toEqual(['ok = 1']);
  });

  it('gives each of several calls the WHERE clause of its own block', () => {
    const calls = findDeltaScanCalls(
      "SELECT * FROM delta_scan('a') x WHERE x.p = 1 AND x.k IN (SELECT k FROM delta_scan('b') y WHERE y.q = 2)",
    );
    expect(calls.map((c) => c.pruningFilters)).toEqual([['x.p = 1'], ['y.q = 2']]);
  });
});
