// A write whose rows stream to JS from one delta_scan decoded in JS runs a row-wise query once per chunk
// of the source (bounded memory, and DuckDB-WASM's fast uncompressed insert); any other query sees every
// row at once. Either way the table written must hold exactly the rows of the query over the whole source.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable, writeDeltaTable } from '@duckrun/delta';
import type { Engine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/open-engine.js';
import { openSession, type SqlSession } from '../../src/session.js';
import { isRowWise } from '../../src/write/row-wise.js';
import { ENGINES } from '../engines.js';

const ROWS = 20_000;
type Row = Record<string, unknown>;

describe.each(ENGINES)('chunked writes on the %s engine', (kind) => {
  let dir: string;
  let engine: Engine;
  let session: SqlSession;
  let registrations = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `duckrun-chunked-${kind}-`));
    // Four files of 5,000 rows; batches of 1,000 rows, so a 16 KB chunk holds a few batches.
    const batches = [...Array(ROWS / 1000).keys()].map(
      (b) =>
        tableFromArrays({
          id: BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(b * 1000 + i)),
          grp: Int32Array.from({ length: 1000 }, (_, i) => (b * 1000 + i) % 7),
          label: Array.from({ length: 1000 }, (_, i) => `row-${b * 1000 + i}`),
        }).batches[0]!,
    );
    await writeDeltaTable(join(dir, 'src'), batches, { mode: 'overwrite', targetFileSize: 60_000 });
    engine = await openEngine(kind);
    const register = engine.registerArrow.bind(engine);
    engine.registerArrow = async (name, source) => {
      registrations++;
      return register(name, source);
    };
    // nativeParquet: false, so the native engine reads through the Arrow path too.
    session = await openSession({ root: dir, engine, readOnly: false, scan: { chunkBytes: 16_000, nativeParquet: false }, write: { nativeWrite: false } });
  });
  afterAll(async () => {
    await session?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (sql: string): Promise<Row[]> =>
    (await session.sql(sql)).toArray().map((r) => JSON.parse(JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as Row);

  /** Writes `query` as table `name`; returns how many tables the write registered. */
  async function write(name: string, query: string): Promise<number> {
    const before = registrations;
    await session.sql(`CREATE OR REPLACE TABLE ${name} AS ${query}`);
    return registrations - before;
  }

  it('streams a row-wise query chunk by chunk and writes exactly its rows', async () => {
    const query = `WITH s AS (SELECT * FROM delta_scan('src') WHERE grp <> 3) SELECT id * 2 AS id2, upper(label) AS label, unnest([grp, grp + 10]) AS g FROM s`;
    // Each of the four files is one batch, larger than a chunk: a chunk per file.
    expect(await write('rowwise', query)).toBeGreaterThanOrEqual(4);
    const expected = await rows(`SELECT count(*) AS n, sum(id2)::BIGINT AS s, count(DISTINCT label) AS l, sum(g)::BIGINT AS g FROM (${query}) q`);
    expect(await rows(`SELECT count(*) AS n, sum(id2)::BIGINT AS s, count(DISTINCT label) AS l, sum(g)::BIGINT AS g FROM delta_scan('rowwise')`)).toEqual(expected);
    expect(expected[0]!.n).toBe(2 * (ROWS - Math.floor((ROWS + 3) / 7)));
  });

  it('gives queries that look across rows every row at once', async () => {
    expect(await write('ranked', `SELECT id, row_number() OVER (ORDER BY id DESC) AS rn FROM delta_scan('src')`)).toBeLessThanOrEqual(2);
    expect(await rows(`SELECT count(*) AS n, min(rn) AS lo, max(rn) AS hi, count(DISTINCT rn) AS d FROM delta_scan('ranked')`)).toEqual([{ n: ROWS, lo: 1, hi: ROWS, d: ROWS }]);
    await write('grouped', `SELECT grp, count(*) AS n FROM delta_scan('src') GROUP BY grp`);
    expect(await rows(`SELECT sum(n)::BIGINT AS n, count(*) AS groups FROM delta_scan('grouped')`)).toEqual([{ n: ROWS, groups: 7 }]);
    await write('limited', `SELECT id FROM delta_scan('src') ORDER BY id LIMIT 5`);
    expect(await rows(`SELECT id FROM delta_scan('limited') ORDER BY id`)).toEqual([0, 1, 2, 3, 4].map((id) => ({ id })));
  });

  it('gives every row the same current time', async () => {
    expect(await write('stamped', `SELECT id, now() AS loaded_at FROM delta_scan('src')`)).toBeLessThanOrEqual(2);
    expect(await rows(`SELECT count(DISTINCT loaded_at) AS d, count(*) AS n FROM delta_scan('stamped')`)).toEqual([{ d: 1, n: ROWS }]);
  });

  it('commits nothing and leaves no table behind when a later chunk fails', async () => {
    await write('kept', `SELECT 1 AS id`);
    const failing = `SELECT CASE WHEN id = ${ROWS - 10} THEN error('bad row ' || id) ELSE id END AS id FROM delta_scan('src')`;
    await expect(session.sql(`CREATE OR REPLACE TABLE kept AS ${failing}`)).rejects.toThrow(`bad row ${ROWS - 10}`);
    expect(await rows(`SELECT id FROM delta_scan('kept')`)).toEqual([{ id: 1 }]);
    expect((await (await DeltaTable.open(join(dir, 'kept'))).snapshot()).version).toBe(0);
    expect(await rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE '%delta%'`)).toEqual([{ n: 0 }]);
  });
});

describe.each(ENGINES)('isRowWise on the %s engine', (kind) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openEngine(kind);
    await engine.registerArrow('t', tableFromArrays({ id: Int32Array.of(1, 2, 3), v: ['a', 'b', 'c'] }));
    await engine.registerArrow('u', tableFromArrays({ id: Int32Array.of(1, 2) }));
  });
  afterAll(async () => {
    await engine?.close();
  });

  it.each([
    ['projection and filter', `SELECT id * 2 AS x, upper(v) AS v FROM t WHERE id > 1 AND v LIKE 'a%'`, true],
    ['a CTE read once, unnest', `WITH s AS (SELECT * FROM t WHERE id <> 2) SELECT id, unnest([1, 2]) AS n FROM s`, true],
    ['a percentage sample', `SELECT * FROM t USING SAMPLE 50%`, true],
    ['a semi-join on another table', `SELECT * FROM t WHERE id IN (SELECT id FROM u)`, false],
    ['a cross product', `SELECT * FROM t, u`, false],
    ['a self-union', `SELECT * FROM t UNION ALL SELECT * FROM t`, false],
    ['an aggregate', `SELECT count(*) FROM t`, false],
    ['DISTINCT', `SELECT DISTINCT v FROM t`, false],
    ['a window', `SELECT id, row_number() OVER () AS rn FROM t`, false],
    ['ORDER BY', `SELECT * FROM t ORDER BY id`, false],
    ['LIMIT', `SELECT * FROM t LIMIT 2`, false],
    ['a row-count sample', `SELECT * FROM t USING SAMPLE 2 ROWS`, false],
    ['rowid', `SELECT rowid AS r, id FROM t`, false],
    ['the current time', `SELECT id, current_timestamp AS ts FROM t`, false],
    ['another table only', `SELECT * FROM u`, false],
  ])('%s', async (_what, sql, expected) => {
    expect(await isRowWise(engine, sql, 't')).toBe(expected);
    // The optimizer is on again: constant folding still happens.
    expect(String((await engine.query(`EXPLAIN SELECT 1 + 1 AS two`)).getChildAt(1)?.get(0))).not.toContain('+');
  });
});
