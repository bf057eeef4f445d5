// duckrun compile, show and ls in-process on a small project: what each prints and its exit code.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

let dir: string;
const flags = () => ['--project-dir', dir, '--profiles-dir', dir];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'duckrun-cli-dbt-'));
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: tiny\nprofile: tiny\n',
    'profiles.yml': `tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckrun\n      root_path: ${JSON.stringify(join(dir, 'warehouse'))}\n`,
    'seeds/nums.csv': 'n,label\n1,one\n2,two\n3,three\n',
    'models/doubled.sql': "{{ config(materialized='table') }}\nselect n * 2 as n2, label from {{ ref('nums') }}\n",
    'models/schema.yml': 'version: 2\nmodels:\n  - name: doubled\n    columns:\n      - name: n2\n        data_tests: [unique]\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const build = await runCli(['build', ...flags()]);
  expect(build.code, build.stdout + build.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duckrun compile', () => {
  it('prints the compiled SQL of --inline', async () => {
    const r = await runCli(['compile', ...flags(), '--inline', "select max(n2) from {{ ref('doubled') }}"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Compiled inline node is:\nselect max\(n2\) from \S*doubled\S*\n$/);
  });

  it('prints the selected model only, not the tests selected with it', async () => {
    const r = await runCli(['compile', ...flags(), '-s', 'doubled']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Compiled node 'doubled' is:\n");
    expect(r.stdout).not.toContain("Compiled node 'unique_doubled_n2'");
  });
});

describe('duckrun show', () => {
  it('previews the rows of inline SQL up to --limit', async () => {
    const r = await runCli(['show', ...flags(), '--inline', "select n2, label from {{ ref('doubled') }} order by n2", '--limit', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Previewing inline node:\n');
    expect(r.stdout).toMatch(/│\s+2 │ one\s+│/);
    expect(r.stdout).toMatch(/│\s+4 │ two\s+│/);
    expect(r.stdout).not.toContain('three');
  });

  it('previews a selected model', async () => {
    const r = await runCli(['show', ...flags(), '-s', 'doubled']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Previewing node 'doubled':\n");
    expect(r.stdout).toContain('three');
  });
});

describe('duckrun ls', () => {
  it.each([
    [[], ['tiny.doubled', 'tiny.nums', 'tiny.unique_doubled_n2']],
    [['--output', 'name'], ['doubled', 'nums', 'unique_doubled_n2']],
    [['--resource-type', 'model', 'seed', '--output', 'path'], ['models/doubled.sql', 'seeds/nums.csv']],
    [['-s', 'doubled', '--resource-type', 'test', '--output', 'name'], ['unique_doubled_n2']],
  ])('with %j lists %j', async (args, expected) => {
    const r = await runCli(['ls', ...flags(), ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').sort()).toEqual(expected);
  });

  it('prints one JSON object per node with --output json', async () => {
    const r = await runCli(['ls', ...flags(), '-s', 'doubled', '--resource-type', 'model', '--output', 'json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'doubled', resource_type: 'model', unique_id: 'model.tiny.doubled', original_file_path: 'models/doubled.sql' });
  });

  it('refuses an unknown --output or --resource-type with exit 2', async () => {
    expect((await runCli(['ls', ...flags(), '--output', 'xml'])).code).toBe(2);
    expect((await runCli(['ls', ...flags(), '--resource-type', 'table'])).stderr).toContain('--resource-type table is not a dbt resource type');
  });
});

describe('duckrun run exit codes', () => {
  it('exits 1 and prints the error when a model fails, 0 when it passes again', async () => {
    writeFileSync(join(dir, 'models/broken.sql'), "select no_such_column from {{ ref('nums') }}\n");
    try {
      const r = await runCli(['run', ...flags(), '-s', 'broken']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^1 of 1 ERROR creating sql view model main\.broken \.+ \[ERROR in \d+\.\d\ds\]$/m);
      expect(r.stdout).toContain('\nRuntime Error in model broken\n');
      expect(r.stdout).toContain('no_such_column');
    } finally {
      rmSync(join(dir, 'models/broken.sql'));
    }
    expect((await runCli(['run', ...flags(), '-s', 'doubled'])).code).toBe(0);
  });

  it('reports a project that cannot load as one error line naming the file, exit 1', async () => {
    const r = await runCli(['run', '--project-dir', join(dir, 'nowhere')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*nowhere[\\/]dbt_project\.yml: not found.*\n$/);
  });
});
