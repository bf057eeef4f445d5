// Broken projects: a SQL error fails its model and skips what depends on it (nothing written
// downstream); an unknown ref, a cycle and bad YAML are errors naming the file; seeds and earlier
// tables are untouched by a failed run.
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioProject } from './helpers.js';

/** The error text of a command: its thrown message, or the messages of its failed nodes. */
async function failureText(p: ScenarioProject, command: 'run'): Promise<{ text: string; threw: boolean }> {
  try {
    const run = await p.dbt(command);
    expect(run.success).toBe(false);
    return { text: run.results.map((r) => r.message ?? '').join('\n'), threw: false };
  } catch (e) {
    return { text: e instanceof Error ? e.message : String(e), threw: true };
  }
}

describe('a model with a SQL error', () => {
  const p = new ScenarioProject('broken_sql', {
    'models/good.sql': "{{ config(materialized='table') }}\nselect 1 as id\n",
    'models/bad.sql': "{{ config(materialized='table') }}\nselect no_such_column from {{ ref('good') }}\n",
    'models/after_bad.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('bad') }}\n",
    'models/independent.sql': "{{ config(materialized='table') }}\nselect 2 as id\n",
  });
  afterAll(() => p.dispose());

  it('errors the model, skips its children, builds the rest and writes nothing it did not reach', async () => {
    const run = await p.dbt('run');
    expect(run.success).toBe(false);
    expect(run.statuses).toEqual({ good: 'success', bad: 'error', after_bad: 'skipped', independent: 'success' });
    expect(run.results.find((r) => r.status === 'error')?.message).toMatch(/no_such_column/);
    expect(p.isDeltaTable('bad')).toBe(false);
    expect(p.isDeltaTable('after_bad')).toBe(false);
    expect(await p.rows('independent', 'id')).toEqual([{ id: 2 }]);
  });
});

describe.each([
  ['an unknown ref', { 'models/m.sql': "select * from {{ ref('nope') }}\n" }, /models[\\/]m\.sql/, /nope/],
  [
    'a cycle',
    { 'models/m1.sql': "select * from {{ ref('m2') }}\n", 'models/m2.sql': "select * from {{ ref('m1') }}\n" },
    /models[\\/]m[12]\.sql/,
    /cycle/i,
  ],
  ['bad schema YAML', { 'models/m.sql': 'select 1 as id\n', 'models/schema.yml': 'version: 2\nmodels:\n  - name: m\n   columns: [\n' }, /models[\\/]schema\.yml/, /yaml/i],
  ['a Jinja syntax error', { 'models/m.sql': 'select {{ 1 + }} as id\n' }, /models[\\/]m\.sql/, /./],
])('a project with %s', (name, files, fileName, problem) => {
  const p = new ScenarioProject('broken_project', { ...files, 'models/fine.sql': "{{ config(materialized='table') }}\nselect 1 as id\n" });
  afterAll(() => p.dispose());

  it('fails with an error naming the file and writes no table', async () => {
    const { text } = await failureText(p, 'run');
    expect(text).toMatch(fileName);
    expect(text).toMatch(problem);
    expect(p.isDeltaTable('fine')).toBe(false);
  });
});

describe('a missing profile', () => {
  const p = new ScenarioProject('no_profile', { 'models/m.sql': 'select 1 as id\n' });
  afterAll(() => p.dispose());

  it('fails naming profiles.yml', async () => {
    p.remove('profiles.yml');
    const { text } = await failureText(p, 'run');
    expect(text).toMatch(/profiles\.yml/);
  });
});
