// dbt adapter suite, incremental: BaseIncremental (append), BaseIncrementalUniqueKey (merge on one
// key and on a composite key), BaseMergeExcludeColumns, BaseIncrementalPredicates and --full-refresh.
import { afterAll, describe, expect, it } from 'vitest';
import { csv, ScenarioProject } from './helpers.js';

describe('incremental append, then merge on unique_key', () => {
  const p = new ScenarioProject('incr', {
    'seeds/events_1.csv': csv('id,msg', [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]),
    'seeds/events_2.csv': csv('id,msg', [
      [3, 'c2'],
      [4, 'd'],
      [5, 'e'],
    ]),
    // Reads whichever seed --vars names, as dbt's BaseIncremental swaps its source.
    'models/appended.sql': "{{ config(materialized='incremental') }}\nselect * from {{ ref(var('batch', 'events_1')) }}\n",
    'models/merged.sql': "{{ config(materialized='incremental', unique_key='id') }}\nselect * from {{ ref(var('batch', 'events_1')) }}\n",
    'models/filtered.sql':
      "{{ config(materialized='incremental') }}\nselect * from {{ ref(var('batch', 'events_1')) }}\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}\n",
  });
  afterAll(() => p.dispose());

  it('creates the tables on the first run', async () => {
    await p.dbtOk('seed');
    await p.dbtOk('run');
    for (const t of ['appended', 'merged', 'filtered']) {
      expect(await p.rows(t, 'id')).toEqual([
        { id: 1, msg: 'a' },
        { id: 2, msg: 'b' },
        { id: 3, msg: 'c' },
      ]);
    }
  });

  it('appends without a key, merges with one, and filters with is_incremental()', async () => {
    await p.dbtOk('run', { vars: { batch: 'events_2' } });
    expect(await p.rows('appended', 'id, msg')).toEqual([
      { id: 1, msg: 'a' },
      { id: 2, msg: 'b' },
      { id: 3, msg: 'c' },
      { id: 3, msg: 'c2' },
      { id: 4, msg: 'd' },
      { id: 5, msg: 'e' },
    ]);
    expect(await p.rows('merged', 'id')).toEqual([
      { id: 1, msg: 'a' },
      { id: 2, msg: 'b' },
      { id: 3, msg: 'c2' },
      { id: 4, msg: 'd' },
      { id: 5, msg: 'e' },
    ]);
    expect(await p.rows('filtered', 'id')).toEqual([
      { id: 1, msg: 'a' },
      { id: 2, msg: 'b' },
      { id: 3, msg: 'c' },
      { id: 4, msg: 'd' },
      { id: 5, msg: 'e' },
    ]);
  });

  it('rebuilds from scratch with --full-refresh', async () => {
    const run = await p.dbtOk('run', { vars: { batch: 'events_2' }, fullRefresh: true });
    expect(run.statuses['appended']).toBe('success');
    const expected = [
      { id: 3, msg: 'c2' },
      { id: 4, msg: 'd' },
      { id: 5, msg: 'e' },
    ];
    expect(await p.rows('appended', 'id')).toEqual(expected);
    expect(await p.rows('merged', 'id')).toEqual(expected);
    expect(await p.rows('filtered', 'id')).toEqual(expected);
  });
});

describe('incremental merge on a composite unique_key', () => {
  const p = new ScenarioProject('incr_composite', {
    'seeds/places_1.csv': csv('state,county,city,last_visit_date', [
      ['CT', 'Hartford', 'Hartford', '2022-02-14'],
      ['MA', 'Suffolk', 'Boston', '2020-02-12'],
      ['NJ', 'Mercer', 'Trenton', '2022-01-01'],
      ['NY', 'Kings', 'Brooklyn', '2021-04-02'],
    ]),
    'seeds/places_2.csv': csv('state,county,city,last_visit_date', [
      ['MA', 'Suffolk', 'Boston', '2022-03-01'],
      ['NY', 'New York', 'Manhattan', '2021-04-01'],
      ['NY', 'Kings', 'Brooklyn', '2022-05-05'],
    ]),
    'models/visits.sql':
      "{{ config(materialized='incremental', unique_key=['state', 'county', 'city']) }}\nselect * from {{ ref(var('batch', 'places_1')) }}\n",
  });
  afterAll(() => p.dispose());

  it('updates rows whose whole key matches and inserts the rest', async () => {
    await p.dbtOk('seed');
    await p.dbtOk('run');
    await p.dbtOk('run', { vars: { batch: 'places_2' } });
    expect(await p.rows('visits', 'state, county, city')).toEqual([
      { state: 'CT', county: 'Hartford', city: 'Hartford', last_visit_date: '2022-02-14' },
      { state: 'MA', county: 'Suffolk', city: 'Boston', last_visit_date: '2022-03-01' },
      { state: 'NJ', county: 'Mercer', city: 'Trenton', last_visit_date: '2022-01-01' },
      { state: 'NY', county: 'Kings', city: 'Brooklyn', last_visit_date: '2022-05-05' },
      { state: 'NY', county: 'New York', city: 'Manhattan', last_visit_date: '2021-04-01' },
    ]);
  });
});

