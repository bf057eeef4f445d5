// Finding bare table names in FROM/JOIN position and CTE names in a query (no engine needed).
import { describe, expect, it } from 'vitest';
import { cteNames, findTableReferences } from '../../src/write/table-references.js';

const refs = (sql: string) => findTableReferences(sql).map((r) => [sql.slice(r.start, r.end), r.parts, r.aliased]);

describe('findTableReferences', () => {
  it('finds names after FROM, JOIN and FROM-list commas, with or without aliases', () => {
    expect(refs('SELECT a, b FROM orders o JOIN sales.eu ON o.id = eu.id, "my table" WHERE x IN (1, 2)')).toEqual([
      ['orders', ['orders'], true],
      ['sales.eu', ['sales', 'eu'], false],
      ['"my table"', ['my table'], false],
    ]);
    expect(refs('FROM t')).toEqual([['t', ['t'], false]]);
    expect(refs('SELECT * FROM (SELECT * FROM inner_t) q, outer_t AS x')).toEqual([
      ['inner_t', ['inner_t'], false],
      ['outer_t', ['outer_t'], true],
    ]);
  });

  it('skips table functions, subqueries, strings and select-list commas', () => {
    expect(refs("SELECT x, y FROM range(3), delta_scan('t') WHERE z = 'FROM a' GROUP BY x, y")).toEqual([]);
    expect(refs('SELECT 1 -- FROM commented')).toEqual([]);
  });
});

describe('cteNames', () => {
  it('collects CTE names, also with column lists and MATERIALIZED', () => {
    expect(cteNames('WITH a AS (SELECT 1), "B"(x) AS MATERIALIZED (SELECT 2), RECURSIVE_ok AS NOT MATERIALIZED (SELECT 3) SELECT * FROM a')).toEqual(
      new Set(['a', 'b', 'recursive_ok']),
    );
    expect(cteNames('SELECT CAST(x AS (INTEGER)) FROM t')).toEqual(new Set());
  });
});
