// Stats pruning end to end: files skipped by min/max/nullCount stats never change a result, including rows
// exactly at a bound, NULLs, NaN (absent from stats), truncated string bounds and sub-millisecond timestamps.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDeltaScans, type DeltaScanReport } from '../src/delta-scan.js';
import { renderJson } from '../src/render/json.js';
import { openSession, type SqlSession } from '../src/session.js';

let dir: string;
let session: SqlSession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duckrun-sql-stats-'));
  session = await openSession({ root: dir, readOnly: false, write: { allowTimestampNtz: true } });
  // One file per statement: n (x 1..10), n (x 11..20), all-NULL x, x 21..30 with a NULL.
  const cols = `x::BIGINT AS x, CAST(x AS DOUBLE) AS d, 'k' || lpad(CAST(x AS VARCHAR), 3, '0') AS s,
    CAST(DATE '2024-01-01' + CAST(x AS INTEGER) AS DATE) AS dt, CAST(x / 4 AS DECIMAL(10,2)) AS dec, x % 2 = 0 AS b`;
  await session.write(`CREATE TABLE nums AS SELECT ${cols} FROM range(1, 11) r(x)`);
  await session.write(`INSERT INTO nums SELECT ${cols} FROM range(11, 21) r(x)`);
  await session.write(`INSERT INTO nums SELECT NULL::BIGINT, NULL::DOUBLE, NULL, NULL::DATE, NULL::DECIMAL(10,2), NULL::BOOLEAN FROM range(3)`);
  await session.write(`INSERT INTO nums SELECT ${cols} FROM (SELECT x FROM range(21, 31) r(x) UNION ALL SELECT NULL) r(x)`);
  // Floats with NaN (stats skip NaN), and an all-NaN file.
  await session.write(`CREATE TABLE floats AS SELECT * FROM (VALUES (1.0::DOUBLE), ('nan'::DOUBLE), (2.0::DOUBLE)) v(d)`);
  await session.write(`INSERT INTO floats SELECT 'nan'::DOUBLE`);
  await session.write(`INSERT INTO floats SELECT 10.0::DOUBLE`);
  // Longs beyond 2^53.
  await session.write(`CREATE TABLE longs AS SELECT 9007199254740993::BIGINT AS v`);
  await session.write(`INSERT INTO longs SELECT 9007199254740991::BIGINT`);
  // Strings whose stats are rewritten below as other writers truncate them.
  await session.write(`CREATE TABLE strs AS SELECT 'abz' AS s`);
  await session.write(`INSERT INTO strs SELECT 'ab\u{10000}x' AS s`);
  await session.write(`INSERT INTO strs SELECT 'zzz' AS s`);
  // Timestamps with microseconds inside one millisecond.
  await session.write(`CREATE TABLE times AS SELECT TIMESTAMP '2024-01-01 00:00:00.000500' AS t, TIMESTAMPTZ '2024-01-01 00:00:00.000700+00' AS tz`);
  await session.write(`INSERT INTO times SELECT TIMESTAMP '2024-01-01 00:00:05' AS t, TIMESTAMPTZ '2024-01-01 00:00:05+00' AS tz`);
  rewriteStats('strs', (s, i) => {
    const stats = JSON.parse(s) as { maxValues: { s: string } };
    // File 0: a plain truncated prefix (not a bound); file 1: Spark's prefix + U+FFFF tie-breaker.
    if (i === 0) stats.maxValues.s = 'ab';
    if (i === 1) stats.maxValues.s = 'ab\uffff';
    return JSON.stringify(stats);
  });
  rewriteStats('times', (s, i) => {
    // A writer that truncates (not ceils) the maximum to milliseconds.
    const stats = JSON.parse(s) as { maxValues: { t: string; tz: string } };
    if (i === 0) {
      stats.maxValues.t = '2024-01-01T00:00:00.000';
      stats.maxValues.tz = '2024-01-01T00:00:00.000Z';
    }
    return JSON.stringify(stats);
  });
});
afterAll(async () => {
  await session?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Rewrites the stats of the table's add actions, numbered in commit order. */
function rewriteStats(table: string, edit: (stats: string, i: number) => string): void {
  const log = join(dir, table, '_delta_log');
  let i = 0;
  for (const name of readdirSync(log).filter((n) => n.endsWith('.json')).sort()) {
    const lines = readFileSync(join(log, name), 'utf8').split('\n').filter(Boolean);
    const out = lines.map((line) => {
      const action = JSON.parse(line) as { add?: { stats?: string } };
      if (action.add?.stats) action.add.stats = edit(action.add.stats, i++);
      return JSON.stringify(action);
    });
    writeFileSync(join(log, name), `${out.join('\n')}\n`);
  }
}

let prefix = 0;
async function run(sql: string, options: { pruning?: boolean; projection?: boolean } = {}): Promise<{ rows: unknown[]; scans: readonly DeltaScanReport[] }> {
  const prepared = await prepareDeltaScans(sql, { engine: session.engine, root: session.root, namePrefix: `__duckrun_test_${++prefix}`, ...options });
  try {
    return { rows: JSON.parse(renderJson(await session.engine.query(prepared.sql))) as unknown[], scans: prepared.scans };
  } finally {
    await prepared.release();
  }
}

/** Runs with and without pruning: same rows; returns the pruned run's report. */
async function same(sql: string): Promise<DeltaScanReport> {
  const pruned = await run(sql);
  const full = await run(sql, { pruning: false, projection: false });
  expect(pruned.rows).toEqual(full.rows);
  expect(full.scans[0]!.filesRead).toBe(full.scans[0]!.filesTotal);
  return pruned.scans[0]!;
}

describe('stats pruning', () => {
  it.each([
    ['x > 10', 2],
    ['x >= 10', 3],
    ['10 < x', 2],
    ['10 <= x', 3],
    ['x < 11', 1],
    ['x <= 11', 2],
    ['x = 20', 1],
    ['x = 21', 1],
    ['x == 15', 1],
    ['x BETWEEN 10 AND 11', 2],
    ['x BETWEEN 31 AND 40', 0],
    ['x IN (5, 25)', 2],
    ['x IN (0, 100)', 0],
    ['x IS NULL', 2],
    ['x ISNULL', 2],
    ['x IS NOT NULL', 3],
    ['x > 5 AND x < 15', 2],
    ['(x > 25 AND s >= \'k027\')', 1],
    ['n.x > 20', 1],
    ["s >= 'k03'", 1],
    // 'k020' is file 2's maximum: a maximum may be truncated, so a literal extending its prefix keeps the file.
    ["s > 'k020'", 2],
    ["s = 'k010'", 1],
    ["s < 'k011'", 1],
    ["dt > DATE '2024-01-21'", 1],
    ["dt = '2024-01-11'", 1],
    ["dt >= DATE '2024-01-31'", 1],
    ['dec > 5', 1],
    ['dec >= 5', 2],
    ['dec = 2.5', 1],
    ['d < 2', 1],
    ['d > 25', 3], // no maximum for doubles (NaN); only the all-NULL file goes
    ['b IS NULL', 2],
    ['b IS NOT NULL', 3],
    ['x > -1', 3],
  ])('%s reads %i files with the same rows', async (where, files) => {
    const report = await same(`SELECT * FROM delta_scan('nums') n WHERE ${where} ORDER BY ALL`);
    expect(report.filesTotal).toBe(4);
    expect(report.filesRead).toBe(files);
    expect(report.prunedByStats).toBe(4 - files);
  });

  it.each([
    'x > 10 OR x IS NULL',
    'NOT x > 10',
    'x <> 5',
    'x + 0 > 100',
    'CAST(x AS VARCHAR) > \'9\'',
    "x NOT IN (1, 2)",
    'x > 1.5e1 OR true',
  ])('does not prune on %s', async (where) => {
    const report = await same(`SELECT * FROM delta_scan('nums') n WHERE ${where} ORDER BY ALL`);
    expect(report.prunedByStats).toBe(0);
  });

  it('qualifiers of other tables and columns of other tables do not bind', async () => {
    const report = await same(`SELECT n.x FROM delta_scan('nums') n JOIN (SELECT 100 AS y) o ON true WHERE o.y > 1000 OR n.x = 1 ORDER BY ALL`);
    expect(report.prunedByStats).toBe(0);
    const r2 = await same(`SELECT n.x FROM delta_scan('nums') n, (SELECT 100 AS y) o WHERE y > 1000 ORDER BY ALL`);
    expect(r2.prunedByStats).toBe(0);
  });

  it('is off on the null-extended side of an outer join', async () => {
    const report = await same(`SELECT * FROM (SELECT 1 AS k) o LEFT JOIN delta_scan('nums') n ON true WHERE n.x IS NULL OR n.x > 29 ORDER BY ALL`);
    expect(report.prunedByStats).toBe(0);
    const r2 = await same(`SELECT o.k, n.x FROM (SELECT 1 AS k) o LEFT JOIN delta_scan('nums') n ON n.x = 1 WHERE n.x > 29 ORDER BY ALL`);
    expect(r2.prunedByStats).toBe(0);
  });

  it('keeps files whose NaN rows are not in the stats', async () => {
    const gt = await same(`SELECT d FROM delta_scan('floats') WHERE d > 5 ORDER BY ALL`);
    expect(gt.filesRead).toBe(3);
    const rows = (await run(`SELECT count(*) AS n FROM delta_scan('floats') WHERE d > 5`)).rows;
    expect(rows).toEqual([{ n: 3 }]);
    const lt = await same(`SELECT d FROM delta_scan('floats') WHERE d < 1.5 ORDER BY ALL`);
    expect(lt.filesRead).toBe(2); // the all-NaN file has no min; the file of 10.0 is pruned
    await same(`SELECT d FROM delta_scan('floats') WHERE d = 'nan'::DOUBLE ORDER BY ALL`);
  });

  it('compares longs beyond 2^53 exactly', async () => {
    const eq = await same(`SELECT v FROM delta_scan('longs') WHERE v = 9007199254740993`);
    expect(eq.filesRead).toBe(1);
    expect((await run(`SELECT CAST(v AS VARCHAR) AS v FROM delta_scan('longs') WHERE v = 9007199254740993`)).rows).toEqual([{ v: '9007199254740993' }]);
    expect((await same(`SELECT v FROM delta_scan('longs') WHERE v > 9007199254740992`)).filesRead).toBe(1);
    expect((await same(`SELECT v FROM delta_scan('longs') WHERE v >= 9007199254740991`)).filesRead).toBe(2);
  });

  it('treats string maxima as possibly truncated', async () => {
    // Actual values 'abz' and 'ab𐀀x' exceed the stats maxima 'ab' and 'ab\uffff'.
    const r = await same(`SELECT s FROM delta_scan('strs') WHERE s > 'abc' ORDER BY ALL`);
    expect(r.filesRead).toBe(3);
    expect((await run(`SELECT s FROM delta_scan('strs') WHERE s >= 'ab\u{10000}' ORDER BY ALL`)).rows).toEqual([{ s: 'ab\u{10000}x' }, { s: 'zzz' }]);
    expect((await same(`SELECT s FROM delta_scan('strs') WHERE s = 'abz'`)).filesRead).toBeGreaterThanOrEqual(1);
    expect((await same(`SELECT s FROM delta_scan('strs') WHERE s < 'b'`)).filesRead).toBe(2);
  });

  it('keeps rows within the millisecond of a timestamp bound', async () => {
    const a = await same(`SELECT t FROM delta_scan('times') WHERE t > TIMESTAMP '2024-01-01 00:00:00.000400'`);
    expect(a.filesRead).toBe(2);
    expect((await run(`SELECT count(*) AS n FROM delta_scan('times') WHERE t > '2024-01-01 00:00:00.000400'`)).rows).toEqual([{ n: 2 }]);
    expect((await run(`SELECT count(*) AS n FROM delta_scan('times') WHERE tz > '2024-01-01 00:00:00.000600+00'`)).rows).toEqual([{ n: 2 }]);
    expect((await run(`SELECT count(*) AS n FROM delta_scan('times') WHERE t = TIMESTAMP '2024-01-01 00:00:00.0005'`)).rows).toEqual([{ n: 1 }]);
    const late = await same(`SELECT t FROM delta_scan('times') WHERE t >= TIMESTAMP '2024-01-01 00:00:01'`);
    expect(late.filesRead).toBe(1);
    const early = await same(`SELECT tz FROM delta_scan('times') WHERE tz < TIMESTAMPTZ '2024-01-01 00:00:01+00'`);
    expect(early.filesRead).toBe(1);
  });

  it('reports stats filters', async () => {
    const { scans } = await run(`SELECT x FROM delta_scan('nums') WHERE x > 25 AND s IS NOT NULL`);
    expect(scans[0]).toMatchObject({ filesTotal: 4, filesRead: 1, prunedByStats: 3, prunedByPartitions: 0, statsFilters: ['x > 25', 's IS NOT NULL'] });
    const off = await run(`SELECT x FROM delta_scan('nums') WHERE x > 25`, { pruning: false });
    expect(off.scans[0]).toMatchObject({ filesRead: 4, prunedByStats: 0, statsFilters: [] });
  });
});