describe('merge_exclude_columns and merge_update_columns', () => {
  const model = (config: string) =>
    `{{ config(materialized='incremental', unique_key='id', ${config}) }}\n` +
    "{% if not is_incremental() %}\nselect 1 as id, 'hello' as msg, 'blue' as color\nunion all select 2, 'goodbye', 'red'\n" +
    "{% else %}\nselect 1 as id, 'hey' as msg, 'blue' as color\nunion all select 2, 'yo', 'green'\nunion all select 3, 'anyway', 'purple'\n{% endif %}\n";
  const p = new ScenarioProject('merge_cols', {
    'models/excluded.sql': model("merge_exclude_columns=['msg']"),
    'models/updated.sql': model("merge_update_columns=['msg']"),
  });
  afterAll(() => p.dispose());

  it('leaves excluded columns of matched rows as they were; inserts new rows whole', async () => {
    await p.dbtOk('run');
    await p.dbtOk('run');
    expect(await p.rows('excluded', 'id')).toEqual([
      { id: 1, msg: 'hello', color: 'blue' },
      { id: 2, msg: 'goodbye', color: 'green' },
      { id: 3, msg: 'anyway', color: 'purple' },
    ]);
    expect(await p.rows('updated', 'id')).toEqual([
      { id: 1, msg: 'hey', color: 'blue' },
      { id: 2, msg: 'yo', color: 'red' },
      { id: 3, msg: 'anyway', color: 'purple' },
    ]);
  });
});

describe('incremental_predicates', () => {
  const model = (strategy: string) =>
    `{{ config(materialized='incremental', unique_key='id', incremental_strategy='${strategy}', incremental_predicates=['DBT_INTERNAL_DEST.id != 2']) }}\n` +
    "{% if not is_incremental() %}\nselect 1 as id, 'hello' as msg, 'blue' as color\nunion all select 2, 'goodbye', 'red'\n" +
    "{% else %}\nselect 1 as id, 'hey' as msg, 'blue' as color\nunion all select 2, 'yo', 'green'\nunion all select 3, 'anyway', 'purple'\n{% endif %}\n";
  const p = new ScenarioProject('predicates', {
    'models/by_merge.sql': model('merge'),
    'models/by_delete_insert.sql': model('delete+insert'),
  });
  afterAll(() => p.dispose());

  it('restricts the target rows a merge or delete+insert may touch', async () => {
    await p.dbtOk('run');
    await p.dbtOk('run');
    // Row 2 of the target is outside the predicate: it is kept, and the incoming row 2 is added beside it.
    const expected = [
      { id: 1, msg: 'hey', color: 'blue' },
      { id: 2, msg: 'goodbye', color: 'red' },
      { id: 2, msg: 'yo', color: 'green' },
      { id: 3, msg: 'anyway', color: 'purple' },
    ];
    expect(await p.rows('by_merge', 'id, msg')).toEqual(expected);
    expect(await p.rows('by_delete_insert', 'id, msg')).toEqual(expected);
  });
});

describe('other incremental strategies', () => {
  const model = (strategy: string) =>
    `{{ config(materialized='incremental', unique_key='id', incremental_strategy='${strategy}') }}\n` +
    "{% if not is_incremental() %}\nselect 1 as id, 'a' as msg union all select 2, 'b'\n" +
    "{% else %}\nselect 2 as id, 'b2' as msg union all select 2, 'b3' union all select 3, 'c'\n{% endif %}\n";
  const p = new ScenarioProject('strategies', {
    'models/by_insert.sql': model('insert'),
    'models/by_delete_insert.sql': model('delete+insert'),
  });
  afterAll(() => p.dispose());

  it('insert adds only new keys; delete+insert replaces matching keys and keeps duplicates in the batch', async () => {
    await p.dbtOk('run');
    await p.dbtOk('run');
    expect(await p.rows('by_insert', 'id, msg')).toEqual([
      { id: 1, msg: 'a' },
      { id: 2, msg: 'b' },
      { id: 3, msg: 'c' },
    ]);
    expect(await p.rows('by_delete_insert', 'id, msg')).toEqual([
      { id: 1, msg: 'a' },
      { id: 2, msg: 'b2' },
      { id: 2, msg: 'b3' },
      { id: 3, msg: 'c' },
    ]);
  });
});
