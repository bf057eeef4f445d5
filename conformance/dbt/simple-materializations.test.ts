// dbt adapter suite, basic: BaseSimpleMaterializations (seed → view, table, swappable table/view),
// BaseEmpty (an empty model file) and BaseEphemeral (an ephemeral model inlined as a CTE).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csv, ScenarioProject } from './helpers.js';

const SEED_ROWS = [
  [1, 'Ada', '2024-01-01'],
  [2, 'Bo', '2024-01-02'],
  [3, 'Cy', '2024-01-03'],
  [4, 'Di', '2024-01-04'],
  [5, 'Ed', '2024-01-05'],
];

describe('simple materializations: seed → view, table, swappable', () => {
  const p = new ScenarioProject('base', {
    'seeds/base.csv': csv('id,name,some_date', SEED_ROWS),
    'models/view_model.sql': "{{ config(materialized='view') }}\nselect * from {{ ref('base') }}\n",
    'models/table_model.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('base') }}\n",
    // Reads the view, so a table built over a view proves views are visible to later models.
    'models/table_over_view.sql': "{{ config(materialized='table') }}\nselect id, upper(name) as name from {{ ref('view_model') }}\n",
    'models/swappable.sql': "{{ config(materialized=var('materialized_var', 'table')) }}\nselect * from {{ ref('base') }}\n",
  });
  afterAll(() => p.dispose());

  it('seeds 5 typed rows', async () => {
    const seed = await p.dbtOk('seed');
    expect(seed.statuses).toEqual({ base: 'success' });
    expect(await p.rows('base', 'id')).toEqual(SEED_ROWS.map(([id, name, d]) => ({ id, name, some_date: d })));
    const types = await p.query("SELECT typeof(id) AS id, typeof(name) AS name, typeof(some_date) AS d FROM delta_scan('main/base') LIMIT 1");
    expect(types).toEqual([{ id: 'INTEGER', name: 'VARCHAR', d: 'DATE' }]);
  });

  it('runs a view, two tables and the swappable model as a table', async () => {
    const run = await p.dbtOk('run');
    expect(run.statuses).toEqual({ view_model: 'success', table_model: 'success', table_over_view: 'success', swappable: 'success' });
    expect(p.isDeltaTable('view_model')).toBe(false);
    expect(p.isDeltaTable('table_model')).toBe(true);
    expect(await p.rows('table_model', 'id')).toEqual(await p.rows('base', 'id'));
    expect(await p.rows('table_over_view', 'id')).toEqual(SEED_ROWS.map(([id, name]) => ({ id, name: String(name).toUpperCase() })));
    expect(await p.rows('swappable', 'id')).toEqual(await p.rows('base', 'id'));
  });

  it('swaps the swappable model to a view and back to a table', async () => {
    const toView = await p.dbtOk('run', { select: ['swappable'], vars: { materialized_var: 'view' } });
    expect(toView.statuses).toEqual({ swappable: 'success' });
    // A table reading the (now) view sees the seed rows.
    p.write('models/over_swappable.sql', "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('swappable') }}\n");
    await p.dbtOk('run', { select: ['over_swappable'], vars: { materialized_var: 'view' } });
    expect(await p.rows('over_swappable', 'n')).toEqual([{ n: 5 }]);

    const back = await p.dbtOk('run', { select: ['swappable'] });
    expect(back.statuses).toEqual({ swappable: 'success' });
    expect(p.isDeltaTable('swappable')).toBe(true);
    expect(await p.rows('swappable', 'id')).toEqual(await p.rows('base', 'id'));
  });

  it('rebuilds everything again on a second full run (idempotent)', async () => {
    p.remove('models/over_swappable.sql');
    const again = await p.dbtOk('run');
    expect(Object.values(again.statuses).every((s) => s === 'success')).toBe(true);
    expect(await p.rows('table_model', 'id')).toHaveLength(5);
  });
});

describe('empty model', () => {
  const p = new ScenarioProject('empty', {
    // dbt parses a file with no SQL into an empty node and leaves it out of runs.
    'models/empty_model.sql': '\n',
    'models/real_model.sql': "{{ config(materialized='table') }}\nselect 1 as id\n",
  });
  afterAll(() => p.dispose());

  it('runs a project with an empty model file without an error and builds the others', async () => {
    const run = await p.dbt('run');
    expect(run.results.filter((r) => r.status === 'error').map((r) => r.message)).toEqual([]);
    expect(run.statuses['real_model']).toBe('success');
    expect(run.success).toBe(true);
    expect(await p.rows('real_model', 'id')).toEqual([{ id: 1 }]);
  });
});

describe('ephemeral models', () => {
  const p = new ScenarioProject('ephem', {
    'seeds/people.csv': csv('id,name,active', [
      [1, 'Ada', true],
      [2, 'Bo', false],
      [3, 'Cy', true],
    ]),
    'models/active_people.sql': "{{ config(materialized='ephemeral') }}\nselect id, name from {{ ref('people') }} where active\n",
    'models/double_ephemeral.sql': "{{ config(materialized='ephemeral') }}\nselect id, name || '!' as name from {{ ref('active_people') }}\n",
    'models/people_table.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('double_ephemeral') }}\n",
    'models/people_view.sql': "{{ config(materialized='view') }}\nselect * from {{ ref('active_people') }}\n",
    'models/people_view_count.sql': "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('people_view') }}\n",
  });
  beforeAll(() => p.dbtOk('seed'));
  afterAll(() => p.dispose());

  it('inlines ephemeral models (nested) as CTEs and writes no relation for them', async () => {
    const run = await p.dbtOk('run');
    expect(run.statuses['people_table']).toBe('success');
    expect(run.statuses['active_people']).toBeUndefined();
    expect(await p.rows('people_table', 'id')).toEqual([
      { id: 1, name: 'Ada!' },
      { id: 3, name: 'Cy!' },
    ]);
    expect(await p.rows('people_view_count', 'n')).toEqual([{ n: 2 }]);
    expect(p.isDeltaTable('active_people')).toBe(false);
    expect(p.isDeltaTable('double_ephemeral')).toBe(false);
    const compiled = run.results.find((r) => r.uniqueId === 'model.ephem.people_table')?.compiledCode ?? '';
    expect(compiled).toContain('__dbt__cte__double_ephemeral');
    expect(compiled).toContain('__dbt__cte__active_people');
  });
});
