// The native write path: on the native engine DuckDB writes a write's data files with COPY and our writer
// commits them from their footers. The same query written natively and on the wasm engine (Arrow path) must
// give tables with identical rows (read back by both engines' readers), schemas, partition values and
// folders, stats equal to the Arrow writer's (numerically; only values a footer cannot give exactly are
// left out), and pass the independent log check that reads the files with native DuckDB.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable, createDeltaTable, type AddFile, type WriteOptions, type WriteResult } from '@duckrun/delta';
import { openSession, type SqlSession } from '../../src/session.js';
import { renderJson } from '../../src/render/json.js';
import { planCreate } from '../../src/write/select-plan.js';
import { writeQueryToDelta } from '../../src/write/execute.js';
import { assertDeltaTable, closeDuckDB } from '../../../delta/test/support/log-check.js';
import { nativeSkipReason } from '../engines.js';
import { failure } from '../connect/helpers.js';

if (nativeSkipReason !== undefined) console.warn(`native write tests skipped: ${nativeSkipReason}`);

let dir: string;
let native: SqlSession;
let wasm: SqlSession;

/** Every Delta type the SQL layer writes: primitives, decimal(38,x), timestamps with time zone, nested; NULLs in each. */
const ALL_TYPES = `
SELECT i::BIGINT AS id,
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 100 - 50)::TINYINT END AS tiny,
  (i * 7 % 30000 - 15000)::SMALLINT AS small,
  (i * 13 - 20000)::INTEGER AS int,
  CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN '' ELSE 'str-' || i || ' ünï/cödé' END AS s,
  repeat('long text é ', 1 + i % 5) || i AS long_s,
  (i / 3.0 - 100)::DOUBLE AS d,
  (i / 7.0)::FLOAT AS f,
  (i % 2 = 0) AS flag,
  DATE '1969-12-25' + (i % 1000)::INTEGER AS day,
  CAST(make_timestamp(1704067200000001 + i * 1234567) AS TIMESTAMPTZ) AS ts,
  CASE WHEN i % 7 = 0 THEN NULL ELSE ((CASE WHEN i % 2 = 0 THEN '-' ELSE '' END) || '123456789012345678901234567890' || lpad((i % 100)::VARCHAR, 4, '0') || '.' || lpad((i % 97)::VARCHAR, 2, '0'))::DECIMAL(38,2) END AS big,
  ((i % 2000) / 100 - 10)::DECIMAL(9,2) AS money,
  ((i * 31) / 1000)::DECIMAL(18,3) AS mid,
  ('bin' || i)::BLOB AS bin,
  CASE WHEN i % 9 = 0 THEN NULL ELSE {'a': i, 'b': 'x' || i, 'inner': {'c': i % 3}} END AS st,
  CASE WHEN i % 8 = 0 THEN NULL ELSE [i, i + 1, NULL] END AS arr,
  MAP {'k' || (i % 3): i} AS m,
  (['lo', 'hi'])[1 + i % 2]::ENUM('lo', 'hi') AS mood
FROM range(3000) t(i)`;

/** Partition values that need escaping or are null/empty, with several types of partition columns. */
const AWKWARD = `
SELECT i::BIGINT AS id,
  (['a b', 'sl/ash', 'ünï cödé', 'eq=%#?', NULL, ''])[1 + i % 6] AS p,
  DATE '2024-02-28' + (i % 3)::INTEGER AS day,
  (i % 4)::INTEGER AS n,
  'v' || i AS val
FROM range(600) t(i)`;

async function rowsOf(session: SqlSession, table: string, order = 'id'): Promise<string> {
  return renderJson(await session.sql(`SELECT * FROM delta_scan('${table}') ORDER BY ${order}`));
}

async function adds(table: string): Promise<AddFile[]> {
  return (await (await DeltaTable.open(join(dir, table))).snapshot()).addFiles();
}

async function schemaOf(table: string): Promise<string> {
  return (await (await DeltaTable.open(join(dir, table))).snapshot()).metadata.schemaString;
}

async function write(session: SqlSession, query: string, table: string, options: WriteOptions): Promise<WriteResult> {
  return writeQueryToDelta(query, join(dir, table), session.writeContext(), {
    what: `write ${table}`,
    plan: (columns, q) => planCreate(q, columns),
    writeOptions: options,
  });
}

