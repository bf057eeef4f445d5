// `duckrun sql --write` end to end in-process: CREATE TABLE … AS and INSERT INTO write Delta tables under --root.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable } from '@duckrun/delta';
import { runCli } from '../helpers.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'duckrun-cli-write-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const sql = (...args: string[]) => runCli(['sql', '--root', root, ...args]);

describe('duckrun sql --write', () => {
  it('creates a table, inserts into it, and reads it back with delta_scan', async () => {
    expect(await sql('--write', "CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) v(id, name)")).toEqual({
      code: 0,
      stdout: 'created t (version 0): 3 rows\n',
      stderr: '',
    });
    expect(await sql('--write', "insert into t (name, id) values ('d', 4), ('e', 5)")).toEqual({
      code: 0,
      stdout: 'inserted 2 rows into t (version 1)\n',
      stderr: '',
    });
    const snap = await (await DeltaTable.open(join(root, 't'))).snapshot();
    expect([snap.version, snap.schema.fields.map((f) => `${f.name}:${String(f.type)}`)]).toEqual([1, ['id:integer', 'name:string']]);
    // --write leaves plain queries working as before.
    expect((await sql('--write', '-f', 'csv', "SELECT * FROM delta_scan('t') WHERE id > 2 ORDER BY id")).stdout).toBe('id,name\n3,\n4,d\n5,e\n');
  });

  it('inserts from another Delta table (by delta_scan or by name), skips IF NOT EXISTS, and replaces with OR REPLACE', async () => {
    expect((await sql('--write', "CREATE TABLE \"my copy\" AS SELECT * FROM delta_scan('t') WHERE id = 1")).stdout).toBe('created "my copy" (version 0): 1 row\n');
    expect((await sql('--write', 'INSERT INTO "my copy" SELECT * FROM t WHERE id > 1')).stdout).toBe('inserted 4 rows into "my copy" (version 1)\n');
    expect((await sql('--write', 'CREATE TABLE IF NOT EXISTS "my copy" AS SELECT 1 AS x')).stdout).toBe('"my copy" already exists (version 1): nothing written\n');
    expect((await sql('--write', "CREATE OR REPLACE TABLE \"my copy\" AS SELECT 'only' AS x")).stdout).toBe('replaced "my copy" (version 2): 1 row\n');
    expect((await sql('-f', 'csv', "SELECT * FROM delta_scan('my copy')")).stdout).toBe('x\nonly\n');
  });

  it('refuses a write statement without --write, before starting DuckDB', async () => {
    const started = performance.now();
    const run = await sql('CREATE TABLE nope AS SELECT 1 AS a');
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: CREATE TABLE nope writes a Delta table, but duckrun sql is read-only by default; pass --write to allow it\n',
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(existsSync(join(root, 'nope'))).toBe(false);
    expect((await sql('INSERT INTO t VALUES (9, \'z\')')).stderr).toContain('error: INSERT INTO t writes a Delta table, but duckrun sql is read-only by default; pass --write');
  });

  it.each([
    ['CREATE TABLE t AS SELECT 1 AS a', /^error: table t already exists at file:\/\/\S+\/t \(version 1\); use CREATE OR REPLACE TABLE t AS … to replace it/],
    ['INSERT INTO missing SELECT 1', /^error: INSERT INTO missing: there is no Delta table at file:\/\/\S+\/missing; create it first with CREATE TABLE missing AS …\n$/],
    ['CREATE TABLE "../escape" AS SELECT 1 AS a', /^error: table name "..\/escape" must name a folder under the root/],
    ['CREATE TABLE wide AS SELECT 1::UHUGEINT AS total', /^error: CREATE TABLE wide: column "total" has DuckDB type UHUGEINT, which a Delta table cannot hold; cast it, e.g. CAST\("total" AS DECIMAL\(38,0\)\)\n$/],
    ['CREATE TABLE huge AS SELECT 170141183460469231731687303715884105727::HUGEINT AS total', /^error: CREATE TABLE huge: .*INT128.*\n$|^error: CREATE TABLE huge: .*out of range.*\n$|^error: CREATE TABLE huge: .*cast.*\n$/i],
    ['UPDATE t SET nope = 1', /^error: UPDATE t: table t has no column "nope"; its columns are id, name\n$/],
    ['MERGE INTO t USING t AS s ON t.a = s.a WHEN MATCHED THEN DELETE', /^error: SQL MERGE INTO t is not supported; use DeltaTable\.forName/],
  ])('fails %j with one error line and exit code 1', async (statement, message) => {
    const run = await sql('--write', statement);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(join(root, '..', 'escape'))).toBe(false);
  });

  it('rejects --output with a write statement as a usage error', async () => {
    const run = await sql('--write', '-o', join(root, 'x.csv'), 'CREATE TABLE x AS SELECT 1 AS a');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --output applies to query results; CREATE TABLE x writes a Delta table instead, so leave --output out');
  });
});
