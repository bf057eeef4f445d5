// Recognising CREATE TABLE … AS and INSERT INTO in SQL text (no engine needed).
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { describeWriteStatement, parseWriteStatement } from '../../src/write/statement.js';

function error(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (!isDuckrunError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected an error');
}

describe('parseWriteStatement', () => {
  it('leaves queries, temp tables, views and other DuckDB statements alone', () => {
    for (const sql of [
      'SELECT 1',
      "SELECT * FROM delta_scan('t') -- CREATE TABLE x AS SELECT 1",
      "SELECT 'INSERT INTO t VALUES (1)' AS s",
      'CREATE TEMP TABLE x AS SELECT 1',
      'CREATE OR REPLACE TEMPORARY TABLE x (a INT)',
      'CREATE VIEW v AS SELECT 1',
      'CREATE MACRO add(a, b) AS a + b',
      'CREATE TEMP TABLE x (a INT); INSERT INTO x VALUES (1); UPDATE x SET a = 2; SELECT * FROM x',
      'INSERT INTO temp.x VALUES (1)',
      'WITH q AS (SELECT 1) SELECT * FROM q',
      'DROP VIEW v',
    ]) {
      expect(parseWriteStatement(sql), sql).toBeUndefined();
    }
  });

  it('treats tables the caller says exist in DuckDB as local', () => {
    expect(parseWriteStatement('INSERT INTO Scratch SELECT 1', { localTables: ['scratch'] })).toBeUndefined();
    expect(parseWriteStatement('DELETE FROM scratch', { localTables: ['scratch'] })).toBeUndefined();
  });

  it('reads CREATE TABLE … AS in its three modes', () => {
    expect(parseWriteStatement('create table sales as select 1 as id;')).toEqual({
      kind: 'create',
      table: { parts: ['sales'] },
      mode: 'error',
      query: 'select 1 as id',
    });
    expect(parseWriteStatement('CREATE OR REPLACE TABLE Sales AS (SELECT 1) -- done')).toMatchObject({ mode: 'overwrite', table: { parts: ['Sales'] }, query: '(SELECT 1)' });
    expect(parseWriteStatement('/* c */ CREATE TABLE IF NOT EXISTS t AS\n  FROM range(3)\n;\n')).toMatchObject({ mode: 'ignore', query: 'FROM range(3)' });
  });

  it('reads UPDATE, DELETE, TRUNCATE, ALTER TABLE ADD COLUMN, DROP TABLE and CREATE TABLE (columns)', () => {
    expect(parseWriteStatement("UPDATE sales.orders AS o SET status = 'x', n = o.n + 1 WHERE o.id IN (1, 2)")).toEqual({
      kind: 'update',
      table: { parts: ['sales', 'orders'] },
      alias: 'o',
      set: [
        ['status', "'x'"],
        ['n', 'o.n + 1'],
      ],
      where: 'o.id IN (1, 2)',
    });
    expect(parseWriteStatement('UPDATE t SET a = (SELECT max(a) FROM u WHERE u.b = 1)')).toMatchObject({ set: [['a', '(SELECT max(a) FROM u WHERE u.b = 1)']], alias: 't' });
    expect(parseWriteStatement('DELETE FROM t WHERE id = 1')).toEqual({ kind: 'delete', table: { parts: ['t'] }, alias: 't', where: 'id = 1' });
    expect(parseWriteStatement('DELETE FROM t')).toEqual({ kind: 'delete', table: { parts: ['t'] }, alias: 't' });
    expect(parseWriteStatement('TRUNCATE t')).toEqual({ kind: 'delete', table: { parts: ['t'] }, alias: 't' });
    expect(parseWriteStatement('ALTER TABLE t ADD COLUMN IF NOT EXISTS "my col" DECIMAL(10, 2)')).toEqual({
      kind: 'add-column',
      table: { parts: ['t'] },
      column: 'my col',
      type: 'DECIMAL(10, 2)',
      ifNotExists: true,
    });
    expect(parseWriteStatement('DROP TABLE IF EXISTS s.t')).toEqual({ kind: 'drop', table: { parts: ['s', 't'] }, ifExists: true });
    expect(parseWriteStatement('CREATE OR REPLACE TABLE t (id INTEGER NOT NULL, name VARCHAR)')).toEqual({
      kind: 'create-empty',
      table: { parts: ['t'] },
      mode: 'overwrite',
      columns: 'id INTEGER NOT NULL, name VARCHAR',
    });
    // DuckDB's own tables keep DuckDB semantics.
    expect(parseWriteStatement('UPDATE tmp SET a = 1', { localTables: ['tmp'] })).toBeUndefined();
    expect(parseWriteStatement('DROP TABLE tmp', { localTables: ['tmp'] })).toBeUndefined();
  });

  it('reads dotted and quoted table names', () => {
    expect(parseWriteStatement('CREATE TABLE sales.orders AS SELECT 1')).toMatchObject({ table: { parts: ['sales', 'orders'] } });
    expect(parseWriteStatement('CREATE TABLE "my table" AS SELECT 1')).toMatchObject({ table: { parts: ['my table'] } });
    expect(parseWriteStatement('INSERT INTO "a""b" . c VALUES (1)')).toMatchObject({ table: { parts: ['a"b', 'c'] } });
  });

  it('reads INSERT INTO with a column list, BY NAME, VALUES and parenthesised queries', () => {
    expect(parseWriteStatement('INSERT INTO t (id, "Full Name") VALUES (1, \'a\'), (2, \'b\')')).toEqual({
      kind: 'insert',
      table: { parts: ['t'] },
      columns: ['id', 'Full Name'],
      byName: false,
      query: "VALUES (1, 'a'), (2, 'b')",
    });
    expect(parseWriteStatement('insert into t by name select 1 as id')).toEqual({ kind: 'insert', table: { parts: ['t'] }, byName: true, query: 'select 1 as id' });
    expect(parseWriteStatement('INSERT INTO t (SELECT 1)')).toMatchObject({ query: '(SELECT 1)', byName: false });
    expect(parseWriteStatement('INSERT INTO t ((SELECT 1) UNION ALL (SELECT 2))')).not.toHaveProperty('columns');
    expect(parseWriteStatement("INSERT INTO t SELECT * FROM delta_scan('other')")).toMatchObject({ query: "SELECT * FROM delta_scan('other')" });
  });

  it('refuses table names that cannot be a folder under the root before anything runs', () => {
    expect(error(() => parseWriteStatement('CREATE TABLE "../x" AS SELECT 1'))).toMatchObject({ code: 'SQL_TABLE_NAME' });
    expect(error(() => parseWriteStatement('INSERT INTO a."" VALUES (1)'))).toMatchObject({ code: 'SQL_TABLE_NAME' });
  });

  it('describes statements the way messages name them', () => {
    expect(describeWriteStatement(parseWriteStatement('CREATE OR REPLACE TABLE "my table" AS SELECT 1')!)).toBe('CREATE OR REPLACE TABLE "my table"');
    expect(describeWriteStatement(parseWriteStatement('CREATE TABLE IF NOT EXISTS a.b AS SELECT 1')!)).toBe('CREATE TABLE IF NOT EXISTS a.b');
    expect(describeWriteStatement(parseWriteStatement('INSERT INTO t VALUES (1)')!)).toBe('INSERT INTO t');
  });

  it.each([
    ['CREATE TABLE t (id INTEGER PRIMARY KEY)', 'PRIMARY is not supported on Delta tables'],
    ['CREATE TABLE t (id INTEGER) WITH (x = 1)', 'must end after its column list'],
    ['CREATE TABLE t', 'CREATE TABLE t must be followed by AS and a query'],
    ['CREATE TABLE t AS', 'CREATE TABLE t AS needs a query after it'],
    ['CREATE OR REPLACE TABLE IF NOT EXISTS t AS SELECT 1', 'cannot also say IF NOT EXISTS'],
    ['INSERT OR REPLACE INTO t VALUES (1)', 'INSERT OR REPLACE is not supported'],
    ['INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING', 'INSERT INTO t … ON CONFLICT is not supported on Delta tables'],
    ['INSERT INTO t VALUES (1) RETURNING *', 'RETURNING is not supported'],
    ['INSERT INTO t DEFAULT VALUES', 'DEFAULT VALUES is not supported'],
    ['INSERT INTO t (a, b + 1) VALUES (1, 2)', 'the column list must be plain column names'],
    ['INSERT INTO t BY NAME (a) SELECT 1', 'give either BY NAME or a column list'],
    ['WITH q AS (SELECT 1) INSERT INTO t SELECT * FROM q', 'put the WITH clause inside the query'],
    ['UPDATE t SET a = s.a FROM s WHERE t.id = s.id', 'UPDATE t … FROM is not supported on Delta tables (it is a join); use DeltaTable.forName'],
    ['UPDATE t SET a = 1 RETURNING *', 'RETURNING is not supported'],
    ['UPDATE t SET WHERE a = 1', 'needs at least one column = value'],
    ['DELETE FROM sales.orders USING x WHERE true', 'DELETE FROM sales.orders USING … is not supported'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', "SQL MERGE INTO t is not supported; use DeltaTable.forName(conn, 't').merge(source, condition)"],
    ['ALTER TABLE t RENAME TO u', 'duckrun supports ALTER TABLE t ADD COLUMN name type'],
    ['ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 1', 'DEFAULT is not supported'],
    ['DROP TABLE t CASCADE', 'drop one table per statement'],
    ['SELECT 1; CREATE TABLE t AS SELECT 1', 'CREATE TABLE t must be the only statement of the SQL text'],
  ])('rejects %j with a message saying what works', (sql, message) => {
    const e = error(() => parseWriteStatement(sql));
    expect(e.code).toBe('SQL_WRITE_STATEMENT');
    expect(e.message).toContain(message);
    expect(e.message).not.toContain('\n');
  });
});
