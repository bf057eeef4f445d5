// delta_scan on the native engine reads local tables with DuckDB's read_parquet: the rows and column types must
// be exactly the Arrow path's (JS decoding) for every golden table and for tables our writer makes (partitions,
// schema evolution, column mapping, nested types), and the report must say which reader ran.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { writeDeltaTable, type WriteOptions } from '@duckrun/delta';
import { prepareDeltaScans, type DeltaScanReport } from '../src/delta-scan.js';
import type { Engine } from '../src/engine/engine.js';
import { renderJson } from '../src/render/json.js';
import { resolveRoot } from '../src/table-uri.js';
import { nativeSkipReason } from './engines.js';
import { copyGoldenTables, goldenSkipReason } from './fixtures.js';

const golden = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/fixtures/delta-golden');

/** Golden tables the native path must read itself; every other readable golden table must at least match. */
const GOLDEN = goldenSkipReason === undefined ? goldenTables() : [];
/** Golden tables read by the Arrow path on purpose, with the reason the report must give. */
const EXPECTED_FALLBACKS: Readonly<Record<string, RegExp>> = {
  // Their logs name data files that are not in the fixture: both readers must fail with the same DataFileError.
  checkpoint: /the Arrow path fails: data file .* is missing/,
  'delete-re-add-same-file-different-transactions': /the Arrow path fails: data file .* is missing/,
  'deltalog-commit-info': /the Arrow path fails: data file .* is missing/,
  'log-replay-special-characters-b': /the Arrow path fails: data file .* is missing/,
  'update-deleted-directory': /the Arrow path fails: data file .* is missing/,
};

if (goldenSkipReason !== undefined) console.warn(`native read_parquet golden-table tests skipped: ${goldenSkipReason}`);

function goldenTables(): string[] {
  const manifest = JSON.parse(readFileSync(join(golden, 'manifest.json'), 'utf8')) as Record<string, { kind: string; note?: string }>;
  // Absolute paths of data-reader-absolute-paths-escaped-chars point outside the fixture: neither reader can read it.
  return Object.entries(manifest)
    .filter(([name, e]) => e.kind === 'snapshot' || (e.kind === 'no-expected' && name !== 'data-reader-absolute-paths-escaped-chars' && name !== 'hive'))
    .map(([name]) => name)
    .sort();
}

let prefix = 0;

interface ScanOutcome {
  readonly rows: string;
  readonly types: string[];
  readonly scans: readonly DeltaScanReport[];
}

