// Column projection: the columns a statement names are the only ones read, and results never change.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDeltaScans, type DeltaScanReport } from '../src/delta-scan.js';
import { renderJson } from '../src/render/json.js';
import { openSession, type SqlSession } from '../src/session.js';
import { findDeltaScanCalls } from '../src/sql/delta-scan-calls.js';
import { usedColumns } from '../src/sql/column-usage.js';

const COLUMNS = ['id', 'Name', 'v', 'w'];
function used(sql: string): string[] | undefined {
  const call = findDeltaScanCalls(sql)[0]!;
  return usedColumns(sql, COLUMNS, call);
}

describe('usedColumns', () => {
  it.each([
    ["SELECT id FROM delta_scan('t')", ['id']],
    ["SELECT \"NAME\", v * w FROM delta_scan('t') WHERE id > 1", ['id', 'Name', 'v', 'w']],
    ["SELECT count(*) FROM delta_scan('t')", []],
    ["SELECT t.v AS x FROM delta_scan('t') AS t ORDER BY x", ['v']],
    ["SELECT 'id, w' AS c, v FROM delta_scan('t') -- w", ['v']],
    ["SELECT v FROM delta_scan('t') t DISTINCT ON (v) -- no star", ['v']],
  ])('%s uses %j', (sql, expected) => {
    expect(used(sql)).toEqual(expected);
  });
  it.each([
    "SELECT * FROM delta_scan('t')",
    "SELECT t.* FROM delta_scan('t') t",
    "SELECT * EXCLUDE (w) FROM delta_scan('t')",
    "SELECT COLUMNS('v|w') FROM delta_scan('t')",
    "SELECT to_json(t) FROM delta_scan('t') t",
    "SELECT t FROM delta_scan('t') AS t",
    "FROM delta_scan('t')",
    "SELECT 1 FROM delta_scan('t') NATURAL JOIN other",
    "SELECT id FROM (FROM delta_scan('t'))",
    "SELECT DISTINCT ON (id) * FROM delta_scan('t')",
    "SELECT #1 FROM delta_scan('t')",
    "SUMMARIZE SELECT id FROM delta_scan('t')",
  ])('%s reads every column', (sql) => {
    expect(used(sql)).toBeUndefined();
  });
});

let dir: string;
let session: SqlSession;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duckrun-sql-columns-'));
  session = await openSession({ root: dir, readOnly: false });
  await session.write(`CREATE TABLE a AS SELECT x AS id, 'n' || x AS "Name", x * 10 AS v, repeat('w', 100) AS w, x % 3 AS g FROM range(20) r(x)`);
  await session.write(`CREATE TABLE b AS SELECT x AS id, 'm' || x AS "Name", x * 100 AS v FROM range(5, 25) r(x)`);
});
afterAll(async () => {
  await session?.close();
  rmSync(dir, { recursive: true, force: true });
});

let prefix = 0;
async function run(sql: string, projection: boolean): Promise<{ rows: unknown[]; scans: readonly DeltaScanReport[] }> {
  const prepared = await prepareDeltaScans(sql, { engine: session.engine, root: session.root, namePrefix: `__duckrun_cols_${++prefix}`, projection });
  try {
    return { rows: JSON.parse(renderJson(await session.engine.query(prepared.sql))) as unknown[], scans: prepared.scans };
  } finally {
    await prepared.release();
  }
}

describe('projection end to end', () => {
  it.each([
    ["SELECT id, v FROM delta_scan('a') ORDER BY id", [['id', 'v']]],
    ["SELECT a.id, a.name, b.name AS bn, b.v FROM delta_scan('a') a JOIN delta_scan('b') b ON a.id = b.id ORDER BY 1", [['id', 'Name', 'v'], ['id', 'Name', 'v']]], // names count for every table
    ["SELECT g, sum(v) AS s FROM delta_scan('a') GROUP BY 1 ORDER BY s DESC", [['v', 'g']]],
    ["WITH c AS (SELECT id AS k, v FROM delta_scan('a') WHERE g = 1) SELECT k, v FROM c ORDER BY k", [['id', 'v', 'g']]],
    ["SELECT * FROM (SELECT \"NAME\" AS n FROM delta_scan('a')) ORDER BY n", [['id', 'Name', 'v', 'w', 'g']]], // any star reads all
    ["SELECT count(*) AS c FROM delta_scan('a')", [['id']]],
    ["SELECT count(*) AS c FROM delta_scan('a') a, delta_scan('b') b WHERE a.v = b.v", [['v'], ['v']]],
    ["SELECT * FROM delta_scan('b') ORDER BY id", [['id', 'Name', 'v']]],
    ["SELECT id FROM delta_scan('a') WHERE id IN (SELECT id FROM delta_scan('b')) ORDER BY id", [['id'], ['id']]],
  ])('%s', async (sql, columns) => {
    const projected = await run(sql, true);
    const full = await run(sql, false);
    expect(projected.rows).toEqual(full.rows);
    expect(projected.scans.map((s) => s.columnsRead)).toEqual(columns);
    expect(full.scans.map((s) => s.columnsRead.length)).toEqual(full.scans.map((s) => s.columnsTotal));
  });
});
