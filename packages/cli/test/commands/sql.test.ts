// `duckrun sql` end to end in-process: output formats, files, errors, delta_scan with --root.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { goldenRoot, goldenSkipReason, runCli } from '../helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'duckrun-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const nativeSkipReason: string | undefined = await import('@duckdb/node-api').then(
  () => undefined,
  (e: unknown) => `@duckdb/node-api cannot load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
);

const VALUES = "SELECT * FROM (VALUES (1, 'a', DATE '2024-01-02'), (2, NULL, NULL)) t(id, name, day) ORDER BY id";

describe('duckrun sql', () => {
  it('prints an aligned table with NULL shown as NULL by default', async () => {
    const { code, stdout, stderr } = await runCli(['sql', VALUES]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        '┌────┬──────┬────────────┐',
        '│ id │ name │ day        │',
        '├────┼──────┼────────────┤',
        '│  1 │ a    │ 2024-01-02 │',
        '│  2 │ NULL │ NULL       │',
        '└────┴──────┴────────────┘',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it.skipIf(nativeSkipReason !== undefined)(`runs on native DuckDB with --engine native${nativeSkipReason ? ` (skipped: ${nativeSkipReason})` : ''}`, async () => {
    const { code, stdout, stderr } = await runCli(['sql', '--engine', 'native', '--debug', '--format', 'csv', VALUES]);
    expect(code).toBe(0);
    expect(stdout).toBe('id,name,day\n1,a,2024-01-02\n2,,\n');
    expect(stderr).toMatch(/^debug: duckdb-native v1\./);
  });

  it('refuses an unknown --engine before starting DuckDB', async () => {
    const { code, stderr } = await runCli(['sql', '--engine', 'spark', 'SELECT 1']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown --engine "spark"; use wasm or native');
  });

  it('prints CSV with a header and JSON as one array of objects', async () => {
    expect((await runCli(['sql', '--format', 'csv', VALUES])).stdout).toBe('id,name,day\n1,a,2024-01-02\n2,,\n');
    const json = await runCli(['sql', '-f', 'json', 'SELECT 9007199254740993::BIGINT AS big, 7::BIGINT AS small, TIMESTAMP \'2024-01-02 03:04:05\' AS ts']);
    expect(JSON.parse(json.stdout)).toEqual([{ big: '9007199254740993', small: 7, ts: '2024-01-02T03:04:05' }]);
    expect((await runCli(['sql', '--format=json', 'SELECT 1 AS a WHERE false'])).stdout).toBe('[]\n');
  });

  it('reads the SQL from stdin when given -', async () => {
    expect((await runCli(['sql', '--format', 'csv', '-'], 'SELECT 40 + 2 AS answer')).stdout).toBe('answer\n42\n');
  });

  it('reports a failing statement as one error line with exit code 1, and adds detail with --debug', async () => {
    const plain = await runCli(['sql', 'SELECT * FROM no_such_table']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(/^error: Catalog Error: Table with name no_such_table does not exist![^\n]*\n$/);
    const debug = await runCli(['sql', '--debug', 'SELECT * FROM no_such_table']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('debug: duckdb-wasm v1.');
    expect(debug.stderr).toContain('LINE 1: SELECT * FROM no_such_table');
    expect(debug.stderr).toMatch(/at .*wasm/);
  });

  it('writes .parquet, .csv and .json files and prints a one-line summary', async () => {
    const parquet = join(dir, 'out.parquet');
    const run = await runCli(['sql', '--output', parquet, VALUES]);
    expect(run).toEqual({ code: 0, stdout: `wrote 2 rows to ${parquet}\n`, stderr: '' });
    const back = tableFromIPC(readParquet(readFileSync(parquet)).intoIPCStream());
    expect(back.toArray().map((r) => [r.id, r.name])).toEqual([[1, 'a'], [2, null]]);

    const csv = join(dir, 'out.csv');
    expect((await runCli(['sql', '-o', csv, VALUES])).stdout).toBe(`wrote 2 rows to ${csv}\n`);
    expect(readFileSync(csv, 'utf8')).toBe('id,name,day\n1,a,2024-01-02\n2,,\n');

    const json = join(dir, 'out.json');
    await runCli(['sql', '-o', json, VALUES]);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual([{ id: 1, name: 'a', day: '2024-01-02' }, { id: 2, name: null, day: null }]);
  });

  it('writes an empty parquet file with the result schema for zero rows', async () => {
    const parquet = join(dir, 'empty.parquet');
    expect((await runCli(['sql', '-o', parquet, 'SELECT 1 AS a, \'x\' AS b WHERE false'])).stdout).toBe(`wrote 0 rows to ${parquet}\n`);
    const back = tableFromIPC(readParquet(readFileSync(parquet)).intoIPCStream());
    expect([back.numRows, back.schema.fields.map((f) => f.name)]).toEqual([0, ['a', 'b']]);
  });

  it('leaves an existing output file untouched when the statement fails', async () => {
    const csv = join(dir, 'keep.csv');
    writeFileSync(csv, 'old\n');
    const run = await runCli(['sql', '-o', csv, 'SELECT error(\'boom\') FROM range(10)']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('boom');
    expect(readFileSync(csv, 'utf8')).toBe('old\n');
  });
});

describe.skipIf(goldenSkipReason !== undefined)(`duckrun sql over Delta tables${goldenSkipReason ? ` (skipped: ${goldenSkipReason})` : ''}`, () => {
  it('resolves delta_scan URIs against --root and reports pruning with --debug', async () => {
    const root = join(dir, 'lake');
    cpSync(join(goldenRoot, 'dat-basic_partitioned', 'delta'), join(root, 'letters'), { recursive: true });
    const run = await runCli(['sql', '--root', root, '--debug', '-f', 'csv', "SELECT number FROM delta_scan('letters') WHERE letter = 'a' ORDER BY 1"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('number\n1\n4\n');
    expect(run.stderr).toContain("delta_scan('letters') → file://");
    expect(run.stderr).toContain("read 2 of 6 files; pruned by letter = 'a'");
  });

  it('names the location and exits 1 when delta_scan points at no table', async () => {
    const run = await runCli(['sql', '--root', dir, "SELECT * FROM delta_scan('nothing-here')"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: file:\/\/.*nothing-here is not a Delta table: nothing exists at that location\n$/);
    expect(existsSync(join(dir, 'nothing-here'))).toBe(false);
  });
});