/** Data files on disk below a table (log excluded), relative to it. */
function filesOf(table: string): string[] {
  const root = join(dir, table);
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => !f.startsWith('_delta_log') && f.endsWith('.parquet')).sort();
}

function entriesOf(table: string): string[] {
  return (readdirSync(join(dir, table)) as string[]).filter((f) => f !== '_delta_log').sort();
}

/** Both readers (native read_parquet and the Arrow path), both tables: one rendering. */
async function expectSameRows(a: string, b: string, order = 'id'): Promise<void> {
  const want = await rowsOf(wasm, a, order);
  expect(await rowsOf(native, a, order)).toBe(want);
  expect(await rowsOf(wasm, b, order)).toBe(want);
  expect(await rowsOf(native, b, order)).toBe(want);
}

type Stats = { numRecords: number; minValues?: Record<string, unknown>; maxValues?: Record<string, unknown>; nullCount?: Record<string, unknown> };

/** Leaf entries of a stats tree: `path` → value. */
function leaves(tree: Record<string, unknown> | undefined, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(tree ?? {})) {
    if (v !== null && typeof v === 'object') for (const [kk, vv] of leaves(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

/**
 * Native stats equal the Arrow writer's for the same rows: same numRecords, every bound and null count
 * present in both equal (numbers numerically), and only the listed ones missing from the native side.
 */
function expectSameStats(nativeJson: string, arrowJson: string, mayLack: readonly string[] = []): void {
  const n = JSON.parse(nativeJson) as Stats;
  const a = JSON.parse(arrowJson) as Stats;
  expect(n.numRecords).toBe(a.numRecords);
  for (const part of ['minValues', 'maxValues', 'nullCount'] as const) {
    const nl = leaves(n[part]);
    const al = leaves(a[part]);
    for (const [k, v] of nl) {
      expect(al.has(k), `${part}.${k} only in the native stats`).toBe(true);
      const w = al.get(k);
      if (typeof v === 'number' && typeof w === 'number') expect(v, `${part}.${k}`).toBeCloseTo(w, 12);
      else expect(v, `${part}.${k}`).toEqual(w);
    }
    const missing = [...al.keys()].filter((k) => !nl.has(k)).map((k) => `${part}.${k}`);
    expect(missing.filter((m) => !mayLack.includes(m)), `missing from the native stats`).toEqual([]);
  }
}

describe.skipIf(nativeSkipReason !== undefined)('native write path (DuckDB COPY)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duckrun-native-write-'));
    native = await openSession({ root: dir, readOnly: false, engine: 'native' });
    wasm = await openSession({ root: dir, readOnly: false, engine: 'wasm' });
  });
  afterAll(async () => {
    await native?.close();
    await wasm?.close();
    await closeDuckDB();
    rmSync(dir, { recursive: true, force: true });
  });

  it('CREATE TABLE AS with every type: same rows, schema and stats as the Arrow path; passes the log check', async () => {
    const n = await native.write(`CREATE TABLE types_native AS ${ALL_TYPES}`);
    const w = await wasm.write(`CREATE TABLE types_wasm AS ${ALL_TYPES}`);
    expect(n.dataFiles).toEqual({ writer: 'duckdb-copy' });
    expect(w.dataFiles?.writer).toBe('arrow');
    expect(n.rowsWritten).toBe(3000);
    expect(await schemaOf('types_native')).toBe(await schemaOf('types_wasm'));
    await expectSameRows('types_native', 'types_wasm');
    const [na] = await adds('types_native');
    const [wa] = await adds('types_wasm');
    expect(na!.path).toMatch(/^part-00000-[0-9a-f-]{36}\.c000\.snappy\.parquet$/);
    // Array and map columns: the footer counts element-level nulls, not the column's own, so none is written.
    expectSameStats(na!.stats!, wa!.stats!, ['nullCount.arr', 'nullCount.m']);
    const stats = JSON.parse(na!.stats!) as Stats;
    expect(stats.minValues).toMatchObject({ id: 0, money: -10, day: '1969-12-25', ts: '2024-01-01T00:00:00.000Z' });
    // Millisecond bounds: the max (…42.466433) rounds up so it still holds.
    expect(stats.maxValues?.['ts']).toBe('2024-01-01T01:01:42.467Z');
    // Decimals beyond a double's exact range get no bounds on either path.
    expect(stats.minValues?.['big']).toBeUndefined();
    expect(stats.nullCount).toMatchObject({ tiny: 273, s: 300, st: { a: 334, inner: { c: 334 } } });
    // The log check reads decimals through Number (2^53 at most): check a copy without the huge ones.
    await native.write(`CREATE TABLE types_check AS SELECT * EXCLUDE (big), ((id - 1500) * 1000003)::DECIMAL(38,6) AS big38 FROM delta_scan('types_native')`);
    await assertDeltaTable(join(dir, 'types_check'));
  });

  it('stats follow delta.dataSkippingNumIndexedCols and the 32-character string prefix', async () => {
    const query = `SELECT 'x' || i AS a, repeat('é', 40) || i AS b, i AS c FROM range(10) t(i)`;
    const opts = { mode: 'error' as const, properties: { 'delta.dataSkippingNumIndexedCols': '2' } };
    await write(native, query, 'indexed_native', opts);
    await write(wasm, query, 'indexed_wasm', opts);
    const [n] = await adds('indexed_native');
    const [w] = await adds('indexed_wasm');
    expect(n!.stats).toBe(w!.stats);
    expect(Object.keys((JSON.parse(n!.stats!) as Stats).nullCount!)).toEqual(['a', 'b']);
  });

  it('partitioned by awkward strings, NULL and empty values, dates and ints: same partition values, folders and rows', async () => {
    const opts = { mode: 'overwrite' as const, partitionBy: ['p', 'day', 'n'] };
    const n = await write(native, AWKWARD, 'awkward_native', opts);
    await write(wasm, AWKWARD, 'awkward_wasm', opts);
    expect(n.dataFiles).toEqual({ writer: 'duckdb-copy' });
    await expectSameRows('awkward_native', 'awkward_wasm');
    const key = (a: AddFile) => JSON.stringify(a.partitionValues);
    const nAdds = await adds('awkward_native');
    const wAdds = await adds('awkward_wasm');
    expect(nAdds.map(key).sort()).toEqual(wAdds.map(key).sort());
    expect(nAdds.some((a) => a.partitionValues['p'] === null)).toBe(true);
    const folder = (a: AddFile) => a.path.slice(0, a.path.lastIndexOf('/'));
    expect(nAdds.map(folder).sort()).toEqual(wAdds.map(folder).sort());
    expect(nAdds.map(folder)).toContain('p=sl%252Fash/day=2024-02-29/n=1');
    // No file mixes partitions: the stats of each file are the Arrow writer's for the same partition.
    const byKey = new Map(wAdds.map((a) => [key(a), a]));
    for (const a of nAdds) expectSameStats(a.stats!, byKey.get(key(a))!.stats!);
    expect(entriesOf('awkward_native').some((e) => e.startsWith('_staging-'))).toBe(false);
    await assertDeltaTable(join(dir, 'awkward_native'));
  });

  it('partitions by timestamp, decimal, boolean, double, binary and tiny values', async () => {
    const query = `SELECT i AS id,
        CAST(make_timestamp(1709294400123456 + (i % 2) * 1000000) AS TIMESTAMPTZ) AS ts,
        ((i % 3) / 4)::DECIMAL(38,3) AS dec, i % 2 = 0 AS flag, CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 3) / 3.0 END AS dbl,
        ('b' || (i % 2))::BLOB AS bin, (i % 2 - 1)::TINYINT AS t, (i % 3)::FLOAT / 3 AS fl, 'x' AS val
      FROM range(60) t(i)`;
    for (const p of ['ts', 'dec', 'flag', 'dbl', 'bin', 't', 'fl']) {
      const opts = { mode: 'overwrite' as const, partitionBy: [p] };
      const n = await write(native, query, `by_${p}_native`, opts);
      await write(wasm, query, `by_${p}_wasm`, opts);
      expect(n.dataFiles, p).toEqual({ writer: 'duckdb-copy' });
      const key = (a: AddFile) => JSON.stringify(a.partitionValues);
      expect((await adds(`by_${p}_native`)).map(key).sort(), p).toEqual((await adds(`by_${p}_wasm`)).map(key).sort());
      await expectSameRows(`by_${p}_native`, `by_${p}_wasm`);
    }
  });

  it('rolls files near the target size, also inside a partition', async () => {
    const query = `SELECT i AS id, i % 2 AS p, md5(i::VARCHAR) AS h FROM range(400000) t(i)`;
    const plain = await write(native, query, 'rolled', { mode: 'overwrite', targetFileSize: 2_000_000 });
    expect(plain.filesAdded).toBeGreaterThan(3);
    const sizes = (await adds('rolled')).map((a) => a.size);
    // DuckDB rolls at row-group boundaries (122,880 rows here, about 4.5 MB).
    expect(Math.max(...sizes)).toBeLessThan(2_000_000 + 5_000_000);
    const parted = await write(native, query, 'rolled_parts', { mode: 'overwrite', targetFileSize: 2_000_000, partitionBy: ['p'] });
    expect(parted.filesAdded).toBeGreaterThan(3);
    const partAdds = await adds('rolled_parts');
    expect(Math.max(...partAdds.map((a) => a.size))).toBeLessThan(2_000_000 + 5_000_000);
    expect(partAdds.reduce((n, a) => n + (JSON.parse(a.stats!) as Stats).numRecords, 0)).toBe(400000);
    const count = await native.sql(`SELECT count(*) AS n, sum(id) AS s, count(DISTINCT h) AS d FROM delta_scan('rolled_parts')`);
    expect(JSON.parse(renderJson(count))).toEqual([{ n: 400000, s: 79999800000, d: 400000 }]);
    await assertDeltaTable(join(dir, 'rolled_parts'));
  });

  it('append, overwrite and INSERT INTO write natively with the modes of the Arrow path', async () => {
    for (const s of [native, wasm]) {
      const t = s === native ? 'modes_native' : 'modes_wasm';
      await s.write(`CREATE TABLE ${t} AS SELECT i AS id, 'a' || i AS v FROM range(10) t(i)`);
      const ins = await s.write(`INSERT INTO ${t} SELECT i + 10, 'b' || i FROM range(5) t(i)`);
      expect(ins.dataFiles?.writer).toBe(s === native ? 'duckdb-copy' : 'arrow');
      await write(s, `SELECT i + 100 AS id, 'c' AS v FROM range(3) t(i)`, t, { mode: 'append' });
    }
    await expectSameRows('modes_native', 'modes_wasm');
    expect((await adds('modes_native')).length).toBe(3);
    const replaced = await native.write(`CREATE OR REPLACE TABLE modes_native AS SELECT 1 AS one`);
    expect(replaced.action).toBe('replaced');
    expect(JSON.parse(await rowsOf(native, 'modes_native', 'one'))).toEqual([{ one: 1 }]);
    await assertDeltaTable(join(dir, 'modes_native'));
    // An empty result commits no file, as on the Arrow path.
    const empty = await native.write(`INSERT INTO modes_native SELECT 2 WHERE false`);
    expect(empty.filesAdded).toBe(0);
    expect(filesOf('modes_native')).toHaveLength(filesOf('modes_native').length);
  });

  it('replaceWhere over partition columns writes natively; over data columns falls back with the reason', async () => {
    for (const s of [native, wasm]) {
      const t = s === native ? 'rw_native' : 'rw_wasm';
      await write(s, AWKWARD, t, { mode: 'overwrite', partitionBy: ['n'] });
      const r = await write(s, `SELECT id + 1000 AS id, p, day, n, 'new' AS val FROM (${AWKWARD}) WHERE n = 1`, t, { mode: 'overwrite', replaceWhere: 'n = 1' });
      if (s === native) expect(r.dataFiles).toEqual({ writer: 'duckdb-copy' });
      const d = await write(s, `SELECT id - 100 AS id, p, day, n, 'data' AS val FROM (${AWKWARD}) WHERE id < 5 AND n = 2`, t, { mode: 'overwrite', replaceWhere: 'id < 5' });
      if (s === native) expect(d.dataFiles?.fallback).toMatch(/replaceWhere over data columns/);
    }
    await expectSameRows('rw_native', 'rw_wasm');
    const bad = await failure(write(native, `SELECT 1::BIGINT AS id, 'x' AS p, DATE '2024-01-01' AS day, 3 AS n, 'x' AS val`, 'rw_native', { mode: 'overwrite', replaceWhere: 'n = 1' }));
    expect(bad.message).toMatch(/does not match replaceWhere/);
    await assertDeltaTable(join(dir, 'rw_native'));
  });

  it('a failed write leaves no files: a DuckDB error mid-query, a NOT NULL violation', async () => {
    await native.write(`CREATE TABLE failing AS SELECT i AS id FROM range(5) t(i)`);
    const before = filesOf('failing');
    const e = await failure(native.write(`INSERT INTO failing SELECT CASE WHEN i = 150000 THEN 'x'::INTEGER ELSE i END FROM range(200000) t(i)`));
    expect(e.code).toBe('SQL_QUERY');
    expect(filesOf('failing')).toEqual(before);
    expect(entriesOf('failing').filter((f) => f.startsWith('_staging-'))).toEqual([]);

    // A crashed native write's staging folder does not make the location "not a Delta table".
    mkdirSync(join(dir, 'crashed', '_staging-0b7c3a52-8f53-4d57-9a43-7d2f3f1b9c11', '__duckrun_part_0=v31'), { recursive: true });
    writeFileSync(join(dir, 'crashed', '_staging-0b7c3a52-8f53-4d57-9a43-7d2f3f1b9c11', '__duckrun_part_0=v31', 'data_0.parquet'), 'partial');
    expect((await native.write(`CREATE TABLE crashed AS SELECT 1 AS a`)).dataFiles).toEqual({ writer: 'duckdb-copy' });

    await createDeltaTable(join(dir, 'strict'), {
      type: 'struct',
      fields: [
        { name: 'id', type: 'long', nullable: false, metadata: {} },
        { name: 'v', type: 'string', nullable: true, metadata: {} },
      ],
    });
    const nn = await failure(native.write(`INSERT INTO strict SELECT CASE WHEN i = 3 THEN NULL ELSE i END, 'v' FROM range(10) t(i)`));
    expect(nn.message).toMatch(/"id" is NOT NULL/);
    expect(filesOf('strict')).toEqual([]);
    const ok = await native.write(`INSERT INTO strict SELECT i, NULL FROM range(10) t(i)`);
    expect(ok.dataFiles).toEqual({ writer: 'duckdb-copy' });
  });

  it('falls back to the Arrow path, saying why: column mapping, nativeWrite off', async () => {
    const mapped = await write(native, `SELECT 1 AS a, 'x' AS b`, 'mapped', { mode: 'error', properties: { 'delta.columnMapping.mode': 'name' } });
    expect(mapped.dataFiles?.writer).toBe('arrow');
    expect(mapped.dataFiles?.fallback).toMatch(/column mapping/);
    const off = await openSession({ root: dir, readOnly: false, engine: 'native', write: { nativeWrite: false } });
    try {
      const r = await off.write(`CREATE TABLE off AS SELECT 1 AS a`);
      expect(r.dataFiles).toEqual({ writer: 'arrow', encoder: 'parquet-wasm-workers', fallback: expect.stringMatching(/nativeWrite: false/) });
    } finally {
      await off.close();
    }
    const w = await wasm.write(`CREATE TABLE on_wasm AS SELECT 1 AS a`);
    // The Arrow path of a session encodes parquet in worker threads.
    expect(w.dataFiles).toEqual({ writer: 'arrow', encoder: 'parquet-wasm-workers' });
    const inline = await openSession({ root: dir, readOnly: false, engine: 'wasm', write: { encodeThreads: 0 } });
    try {
      const r = await inline.write(`CREATE TABLE in_line AS SELECT range AS a FROM range(1000)`);
      expect(r.dataFiles).toEqual({ writer: 'arrow', encoder: 'parquet-wasm' });
      expect(String((await inline.sql(`SELECT sum(a)::BIGINT AS s FROM delta_scan('in_line')`)).toArray()[0].s)).toBe('499500');
    } finally {
      await inline.close();
    }
  });
});
