// connect() reads: lazy SQL DataFrames and their actions, table(), time travel, read.format, and read errors.
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDeltaTable } from '@duckrun/delta';
import { connect, type Connection } from '../../src/connect/connect.js';
import { ENGINES } from '../engines.js';
import { failure, tempRoot } from './helpers.js';

describe.each(ENGINES)('on the %s engine', (engine) => {
  let root: string;
  let cleanup: () => void;
  let conn: Connection;
  const printed: string[] = [];

  beforeAll(async () => {
    ({ root, cleanup } = tempRoot(`read-${engine}`));
    const people = join(root, 'people');
    await writeDeltaTable(people, tableFromArrays({ id: Int32Array.of(1, 2), name: ['ann', 'bob'] }));
    await writeDeltaTable(people, tableFromArrays({ id: Int32Array.of(3), name: ['cy'] }), { mode: 'append' });
    // Time travel by timestamp uses the commit files' modification times: pin them apart.
    const log = join(people, '_delta_log');
    utimesSync(join(log, '00000000000000000000.json'), new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'));
    utimesSync(join(log, '00000000000000000001.json'), new Date('2024-02-01T00:00:00Z'), new Date('2024-02-01T00:00:00Z'));
    await writeDeltaTable(join(root, 'sales', 'orders'), tableFromArrays({ order_id: Int32Array.of(10, 11), person: Int32Array.of(1, 3) }));
    conn = await connect(root, { engine, print: (t) => printed.push(t) });
  });
  afterAll(async () => {
    await conn?.stop();
    cleanup?.();
  });

  describe('connect() reads', () => {
    it('is read-only by default and resolves the root to a URL', () => {
      expect(conn.readOnly).toBe(true);
      expect(conn.root).toMatch(/^file:\/\/.*duckrun-connect-read-/);
    });

    it('refuses a text of several statements, asking for one sql() call per statement', async () => {
      const e = await failure(conn.sql("SELECT 1; SELECT ';' AS semicolon_in_a_string"));
      expect(e.code).toBe('SQL_UNSUPPORTED');
      expect(e.message).toContain('conn.sql() runs one statement per call, and this text holds 2');
      expect(await (await conn.sql("SELECT ';' AS s; -- trailing comment")).collect()).toEqual([{ s: ';' }]);
    });

    it('returns a lazy DataFrame from sql() that collects plain rows', async () => {
      const df = await conn.sql('SELECT 1 AS a, 2::BIGINT AS b, 1.5::DECIMAL(4,2) AS d, DATE \'2024-05-01\' AS day');
      expect(df.query).toContain('SELECT 1 AS a');
      expect(await df.collect()).toEqual([{ a: 1, b: 2, d: '1.50', day: '2024-05-01' }]);
    });

    it('reads bare table names and schema.name under the root in sql()', async () => {
      const df = await conn.sql('SELECT p.name, o.order_id FROM people p JOIN sales.orders o ON o.person = p.id ORDER BY o.order_id');
      expect(await df.collect()).toEqual([
        { name: 'ann', order_id: 10 },
        { name: 'cy', order_id: 11 },
      ]);
    });

    it('gives a DataFrame over a table with table(), with toArrow, count, columns and schema', async () => {
      const df = await conn.table('people');
      const reader = await df.toArrow();
      expect(reader.schema.fields.map((f) => f.name)).toEqual(['id', 'name']);
      expect((await reader.toTable()).numRows).toBe(3);
      expect((await df.toTable()).numRows).toBe(3);
      // A reader cancelled after one batch frees the engine for the next statement.
      const early = await (await conn.sql('SELECT * FROM range(100000) t(i)')).toArrow();
      expect((await early.next()).done).toBe(false);
      await early.cancel();
      expect(await df.count()).toBe(3);
      expect(await df.columns()).toEqual(['id', 'name']);
      expect((await df.schema()).fields.map((f) => String(f.type))).toEqual(['Int32', 'Utf8']);
      expect(await (await conn.table('sales.orders')).count()).toBe(2);
    });

    it('streams record batches with toBatches()', async () => {
      const df = await conn.sql('SELECT * FROM range(5000) t(i)');
      let rows = 0;
      for await (const batch of df.toBatches()) rows += batch.numRows;
      expect(rows).toBe(5000);
      // The engine is free again afterwards.
      expect(await df.count()).toBe(5000);
    });

    it('prints the first n rows as a text table with show()', async () => {
      printed.length = 0;
      const text = await (await conn.sql('SELECT * FROM people ORDER BY id')).show(2);
      expect(printed).toEqual([text]);
      expect(text).toContain('│ id │ name │');
      expect(text).toContain('ann');
      expect(text).not.toContain('cy');
      expect(text).toContain('(2 rows)');
    });

    it('travels in time by version and by timestamp, in SQL and with read options', async () => {
      const v0 = await conn.read.format('delta').option('versionAsOf', 0).load('people');
      expect(await v0.count()).toBe(2);
      const jan = await conn.read.option('timestampAsOf', '2024-01-15T00:00:00Z').load(join(root, 'people'));
      expect(await jan.count()).toBe(2);
      const feb = await conn.read.option('timestampAsOf', '2024-02-15T00:00:00Z').load('people');
      expect(await feb.count()).toBe(3);
      const sql = await conn.sql("SELECT count(*) AS n FROM delta_scan('people', version => 0)");
      expect(await sql.collect()).toEqual([{ n: 2 }]);
    });

    it('fails table() on an unknown table naming the table and the root', async () => {
      const e = await failure(conn.table('nope'));
      expect(e.code).toBe('SQL_TABLE_NOT_FOUND');
      expect(e.message).toContain("'nope'");
      expect(e.message).toContain(conn.root);
      expect((await failure(conn.read.load('missing'))).code).toBe('SQL_TABLE_NOT_FOUND');
    });

    it("carries DuckDB's message for a SQL syntax error", async () => {
      const df = await conn.sql('SELECT FROM WHERE 1');
      const e = await failure(df.collect());
      expect(e.code).toBe('SQL_QUERY');
      expect(e.message).toMatch(/syntax error/i);
    });

    it.skipIf(engine !== 'wasm')('refuses parquet and csv reads on the wasm engine, pointing to the native engine', async () => {
      for (const format of ['parquet', 'csv'] as const) {
        const e = await failure(conn.read.format(format).load('x.' + format));
        expect(e.code).toBe('SQL_UNSUPPORTED');
        expect(e.message).toContain("engine: 'native'");
      }
    });

    it('rejects unknown formats and options and conflicting time travel', async () => {
      expect((await failure(() => conn.read.format('json' as 'csv'))).code).toBe('SQL_CONNECT_OPTION');
      expect((await failure(() => conn.read.option('versionAsOf', -1))).code).toBe('SQL_CONNECT_OPTION');
      const both = conn.read.option('versionAsOf', 0).option('timestampAsOf', '2024-01-15T00:00:00Z');
      expect((await failure(both.load('people'))).code).toBe('SQL_CONNECT_OPTION');
    });

    it('runs other statements now and keeps DuckDB views queryable', async () => {
      const created = await conn.sql('CREATE TEMP VIEW small AS SELECT * FROM range(3) t(i) WHERE i > 0');
      expect(await created.count()).toBeGreaterThanOrEqual(0);
      expect(await (await conn.sql('SELECT count(*) AS n FROM small')).collect()).toEqual([{ n: 2 }]);
    });
  });
});