async function scan(engine: Engine, root: string, sql: string, nativeParquet: boolean): Promise<ScanOutcome> {
  const prepared = await prepareDeltaScans(sql, { engine, root: resolveRoot(root), namePrefix: `__duckrun_native_${++prefix}`, nativeParquet });
  let table: Table;
  try {
    table = await engine.query(prepared.sql);
  } finally {
    await prepared.release();
  }
  return { rows: renderJson(table), types: table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`), scans: prepared.scans };
}

/** Runs `sql` through both readers and expects identical output; returns the read_parquet run. */
async function same(engine: Engine, root: string, sql: string): Promise<ScanOutcome> {
  let arrow: ScanOutcome;
  try {
    arrow = await scan(engine, root, sql, false);
  } catch (e) {
    // A table the Arrow path cannot read (e.g. its files are missing) must fail the same way natively.
    await expect(scan(engine, root, sql, true)).rejects.toThrow(e as Error);
    await expect(scan(engine, root, sql, true)).rejects.toBeInstanceOf((e as Error).constructor);
    return { rows: '', types: [], scans: [{ reader: 'arrow', fallbackReason: `the Arrow path fails: ${(e as Error).message}` } as DeltaScanReport] };
  }
  const native = await scan(engine, root, sql, true);
  expect(arrow.scans.every((s) => s.reader === 'arrow')).toBe(true);
  expect(native.types).toEqual(arrow.types);
  expect(native.rows).toEqual(arrow.rows);
  return native;
}

async function leftovers(engine: Engine): Promise<number> {
  const t = await engine.query(
    "SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__duckrun%') + (SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '__duckrun%') AS n",
  );
  return Number(t.getChild('n')!.get(0));
}

describe.skipIf(nativeSkipReason !== undefined)(`native delta_scan via read_parquet${nativeSkipReason ? ` (skipped: ${nativeSkipReason})` : ''}`, () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await (await import('../src/engine/native.js')).openNativeEngine({ threads: 2 });
  });
  afterAll(async () => {
    await engine?.close();
  });

  describe.skipIf(goldenSkipReason !== undefined)(`golden tables${goldenSkipReason ? ` (skipped: ${goldenSkipReason})` : ''}`, () => {
    let root: string;
    let cleanup: () => void;
    beforeAll(() => {
      ({ root, cleanup } = copyGoldenTables(GOLDEN));
    });
    afterAll(() => cleanup?.());

    it.each(GOLDEN)('%s: read_parquet gives the Arrow path’s rows and types', async (name) => {
      const { scans } = await same(engine, root, `SELECT * FROM delta_scan('${name}') ORDER BY ALL`);
      const fallback = EXPECTED_FALLBACKS[name];
      if (fallback) {
        expect(scans[0]).toMatchObject({ reader: 'arrow', fallbackReason: expect.stringMatching(fallback) });
      } else {
        expect(scans[0]!.fallbackReason).toBeUndefined();
        expect(scans[0]!.reader).toBe('read_parquet');
      }
      expect(await leftovers(engine)).toBe(0);
    });

    it('applies deletion vectors and keeps partition and stats pruning', async () => {
      const all = await same(engine, root, "SELECT count(*) AS n, count(DISTINCT part) AS parts FROM delta_scan('dv-partitioned-with-checkpoint')");
      expect(all.rows).toContain('"n":35');
      const pruned = await same(engine, root, "SELECT * FROM delta_scan('dv-partitioned-with-checkpoint') WHERE part BETWEEN 3 AND 5 ORDER BY ALL");
      expect(pruned.scans[0]).toMatchObject({ reader: 'read_parquet', filesRead: 5, filesTotal: 15 });
    });

    it('projects the columns the statement uses', async () => {
      const { scans } = await same(engine, root, "SELECT number FROM delta_scan('dat-basic_partitioned') WHERE letter = 'a' ORDER BY 1");
      expect(scans[0]).toMatchObject({ reader: 'read_parquet', columnsRead: ['letter', 'number'], filesRead: 2 });
      const counted = await same(engine, root, "SELECT count(*) AS n FROM delta_scan('dat-basic_partitioned')");
      expect(counted.scans[0]!.columnsRead).toHaveLength(1);
    });

    it('keeps rowid working by materialising the rows', async () => {
      const { scans } = await same(engine, root, "SELECT number FROM delta_scan('dat-basic_partitioned') WHERE rowid >= 0 ORDER BY 1");
      expect(scans[0]!.reader).toBe('read_parquet');
      expect(await leftovers(engine)).toBe(0);
    });

    it('reads a table with every file pruned away', async () => {
      const { scans, rows } = await same(engine, root, "SELECT * FROM delta_scan('dat-basic_partitioned') WHERE letter = 'nope'");
      expect(scans[0]).toMatchObject({ reader: 'read_parquet', filesRead: 0 });
      expect(rows).toBe('[]\n');
    });
  });

  describe('tables written by duckrun', () => {
    let root: string;
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'duckrun-native-scan-'));
      const write = async (name: string, sql: string, options: WriteOptions = {}): Promise<void> => {
        await writeDeltaTable(join(root, name), await engine.query(sql), { allowTimestampNtz: true, ...options });
      };
      const types = `i::BIGINT AS id, CAST(i AS INTEGER) AS int_col, CAST(i % 100 AS SMALLINT) AS short_col, CAST(i % 100 AS TINYINT) AS byte_col,
        CAST(i AS DOUBLE) / 3 AS dbl, CAST(i AS FLOAT) / 7 AS flt, i % 3 = 0 AS flag, CASE WHEN i % 5 = 0 THEN NULL ELSE 'str' || i END AS s,
        CAST('bin' || i AS BLOB) AS bin, DATE '2020-01-01' + CAST(i AS INTEGER) AS dt,
        TIMESTAMPTZ '1969-12-31 23:00:00+00' + to_microseconds(i * 1234567) AS ts, TIMESTAMP '2024-01-01' + to_microseconds(i) AS ts_ntz,
        CAST(i / 7 AS DECIMAL(10,2)) AS dec, CAST(i * 1000003 AS DECIMAL(38,6)) AS big_dec,
        CASE WHEN i % 7 = 0 THEN NULL ELSE {'a': CAST(i AS INTEGER), 'b': 'x' || i, 'inner': {'c': i % 2 = 0}} END AS st,
        CASE WHEN i % 11 = 0 THEN NULL ELSE [CAST(i AS INTEGER), NULL, 3] END AS arr,
        [{'k': 'v' || i, 'n': i}] AS arr_st, MAP {'k' || (i % 3): CAST(i AS INTEGER)} AS m`;
      // Partitioned by several types, in several files per partition.
      const partitioned = `${types}, 'p' || (i % 3) AS part_s, DATE '2024-01-01' + CAST(i % 2 AS INTEGER) AS part_d, CAST(i % 4 AS INTEGER) AS part_i,
        CASE WHEN i % 5 = 0 THEN NULL ELSE CAST(i % 5 AS DECIMAL(5,1)) END AS part_dec, TIMESTAMPTZ '2024-05-01 10:00:00+00' AS part_ts`;
      await write('partitioned', `SELECT ${partitioned} FROM range(0, 500) t(i)`, { partitionBy: ['part_s', 'part_d', 'part_i', 'part_dec', 'part_ts'] });
      await write('partitioned', `SELECT ${partitioned} FROM range(500, 900) t(i)`, { mode: 'append' });
      // Schema evolution: later writes add columns (top-level and inside a struct); older files lack them.
      for (const [mapping, name] of [['none', 'evolved'], ['name', 'mapped_name'], ['id', 'mapped_id']] as const) {
        const properties = mapping === 'none' ? {} : { properties: { 'delta.columnMapping.mode': mapping } };
        await write(name, `SELECT ${types} FROM range(0, 300) t(i)`, { ...properties, partitionBy: [] });
        await write(name, `SELECT ${types}, i * 2 AS added, {'x': i, 'y': 'y' || i} AS added_st FROM range(300, 600) t(i)`, {
          mode: 'append',
          schemaMode: 'merge',
        });
        // A field added inside a struct, and one inside the struct elements of an array.
        const nested = types
          .replace("'inner': {'c': i % 2 = 0}}", "'inner': {'c': i % 2 = 0, 'e': 'e' || i}, 'd': i * 3}")
          .replace("[{'k': 'v' || i, 'n': i}]", "[{'k': 'v' || i, 'n': i, 'z': i % 2 = 1}]");
        await write(name, `SELECT ${nested}, i * 2 AS added, {'x': i, 'y': 'y' || i} AS added_st FROM range(600, 700) t(i)`, {
          mode: 'append',
          schemaMode: 'merge',
        });
      }
      await write(
        'mapped_partitioned',
        `SELECT i::BIGINT AS "Id Col", 'p' || (i % 4) AS "Part Col", {'My Field': i} AS "Nested Col" FROM range(0, 200) t(i)`,
        { partitionBy: ['Part Col'], properties: { 'delta.columnMapping.mode': 'name' } },
      );
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each(['partitioned', 'evolved', 'mapped_name', 'mapped_id', 'mapped_partitioned'])('%s: read_parquet gives the Arrow path’s rows and types', async (name) => {
      const { scans } = await same(engine, root, `SELECT * FROM delta_scan('${name}') ORDER BY ALL`);
      expect(scans[0]!.fallbackReason).toBeUndefined();
      expect(scans[0]).toMatchObject({ reader: 'read_parquet' });
      expect(await leftovers(engine)).toBe(0);
    });

    it('prunes by partition values and stats, then reads the kept files natively', async () => {
      const sql = "SELECT id, part_s, part_dec FROM delta_scan('partitioned') WHERE part_s = 'p1' AND part_dec IS NULL AND id >= 500 ORDER BY id";
      const { scans, rows } = await same(engine, root, sql);
      expect(scans[0]).toMatchObject({ reader: 'read_parquet', columnsRead: ['id', 'part_s', 'part_dec'] });
      expect(scans[0]!.filesRead).toBeLessThan(scans[0]!.filesTotal);
      expect(rows).toContain('"id":505');
    });

    it.each(['evolved', 'mapped_name', 'mapped_id'])('%s: reads evolved columns and struct fields as NULL in older files', async (name) => {
      const sql = `SELECT count(*) FILTER (WHERE added IS NULL) AS missing, count(added_st) AS present, count(st.d) AS nested,
        count(*) FILTER (WHERE st IS NOT NULL AND st.d IS NULL) AS nested_missing, count(arr_st[1].z) AS in_list FROM delta_scan('${name}')`;
      const { rows, scans } = await same(engine, root, sql);
      expect(scans[0]!.reader).toBe('read_parquet');
      // Rows 0-599 predate the added columns and fields; every 7th row has a NULL struct.
      expect(JSON.parse(rows)).toEqual([{ missing: 300, present: 400, nested: 86, nested_missing: 514, in_list: 100 }]);
      // Stats pruning keeps only files written before the columns existed: no file read has them at all.
      const old = await same(engine, root, `SELECT id, added, added_st, st FROM delta_scan('${name}') WHERE id < 10 ORDER BY id`);
      expect(old.scans[0]).toMatchObject({ reader: 'read_parquet', filesRead: 1 });
      expect(old.rows).toContain('"added":null,"added_st":null');
    });

    it('matches the wasm engine', async () => {
      const { openSession } = await import('../src/session.js');
      const wasm = await openSession({ root, engine: 'wasm' });
      try {
        for (const name of ['partitioned', 'mapped_name']) {
          const sql = `SELECT * FROM delta_scan('${name}') ORDER BY ALL`;
          expect((await scan(engine, root, sql, true)).rows).toEqual(renderJson(await wasm.sql(sql)));
        }
      } finally {
        await wasm.close();
      }
    });

    it('floors nanosecond timestamps of other writers to microseconds as the Arrow path does', async () => {
      const table = join(root, 'nanos');
      await writeDeltaTable(table, await engine.query("SELECT TIMESTAMP '2020-01-01' AS ts, TIMESTAMPTZ '2020-01-01 00:00:00+00' AS tz, 1 AS n"), {
        allowTimestampNtz: true,
      });
      // Replace the data file by one with nanosecond timestamps either side of the epoch (as Spark or pandas may write).
      const file = join(table, readdirSync(table).find((f) => f.endsWith('.parquet'))!);
      const values = ['1969-12-31 23:59:59.9999995', '1969-12-31 23:59:59.999999', '2020-01-01 00:00:00.0000015', '1900-01-01 00:00:00.000000001'];
      const select = values.map((v, i) => `SELECT TIMESTAMP_NS '${v}' AS ts, TIMESTAMP_NS '${v}' AS tz, ${i} AS n`).join(' UNION ALL ');
      await engine.query(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
      const { scans, rows } = await same(engine, root, "SELECT * FROM delta_scan('nanos') ORDER BY n");
      expect(scans[0]!.reader).toBe('read_parquet');
      expect(rows).toContain('"ts":"1969-12-31T23:59:59.999999"');
      expect(rows).not.toContain('1970-01-01T00:00:00');
    });

    it('falls back to the Arrow path for a data column that would hide a read_parquet virtual column', async () => {
      await writeDeltaTable(join(root, 'virtual'), await engine.query('SELECT 7::BIGINT AS file_index, 1 AS x'));
      const { scans } = await same(engine, root, "SELECT * FROM delta_scan('virtual')");
      expect(scans[0]).toMatchObject({ reader: 'arrow', fallbackReason: expect.stringMatching(/column file_index/) });
    });

    it('falls back to the Arrow path for tables outside local disk, and when asked to', async () => {
      const mem = `memory://native-scan-${Date.now()}/t`;
      await writeDeltaTable(mem, await engine.query('SELECT 1::BIGINT AS x'));
      const { scans } = await same(engine, root, `SELECT * FROM delta_scan('${mem}')`);
      expect(scans[0]).toMatchObject({ reader: 'arrow', fallbackReason: expect.stringMatching(/not on local disk/) });
      const off = await scan(engine, root, "SELECT * FROM delta_scan('evolved') LIMIT 1", false);
      expect(off.scans[0]).toMatchObject({ reader: 'arrow' });
      expect(off.scans[0]!.fallbackReason).toBeUndefined();
    });
  });
});
