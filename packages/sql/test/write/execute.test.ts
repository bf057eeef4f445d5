// Write statements end to end on each engine: DuckDB runs the query, our writer commits Delta tables under a temp root.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable } from '@duckrun/delta';
import { openSession, type SqlSession } from '../../src/session.js';
import { renderJson } from '../../src/render/json.js';
import { ENGINES } from '../engines.js';
import { failure as code } from '../connect/helpers.js';

let dir: string;
let session: SqlSession;

async function rows(sql: string): Promise<unknown[]> {
  return JSON.parse(renderJson(await session.sql(sql))) as unknown[];
}

async function temporaries(): Promise<number> {
  const t = await session.engine.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE '__duckrun%'");
  return Number(t.getChild('n')!.get(0));
}

describe.each(ENGINES)('%s engine', (kind) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duckrun-sql-write-'));
    session = await openSession({ root: dir, readOnly: false, engine: kind });
  });
  afterAll(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('write statements', () => {
    it('creates a Delta table from a query with many column types and reads it back', async () => {
      const outcome = await session.write(`
        CREATE TABLE typed AS
        SELECT i AS id, 'name ' || i AS name, (i * 1.25)::DECIMAL(10,2) AS amount, i % 2 = 0 AS even,
               DATE '2024-05-01' + i::INTEGER AS day, (TIMESTAMP '2024-05-01 10:00:00' + to_hours(i))::TIMESTAMPTZ AS at,
               i::TINYINT AS tiny, i::DOUBLE / 3 AS ratio, ('x' || i)::BLOB AS bytes,
               [i, i + 1] AS list, {'a': i, 'b': 'v' || i} AS rec, MAP {'k': i} AS kv,
               (CASE WHEN i = 1 THEN 'lo' ELSE 'hi' END)::ENUM('lo', 'hi') AS level, [i, i]::INTEGER[2] AS pair
        FROM range(1, 4) r(i)`);
      expect(outcome).toEqual({ dataFiles: kind === 'native' ? { writer: 'duckdb-copy' } : { writer: 'arrow', encoder: 'parquet-wasm-workers' }, action: 'created', table: 'typed', tableUri: expect.stringMatching(/^file:\/\/.*\/typed$/), version: 0, rowsWritten: 3, filesAdded: 1 });
      const snap = await (await DeltaTable.open(join(dir, 'typed'))).snapshot();
      expect(snap.partitionColumns).toEqual([]);
      expect(snap.schema.fields.map((f) => [f.name, typeof f.type === 'string' ? f.type : f.type.type])).toEqual([
        ['id', 'long'],
        ['name', 'string'],
        ['amount', 'decimal'],
        ['even', 'boolean'],
        ['day', 'date'],
        ['at', 'timestamp'],
        ['tiny', 'byte'],
        ['ratio', 'double'],
        ['bytes', 'binary'],
        ['list', 'array'],
        ['rec', 'struct'],
        ['kv', 'map'],
        ['level', 'string'],
        ['pair', 'array'],
      ]);
      // Neither timestamp_ntz nor any other table feature: the lowest protocol.
      expect([snap.protocol.minReaderVersion, snap.protocol.minWriterVersion]).toEqual([1, 2]);
      let read = 0;
      for await (const batch of snap.scan()) read += batch.numRows;
      expect(read).toBe(3);
      expect(await rows(`SELECT id, name, amount, day, "at", rec, level, pair FROM delta_scan('typed') ORDER BY id LIMIT 1`)).toEqual([
        { id: 1, name: 'name 1', amount: 1.25, day: '2024-05-02', at: '2024-05-01T11:00:00Z', rec: { a: 1, b: 'v1' }, level: 'lo', pair: [1, 1] },
      ]);
    });

    it('inserts with a column list, casting to the table types and filling the rest with NULL', async () => {
      await session.write("CREATE TABLE people AS SELECT 1::BIGINT AS id, 'ann' AS name, 10.5::DECIMAL(6,2) AS score");
      const outcome = await session.write("INSERT INTO people (score, id) VALUES (7, 2), (8.25, 3)");
      expect(outcome).toMatchObject({ action: 'inserted', table: 'people', version: 1, rowsWritten: 2 });
      const snap = await (await DeltaTable.open(join(dir, 'people'))).snapshot();
      expect(snap.schema.fields.map((f) => f.type)).toEqual(['long', 'string', { type: 'decimal', precision: 6, scale: 2 }]);
      expect(await rows("SELECT * FROM delta_scan('people') ORDER BY id")).toEqual([
        { id: 1, name: 'ann', score: 10.5 },
        { id: 2, name: null, score: 7 },
        { id: 3, name: null, score: 8.25 },
      ]);
      await session.write("INSERT INTO people BY NAME SELECT 'bob' AS name, 4 AS id");
      expect(await rows("SELECT count(*) AS n, count(score) AS scored FROM delta_scan('people')")).toEqual([{ n: 4, scored: 3 }]);
    });

    it('inserts the rows of another Delta table read with delta_scan, and of the table itself', async () => {
      await session.write("CREATE TABLE sales.eu AS SELECT * FROM (VALUES (1, 'de'), (2, 'fr')) v(id, country)");
      await session.write("CREATE TABLE sales.all AS SELECT * FROM delta_scan('sales/eu') WHERE false");
      expect(await session.write("INSERT INTO sales.all SELECT * FROM delta_scan('sales/eu')")).toMatchObject({ action: 'inserted', version: 1, rowsWritten: 2 });
      expect(await session.write("INSERT INTO sales.all SELECT id + 10, country FROM delta_scan('sales/eu', version => 0)")).toMatchObject({ version: 2, rowsWritten: 2 });
      expect(await session.write('INSERT INTO sales.all SELECT * FROM delta_scan(\'sales/all\')')).toMatchObject({ version: 3, rowsWritten: 4 });
      expect(await rows("SELECT count(*) AS n, sum(id) AS s FROM delta_scan('sales/all')")).toEqual([{ n: 8, s: 52 }]);
      expect(await temporaries()).toBe(0);
    });

    it('reads bare names of Delta tables under the root, unless a CTE or DuckDB table has the name', async () => {
      expect(await session.write('CREATE TABLE joined AS SELECT p.id, e.country FROM people p JOIN sales.eu e ON e.id = p.id ORDER BY 1')).toMatchObject({ rowsWritten: 2 });
      expect(await rows("SELECT * FROM delta_scan('joined') ORDER BY id")).toEqual([
        { id: 1, country: 'de' },
        { id: 2, country: 'fr' },
      ]);
      expect(await session.write('INSERT INTO joined WITH people AS (SELECT 99 AS id) SELECT id, \'cte\' FROM people')).toMatchObject({ rowsWritten: 1 });
      await session.sql("CREATE TEMP TABLE people AS SELECT 77 AS id");
      expect(await session.write("INSERT INTO joined SELECT id, 'temp' FROM people")).toMatchObject({ rowsWritten: 1 });
      await session.sql('DROP TABLE people');
      expect(await rows("SELECT id FROM delta_scan('joined') WHERE country IN ('cte', 'temp') ORDER BY id")).toEqual([{ id: 77 }, { id: 99 }]);
    });

    it('creates an empty table from an empty result, keeping its schema', async () => {
      expect(await session.write("CREATE TABLE empty AS SELECT 1::INTEGER AS a, 'x' AS b WHERE false")).toMatchObject({ action: 'created', version: 0, rowsWritten: 0 });
      const snap = await (await DeltaTable.open(join(dir, 'empty'))).snapshot();
      expect(snap.schema.fields.map((f) => [f.name, f.type])).toEqual([
        ['a', 'integer'],
        ['b', 'string'],
      ]);
    });

    it('skips CREATE TABLE IF NOT EXISTS on an existing table without running the query', async () => {
      await session.write('CREATE TABLE keep AS SELECT 1 AS a');
      expect(await session.write("CREATE TABLE IF NOT EXISTS keep AS SELECT error('never run') AS a")).toMatchObject({ action: 'skipped', version: 0, rowsWritten: 0 });
      expect(await session.write('CREATE TABLE IF NOT EXISTS fresh AS SELECT 1 AS a')).toMatchObject({ action: 'created', version: 0, rowsWritten: 1 });
    });

    it('replaces table contents and schema with CREATE OR REPLACE TABLE', async () => {
      await session.write('CREATE TABLE swap AS SELECT 1 AS a');
      expect(await session.write("CREATE OR REPLACE TABLE swap AS SELECT 'x' AS b, 2 AS c UNION ALL SELECT 'y', 3")).toMatchObject({ action: 'replaced', version: 1, rowsWritten: 2 });
      expect(await rows("SELECT * FROM delta_scan('swap') ORDER BY b")).toEqual([
        { b: 'x', c: 2 },
        { b: 'y', c: 3 },
      ]);
      expect(await session.write('CREATE OR REPLACE TABLE swap_new AS SELECT 1 AS a')).toMatchObject({ action: 'created', version: 0 });
    });

    it('streams a large result into several files without holding it in one buffer', async () => {
      const outcome = await session.write("CREATE TABLE big AS SELECT i AS id, md5(i::VARCHAR) AS h FROM range(100000) r(i)");
      expect(outcome).toMatchObject({ rowsWritten: 100000 });
      const small = await openSession({ root: dir, readOnly: false, engine: session.engine, write: { targetFileSize: 512 * 1024 } });
      const split = await small.write("CREATE TABLE big_split AS SELECT * FROM delta_scan('big')");
      expect(split.rowsWritten).toBe(100000);
      expect(split.filesAdded).toBeGreaterThan(2);
      expect(await rows("SELECT count(DISTINCT id) AS n FROM delta_scan('big_split')")).toEqual([{ n: 100000 }]);
    });

    it('runs write statements through sql() too, returning one summary row', async () => {
      expect(await rows('CREATE TABLE via_sql AS SELECT 42 AS answer')).toEqual([{ action: 'created', table: 'via_sql', version: 0, rows: 1 }]);
      expect(await rows('insert into via_sql values (43)')).toEqual([{ action: 'inserted', table: 'via_sql', version: 1, rows: 1 }]);
    });

    it('keeps temp tables created by earlier statements in DuckDB', async () => {
      await session.sql('CREATE TEMP TABLE scratch AS SELECT 1 AS a');
      await session.sql('INSERT INTO scratch VALUES (2)');
      await session.sql('DELETE FROM scratch WHERE a = 1');
      expect(await rows('SELECT * FROM scratch')).toEqual([{ a: 2 }]);
      await session.sql('DROP TABLE scratch');
    });
  });

  describe('write statement errors', () => {
    it('refuses to create a table that exists, naming both ways out', async () => {
      await session.write('CREATE TABLE twice AS SELECT 1 AS a');
      const e = await code(session.write('CREATE TABLE twice AS SELECT 2 AS a'));
      expect(e.code).toBe('SQL_TABLE_EXISTS');
      expect(e.message).toMatch(/^table twice already exists at file:\/\/.*\/twice \(version 0\); use CREATE OR REPLACE TABLE twice AS … to replace it/);
    });

    it('refuses to insert into a missing table', async () => {
      const e = await code(session.write('INSERT INTO missing VALUES (1)'));
      expect(e.code).toBe('SQL_TABLE_NOT_FOUND');
      expect(e.message).toMatch(/^INSERT INTO missing: there is no Delta table at file:\/\/.*\/missing; create it first with CREATE TABLE missing AS …$/);
    });

    it('writes sum() over integers (a DuckDB HUGEINT) as a Delta long', async () => {
      await session.write('CREATE TABLE totals AS SELECT sum(x) AS total FROM range(4) r(x)');
      const snap = await (await DeltaTable.open(join(dir, 'totals'))).snapshot();
      expect(snap.schema.fields[0]!.type).toBe('long');
      const rows: unknown[] = [];
      for await (const b of snap.scan()) rows.push(...b.toArray().map((r) => r.toJSON()));
      expect(rows).toEqual([{ total: 6n }]);
    });

    it('refuses names that leave the root', async () => {
      const e = await code(session.write('CREATE TABLE "../x" AS SELECT 1 AS a'));
      expect(e.code).toBe('SQL_TABLE_NAME');
      expect(e.message).toContain('table name "../x" must name a folder under the root');
    });

    it('refuses columns Delta cannot hold, and zone-less timestamps unless allowed', async () => {
      expect(await code(session.write('CREATE TABLE huge AS SELECT 1::UHUGEINT AS h'))).toMatchObject({
        code: 'SQL_COLUMN_TYPE',
        message: 'CREATE TABLE huge: column "h" has DuckDB type UHUGEINT, which a Delta table cannot hold; cast it, e.g. CAST("h" AS DECIMAL(38,0))',
      });
      const ntz = await code(session.write("CREATE TABLE naive AS SELECT TIMESTAMP '2024-01-01 10:00' AS ts"));
      expect(ntz.code).toBe('SQL_COLUMN_TYPE');
      expect(ntz.message).toContain('CREATE TABLE naive: column "ts" is a TIMESTAMP without time zone, which would make a Delta timestamp_ntz column');
      expect(ntz.message).toContain('CAST it to TIMESTAMPTZ');
      const allowing = await openSession({ root: dir, readOnly: false, engine: session.engine, write: { allowTimestampNtz: true } });
      await allowing.write("CREATE TABLE naive AS SELECT TIMESTAMP '2024-01-01 10:00' AS ts");
      const snap = await (await DeltaTable.open(join(dir, 'naive'))).snapshot();
      expect(snap.schema.fields[0]!.type).toBe('timestamp_ntz');
      // Inserting into an existing timestamp_ntz column is no accident.
      expect(await session.write("INSERT INTO naive VALUES ('2024-01-02 00:00')")).toMatchObject({ rowsWritten: 1 });
    });

    it('refuses writes in a read-only session before running anything', async () => {
      const readOnly = await openSession({ root: dir, engine: session.engine });
      expect(readOnly.readOnly).toBe(true);
      const e = await code(readOnly.sql('INSERT INTO people VALUES (9, \'x\', 1)'));
      expect(e.code).toBe('SQL_READ_ONLY');
      expect(e.message).toMatch(/^INSERT INTO people would write the Delta table file:\/\/.*\/people, but this session is read-only; open it with readOnly: false/);
    });

    it('leaves the engine usable and nothing written when the query fails mid-stream', async () => {
      const e = await code(session.write("CREATE TABLE broken AS SELECT CASE WHEN i = 150000 THEN error('boom') ELSE i END AS i FROM range(200000) r(i)"));
      expect(e.code).toBe('SQL_QUERY');
      expect(e.message).toContain('boom');
      expect(await rows('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      expect(await temporaries()).toBe(0);
      expect(await code(DeltaTable.open(join(dir, 'broken')))).toMatchObject({ code: 'DELTA_NOT_A_TABLE' });
    });

    it('names the statement and the column when a value does not cast to the table type', async () => {
      const e = await code(session.write("INSERT INTO people VALUES (9, 'x', 'lots')"));
      expect(e.code).toBe('SQL_QUERY');
      expect(e.message).toMatch(/^INSERT INTO people: Conversion Error: .*"lots".*DECIMAL\(6,2\).*source column score/);
    });

    it('reports an insert whose columns do not line up', async () => {
      expect(await code(session.write('INSERT INTO people VALUES (1)'))).toMatchObject({
        code: 'SQL_COLUMN_MISMATCH',
        message: 'table people has 3 columns (id, name, score) but the query returns 1; list the columns you insert: INSERT INTO people (id) …',
      });
    });
  });
});
