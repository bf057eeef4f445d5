// Row-level changes through connect(): SQL UPDATE / DELETE / ALTER / DROP / CREATE TABLE (cols), the
// DeltaTable API (delete, update, merge with every clause kind) — on both engines, checked through the log.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitConflictError, DeltaTable as DeltaLog, writeDeltaTable } from '@duckrun/delta';
import { connect, type Connection } from '../../src/connect/connect.js';
import { DeltaTable } from '../../src/connect/delta-table.js';
import { mergeInto } from '../../src/dml/merge.js';
import { failure, tempRoot } from './helpers.js';

type Row = Record<string, unknown>;

async function commitActions(root: string, name: string, version: number): Promise<Record<string, Record<string, unknown>>[]> {
  const log = await DeltaLog.open(join(root, name));
  const text = new TextDecoder().decode(await log.store.get(`_delta_log/${String(version).padStart(20, '0')}.json`));
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

describe.each(['wasm', 'native'] as const)('row-level changes on the %s engine', (engine) => {
  let root: string;
  let cleanup: () => void;
  let conn: Connection;

  const rows = async (sql: string): Promise<Row[]> => (await conn.sql(sql)).collect();
  const ids = async (table: string): Promise<number[]> => (await rows(`SELECT id FROM ${table} ORDER BY id`)).map((r) => Number(r.id));

  beforeAll(async () => {
    ({ root, cleanup } = tempRoot(`dml-${engine}`));
    conn = await connect(root, { readOnly: false, engine });
  });
  afterAll(async () => {
    await conn?.stop();
    cleanup?.();
  });

  describe('SQL statements', () => {
    it('DELETE removes matching rows, rewrites only files holding them, and reports the count', async () => {
      await conn.sql("CREATE TABLE del AS SELECT i::INTEGER AS id, 'r' || i AS name FROM range(10) t(i)");
      await conn.sql('INSERT INTO del SELECT i::INTEGER, \'s\' || i FROM range(100, 105) t(i)');
      const out = await (await conn.sql('DELETE FROM del WHERE id >= 100 AND id < 102')).collect();
      expect(out).toEqual([{ action: 'deleted', table: 'del', version: 2, rows: 2 }]);
      expect(await ids('del')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 102, 103, 104]);
      const actions = await commitActions(root, 'del', 2);
      expect(actions[0]!.commitInfo).toMatchObject({ operation: 'DELETE', readVersion: 1 });
      // Stats prune the file of version 0 (ids 0–9): only the second file is replaced.
      expect(actions.filter((a) => a.remove)).toHaveLength(1);
    });

    it('DELETE with no match commits nothing; DELETE without WHERE empties the table; NULL predicates keep the row', async () => {
      await conn.sql('CREATE TABLE del2 AS SELECT * FROM (VALUES (1, 10), (2, NULL), (3, 30)) t(id, v)');
      expect(await (await conn.sql('DELETE FROM del2 WHERE id = 99')).collect()).toEqual([{ action: 'deleted', table: 'del2', version: 0, rows: 0 }]);
      await conn.sql('DELETE FROM del2 WHERE v > 15');
      expect(await ids('del2')).toEqual([1, 2]);
      await conn.sql('DELETE FROM del2');
      expect(await ids('del2')).toEqual([]);
    });

    it('DELETE may read other tables in a subquery', async () => {
      await conn.sql('CREATE TABLE del3 AS SELECT i::INTEGER AS id FROM range(6) t(i)');
      await conn.sql('CREATE TABLE gone AS SELECT * FROM (VALUES (1), (4)) t(id)');
      await conn.sql('DELETE FROM del3 WHERE id IN (SELECT id FROM gone)');
      expect(await ids('del3')).toEqual([0, 2, 3, 5]);
    });

    it('UPDATE sets columns of matching rows, with the table alias, keeping the column types', async () => {
      await conn.sql("CREATE TABLE upd AS SELECT i::INTEGER AS id, 'open' AS status, i * 1.5 AS amount FROM range(5) t(i)");
      const out = await (await conn.sql("UPDATE upd AS u SET status = 'closed', amount = u.amount * 2 WHERE u.id % 2 = 0")).collect();
      expect(out).toEqual([{ action: 'updated', table: 'upd', version: 1, rows: 3 }]);
      expect(await rows('SELECT id, status, amount::DOUBLE AS amount FROM upd ORDER BY id')).toEqual([
        { id: 0, status: 'closed', amount: 0 },
        { id: 1, status: 'open', amount: 1.5 },
        { id: 2, status: 'closed', amount: 6 },
        { id: 3, status: 'open', amount: 4.5 },
        { id: 4, status: 'closed', amount: 12 },
      ]);
      const snap = await (await DeltaLog.open(join(root, 'upd'))).snapshot();
      expect(snap.schema.fields.map((f) => [f.name, f.type])).toEqual([
        ['id', 'integer'],
        ['status', 'string'],
        ['amount', { type: 'decimal', precision: 21, scale: 1 }],
      ]);
    });

    it('UPDATE SET expressions and WHERE may read other tables', async () => {
      await conn.sql('CREATE TABLE upd3 AS SELECT i::INTEGER AS id, 0 AS price FROM range(3) t(i)');
      await conn.sql('CREATE TABLE prices AS SELECT * FROM (VALUES (1, 10), (2, 20)) t(id, p)');
      await conn.sql('UPDATE upd3 SET price = (SELECT max(p) FROM prices) WHERE id IN (SELECT id FROM prices)');
      expect(await rows('SELECT id, price FROM upd3 ORDER BY id')).toEqual([
        { id: 0, price: 0 },
        { id: 1, price: 20 },
        { id: 2, price: 20 },
      ]);
    });

    it('UPDATE of an unknown column names it and the table; a failing expression carries DuckDB\'s message', async () => {
      await conn.sql('CREATE TABLE upd2 AS SELECT 1::INTEGER AS id');
      const unknown = await failure(conn.sql('UPDATE upd2 SET nope = 1'));
      expect(unknown.message).toMatch(/upd2 has no column "nope"/);
      const bad = await failure(conn.sql("UPDATE upd2 SET id = 'abc'"));
      expect(bad.code).toBe('SQL_QUERY');
      expect(bad.message).toMatch(/UPDATE upd2: .*abc/);
      expect(await (await DeltaLog.open(join(root, 'upd2'))).version()).toBe(0);
    });

    it('ALTER TABLE ADD COLUMN adds a nullable column that old rows read as NULL', async () => {
      await conn.sql('CREATE TABLE alt AS SELECT 1::INTEGER AS id');
      expect(await (await conn.sql('ALTER TABLE alt ADD COLUMN note VARCHAR')).collect()).toEqual([{ action: 'altered', table: 'alt', version: 1, rows: 0 }]);
      await conn.sql("INSERT INTO alt VALUES (2, 'two')");
      expect(await rows('SELECT id, note FROM alt ORDER BY id')).toEqual([
        { id: 1, note: null },
        { id: 2, note: 'two' },
      ]);
      expect((await failure(conn.sql('ALTER TABLE alt ADD COLUMN note INTEGER'))).message).toMatch(/column "note" already exists/);
      expect(await (await conn.sql('ALTER TABLE alt ADD COLUMN IF NOT EXISTS note INTEGER')).collect()).toMatchObject([{ action: 'skipped' }]);
      expect((await failure(conn.sql('ALTER TABLE alt DROP COLUMN note'))).message).toMatch(/ADD COLUMN/);
    });

    it('CREATE TABLE with column definitions makes an empty table of those types', async () => {
      await conn.sql('CREATE TABLE typed (id BIGINT NOT NULL, name TEXT, price DECIMAL(10,2), day DATE)');
      const snap = await (await DeltaLog.open(join(root, 'typed'))).snapshot();
      expect(snap.schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
        ['id', 'long', false],
        ['name', 'string', true],
        ['price', { type: 'decimal', precision: 10, scale: 2 }, true],
        ['day', 'date', true],
      ]);
      await conn.sql("INSERT INTO typed VALUES (1, 'a', 9.99, DATE '2024-05-01')");
      expect(await rows('SELECT count(*)::INTEGER AS n FROM typed')).toEqual([{ n: 1 }]);
      expect((await failure(conn.sql('CREATE TABLE typed (x INTEGER)'))).code).toBe('SQL_TABLE_EXISTS');
      expect((await failure(conn.sql('CREATE TABLE pk (id INTEGER PRIMARY KEY)'))).message).toMatch(/PRIMARY is not supported/);
    });

    it('DROP TABLE is a soft tombstone: the name disappears, files and history stay, CREATE TABLE revives it', async () => {
      await conn.sql("CREATE TABLE drp AS SELECT 1::INTEGER AS id, 'old' AS v");
      expect(await (await conn.sql('DROP TABLE drp')).collect()).toEqual([{ action: 'dropped', table: 'drp', version: 0, rows: 0 }]);
      expect(await conn.catalog.tableExists('drp')).toBe(false);
      expect(await conn.catalog.listTables()).not.toContain('drp');
      expect((await failure(conn.table('drp'))).message).toMatch(/was dropped/);
      expect((await failure(conn.sql('INSERT INTO drp VALUES (2, \'x\')'))).message).toMatch(/was dropped/);
      // History stays readable by time travel, and the files stay.
      expect(await (await conn.read.format('delta').option('versionAsOf', 0).load('drp')).collect()).toEqual([{ id: 1, v: 'old' }]);
      expect(await (await conn.sql('DROP TABLE IF EXISTS drp')).collect()).toMatchObject([{ action: 'skipped' }]);
      // Revival: a fresh schema at a new version of the same log.
      await conn.sql("CREATE TABLE drp AS SELECT 'new' AS label");
      expect(await conn.catalog.tableExists('drp')).toBe(true);
      expect(await rows('SELECT * FROM drp')).toEqual([{ label: 'new' }]);
      expect(await (await DeltaLog.open(join(root, 'drp'))).version()).toBe(1);
    });

    it('refuses SQL MERGE, UPDATE … FROM and DELETE … USING with a pointer to DeltaTable.merge', async () => {
      await conn.sql('CREATE TABLE m0 AS SELECT 1 AS id');
      const merge = await failure(conn.sql('MERGE INTO m0 USING (SELECT 1 AS id) s ON m0.id = s.id WHEN MATCHED THEN DELETE'));
      expect(merge.message).toMatch(/DeltaTable\.forName\(conn, 'm0'\)\.merge/);
      expect((await failure(conn.sql('UPDATE m0 SET id = s.id FROM (SELECT 2 AS id) s'))).message).toMatch(/merge/);
      expect((await failure(conn.sql('DELETE FROM m0 USING (SELECT 1 AS id) s WHERE m0.id = s.id'))).message).toMatch(/merge/);
    });

    it('refuses every row-level change on a read-only connection', async () => {
      await conn.sql('CREATE TABLE ro AS SELECT 1 AS id');
      const ro = await connect(root, { engine });
      try {
        for (const sql of ['DELETE FROM ro', 'UPDATE ro SET id = 2', 'ALTER TABLE ro ADD COLUMN x INTEGER', 'DROP TABLE ro', 'CREATE TABLE ro2 (id INTEGER)']) {
          expect((await failure(ro.sql(sql))).code).toBe('SQL_READ_ONLY');
        }
        const dt = await DeltaTable.forName(ro, 'ro');
        expect((await failure(dt.delete())).code).toBe('SQL_READ_ONLY');
        expect((await failure(dt.merge('SELECT 1 AS id', 'target.id = source.id').whenMatchedDelete().execute())).code).toBe('SQL_READ_ONLY');
      } finally {
        await ro.stop();
      }
      expect(await (await DeltaLog.open(join(root, 'ro'))).version()).toBe(0);
    });
  });

  describe('DeltaTable', () => {
    it('forName fails naming the table and the root; forPath opens by location', async () => {
      const e = await failure(DeltaTable.forName(conn, 'nowhere'));
      expect(e.code).toBe('SQL_TABLE_NOT_FOUND');
      expect(e.message).toContain('nowhere');
      expect(e.message).toContain(root);
      await conn.sql('CREATE TABLE fp AS SELECT 1 AS id');
      expect(await (await DeltaTable.forPath(conn, join(root, 'fp'))).version()).toBe(0);
    });

    it('delete, update, history, version, detail, restoreToVersion', async () => {
      await conn.sql("CREATE TABLE api AS SELECT i::INTEGER AS id, 'x' AS tag FROM range(4) t(i)");
      const dt = await DeltaTable.forName(conn, 'api');
      expect(await dt.delete('id = 3')).toMatchObject({ rowsDeleted: 1, version: 1 });
      expect(await dt.update('id < 2', { tag: "'low'" })).toMatchObject({ rowsUpdated: 2, version: 2 });
      expect(await rows('SELECT id, tag FROM api ORDER BY id')).toEqual([
        { id: 0, tag: 'low' },
        { id: 1, tag: 'low' },
        { id: 2, tag: 'x' },
      ]);
      expect((await dt.history()).map((h) => h.operation)).toEqual(['UPDATE', 'DELETE', 'CREATE TABLE AS SELECT']);
      expect(await dt.version()).toBe(2);
      const detail = await dt.detail();
      expect(detail).toMatchObject({ format: 'delta', version: 2, partitionColumns: [], minReaderVersion: 1, minWriterVersion: 2, location: pathToFileURL(join(root, 'api')).href });
      expect(detail.numFiles).toBeGreaterThan(0);
      await dt.restoreToVersion(0);
      expect(await ids('api')).toEqual([0, 1, 2, 3]);
    });
  });

  describe('merge', () => {
    async function customers(name: string): Promise<DeltaTable> {
      await conn.sql(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM (VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30)) t(id, name, score)`);
      return DeltaTable.forName(conn, name);
    }
    const all = async (name: string): Promise<Row[]> => rows(`SELECT id, name, score FROM ${name} ORDER BY id`);

    it('upserts: whenMatchedUpdate + whenNotMatchedInsert, with Delta\'s counts and a pinned MERGE commit', async () => {
      const dt = await customers('m1');
      const src = await conn.sql("SELECT * FROM (VALUES (2, 'bobby', 21), (4, 'dee', 40)) s(id, name, score)");
      const r = await dt.merge(src, 'target.id = source.id').whenMatchedUpdate({ name: 'source.name', score: 'source.score' }).whenNotMatchedInsert({ id: 'source.id', name: 'source.name', score: 'source.score' }).execute();
      expect(r).toMatchObject({ committed: true, version: 1, readVersion: 0, numSourceRows: 2, numTargetRowsUpdated: 1, numTargetRowsInserted: 1, numTargetRowsDeleted: 0 });
      expect(await all('m1')).toEqual([
        { id: 1, name: 'ann', score: 10 },
        { id: 2, name: 'bobby', score: 21 },
        { id: 3, name: 'cy', score: 30 },
        { id: 4, name: 'dee', score: 40 },
      ]);
      const info = (await commitActions(root, 'm1', 1))[0]!.commitInfo!;
      expect(info).toMatchObject({ operation: 'MERGE', readVersion: 0 });
      expect(info.operationMetrics).toMatchObject({ numTargetRowsUpdated: '1', numTargetRowsInserted: '1', numSourceRows: '2' });
    });

    it('updateAll / insertAll, conditional clauses in order, and whenMatchedDelete', async () => {
      const dt = await customers('m2');
      const src = "SELECT * FROM (VALUES (1, 'ANN', 0), (2, 'BOB', 99), (3, 'CY', 31), (5, 'eve', 50), (6, 'fay', -1)) s(id, name, score)";
      const r = await dt
        .merge(src, 'target.id = source.id')
        .whenMatchedDelete('source.score = 0')
        .whenMatchedUpdate({ score: 'source.score' }, 'source.score > 50')
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll('source.score >= 0')
        .execute();
      expect(r).toMatchObject({ numTargetRowsDeleted: 1, numTargetRowsUpdated: 2, numTargetRowsInserted: 1 });
      expect(await all('m2')).toEqual([
        { id: 2, name: 'bob', score: 99 },
        { id: 3, name: 'CY', score: 31 },
        { id: 5, name: 'eve', score: 50 },
      ]);
    });

    it('whenNotMatchedBySource update and delete act on target rows no source row matches', async () => {
      const dt = await customers('m3');
      await dt.merge("SELECT 1 AS id", 'target.id = source.id').whenNotMatchedBySourceUpdate({ score: 'target.score + 1' }, 'target.id = 2').whenNotMatchedBySourceDelete().execute();
      expect(await all('m3')).toEqual([
        { id: 1, name: 'ann', score: 10 },
        { id: 2, name: 'bob', score: 21 },
      ]);
    });

    it('composite keys from an Arrow source, with a custom source alias', async () => {
      await conn.sql("CREATE TABLE lines AS SELECT * FROM (VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c')) t(o, l, v)");
      const dt = (await DeltaTable.forName(conn, 'lines')).alias('t');
      const src = tableFromArrays({ o: Int32Array.of(1, 2), l: Int32Array.of(2, 2), v: ['B', 'new'] });
      const r = await dt.merge(src, 't.o = s.o AND t.l = s.l', { sourceAlias: 's' }).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
      expect(r).toMatchObject({ numTargetRowsUpdated: 1, numTargetRowsInserted: 1 });
      expect(await rows('SELECT o, l, v FROM lines ORDER BY o, l')).toEqual([
        { o: 1, l: 1, v: 'a' },
        { o: 1, l: 2, v: 'B' },
        { o: 2, l: 1, v: 'c' },
        { o: 2, l: 2, v: 'new' },
      ]);
    });

    it('insert-only merge commits an append of the anti-join, removing no file', async () => {
      const dt = await customers('m4');
      const r = await dt.merge("SELECT * FROM (VALUES (3, 'x', 0), (7, 'gil', 70)) s(id, name, score)", 'target.id = source.id').whenNotMatchedInsertAll().execute();
      expect(r).toMatchObject({ numTargetRowsInserted: 1, numTargetFilesRemoved: 0 });
      expect((await all('m4')).map((x) => x.id)).toEqual([1, 2, 3, 7]);
      const actions = await commitActions(root, 'm4', r.version);
      expect(actions.some((a) => a.remove)).toBe(false);
    });

    it('on a partitioned table, a merge keyed on the partition removes files of the touched partition only', async () => {
      const uri = join(root, 'parts');
      for (const day of ['d1', 'd2', 'd3']) {
        await writeDeltaTable(uri, tableFromArrays({ id: Int32Array.of(1, 2), day: [day, day], v: Float64Array.of(1, 2) }), { mode: 'append', partitionBy: ['day'] });
      }
      const dt = await DeltaTable.forName(conn, 'parts');
      const r = await dt.merge("SELECT 2 AS id, 'd2' AS day, 9.0 AS v", 'target.day = source.day AND target.id = source.id').whenMatchedUpdateAll().execute();
      expect(r).toMatchObject({ numTargetRowsUpdated: 1, numTargetRowsCopied: 1, numTargetFilesScanned: 1, numTargetFilesTotal: 3 });
      const removed = (await commitActions(root, 'parts', r.version)).filter((a) => a.remove).map((a) => String(a.remove!.path));
      expect(removed).toHaveLength(1);
      expect(removed[0]).toMatch(/^day=d2\//);
      expect(await rows('SELECT day, id, v FROM parts ORDER BY day, id')).toEqual([
        { day: 'd1', id: 1, v: 1 },
        { day: 'd1', id: 2, v: 2 },
        { day: 'd2', id: 1, v: 1 },
        { day: 'd2', id: 2, v: 9 },
        { day: 'd3', id: 1, v: 1 },
        { day: 'd3', id: 2, v: 2 },
      ]);
    });

    it.skipIf(engine !== 'native')('on the native engine, DuckDB writes the rewritten files itself (column-mapped tables fall back to Arrow)', async () => {
      const dt = await customers('mcopy');
      const r = await dt.merge("SELECT 2 AS id, 'b2' AS name, 22 AS score UNION ALL SELECT 9, 'new', 90", 'target.id = source.id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
      const added = (await commitActions(root, 'mcopy', r.version)).filter((a) => a.add).map((a) => join(root, 'mcopy', decodeURIComponent(String(a.add!.path))));
      expect(added.length).toBeGreaterThan(0);
      for (const file of added) {
        const meta = await (await conn.sql(`SELECT created_by FROM parquet_file_metadata('${file.replaceAll("'", "''")}')`)).collect();
        expect(String(meta[0]!.created_by)).toMatch(/duckdb/i);
      }
      expect((await all('mcopy')).map((x) => [x.id, x.score])).toEqual([[1, 10], [2, 22], [3, 30], [9, 90]]);

      const mapped = join(root, 'mapped');
      await writeDeltaTable(mapped, tableFromArrays({ id: Int32Array.of(1, 2), name: ['a', 'b'], score: Int32Array.of(1, 2) }), { properties: { 'delta.columnMapping.mode': 'name' } });
      const m = await (await DeltaTable.forName(conn, 'mapped')).merge("SELECT 2 AS id, 'B' AS name, 20 AS score", 'target.id = source.id').whenMatchedUpdateAll().execute();
      expect(m.numTargetRowsUpdated).toBe(1);
      expect(await rows('SELECT id, name, score FROM mapped ORDER BY id')).toEqual([
        { id: 1, name: 'a', score: 1 },
        { id: 2, name: 'B', score: 20 },
      ]);
    });

    it('fails when several source rows match one target row, committing nothing', async () => {
      const dt = await customers('m5');
      const e = await failure(dt.merge("SELECT * FROM (VALUES (1, 'a', 1), (1, 'b', 2)) s(id, name, score)", 'target.id = source.id').whenMatchedUpdateAll().execute());
      expect(e.code).toBe('SQL_MERGE_CARDINALITY');
      expect(await (await DeltaLog.open(join(root, 'm5'))).version()).toBe(0);
    });

    it('is pinned: a commit landing while the MERGE runs fails it with CommitConflictError and nothing is applied', async () => {
      await customers('m6');
      const uri = join(root, 'm6');
      const ctx = conn.session.writeContext();
      const conflicting = mergeInto(
        {
          ...ctx,
          // The source is prepared after the target version is pinned: another writer commits in between.
          prepare: async (sql) => {
            await writeDeltaTable(uri, tableFromArrays({ id: Int32Array.of(10), name: ['y'], score: Int32Array.of(10) }), { mode: 'append' });
            return ctx.prepare(sql);
          },
        },
        {
          tableUri: uri,
          label: 'm6',
          source: "SELECT 2 AS id, 'q' AS name, 2 AS score",
          condition: 'target.id = source.id',
          targetAlias: 'target',
          sourceAlias: 'source',
          matched: [{ kind: 'update', set: '*' }],
          notMatched: [],
          notMatchedBySource: [],
        },
      );
      await expect(conflicting).rejects.toBeInstanceOf(CommitConflictError);
      expect(await all('m6')).toEqual([
        { id: 1, name: 'ann', score: 10 },
        { id: 2, name: 'bob', score: 20 },
        { id: 3, name: 'cy', score: 30 },
        { id: 10, name: 'y', score: 10 },
      ]);
    });

    it('rejects clauses naming unknown columns, and an unconditional clause before others of its kind', async () => {
      const dt = await customers('m7');
      expect((await failure(dt.merge('SELECT 1 AS id', 'target.id = source.id').whenMatchedUpdate({ nope: '1' }).execute())).message).toMatch(/"nope", which is not a column of m7/);
      expect((await failure(dt.merge('SELECT 1 AS id', 'target.id = source.id').whenMatchedUpdateAll().execute())).message).toMatch(/source has no "name"/);
      expect((await failure(dt.merge('SELECT 1 AS id', 'target.id = source.id').whenMatchedDelete().whenMatchedUpdate({ score: '1' }, 'true').execute())).message).toMatch(/no condition/);
      expect((await failure(dt.merge('SELECT 1 AS id', 'target.id = source.id').execute())).code).toBe('SQL_MERGE_CLAUSE');
    });
  });
});
