import { afterEach, describe, expect, it } from 'vitest';
import { copyProject, type TestProject } from './helpers.js';

let p: TestProject | undefined;
afterEach(() => p?.cleanup());

/** A source table the incremental models read, replaced between runs. */
function setSource(p: TestProject, rows: string): void {
  p.write('models/src.sql', `{{ config(materialized='table') }}\nselect * from (values ${rows}) as t(id, k2, name, amount)`);
}

const T = 120_000;

describe('incremental models', () => {
  it('appends without a unique_key, then merges on it after the config changes', async () => {
    p = copyProject('runner_empty');
    setSource(p, "(1, 'a', 'one', 10), (2, 'a', 'two', 20)");
    p.write('models/inc.sql', `{{ config(materialized='incremental') }}\nselect * from {{ ref('src') }}`);
    expect((await p.run('run')).success).toBe(true);
    expect((await p.run('run')).success).toBe(true);
    expect(await p.rows("select id, count(*) from delta_scan('main/inc') group by id order by id")).toEqual([[1, 2], [2, 2]]);

    p.write('models/inc.sql', `{{ config(materialized='incremental', unique_key='id') }}\nselect * from {{ ref('src') }}`);
    expect((await p.run('run', { fullRefresh: true })).success).toBe(true);
    setSource(p, "(2, 'a', 'TWO', 22), (3, 'a', 'three', 30)");
    const r = await p.run('run');
    expect(r.success).toBe(true);
    expect(await p.rows("select id, name, amount from delta_scan('main/inc') order by id")).toEqual([[1, 'one', 10], [2, 'TWO', 22], [3, 'three', 30]]);
    expect(r.results.find((x) => x.uniqueId === 'model.runner_empty.inc')?.rowsAffected).toBe(2);
  }, T);

  it('merges on a composite key, keeps excluded columns and honours incremental_predicates', async () => {
    p = copyProject('runner_empty');
    setSource(p, "(1, 'a', 'one', 10), (1, 'b', 'uno', 11), (2, 'a', 'two', 20)");
    p.write(
      'models/inc.sql',
      `{{ config(materialized='incremental', unique_key=['id', 'k2'], merge_exclude_columns=['amount'], incremental_predicates=["DBT_INTERNAL_DEST.id < 10"]) }}\nselect * from {{ ref('src') }}`,
    );
    expect((await p.run('run')).success).toBe(true);
    setSource(p, "(1, 'b', 'UNO', 99), (2, 'a', 'TWO', 99), (4, 'a', 'four', 40)");
    expect((await p.run('run')).success).toBe(true);
    expect(await p.rows("select id, k2, name, amount from delta_scan('main/inc') order by id, k2")).toEqual([
      [1, 'a', 'one', 10],
      [1, 'b', 'UNO', 11],
      [2, 'a', 'TWO', 20],
      [4, 'a', 'four', 40],
    ]);
  }, T);

  it('runs delete+insert (duplicates in the batch kept) and insert (only new keys)', async () => {
    p = copyProject('runner_empty');
    setSource(p, "(1, 'a', 'one', 10), (2, 'a', 'two', 20)");
    p.write('models/di.sql', `{{ config(materialized='incremental', unique_key='id', incremental_strategy='delete+insert') }}\nselect * from {{ ref('src') }}`);
    p.write('models/ins.sql', `{{ config(materialized='incremental', unique_key='id', incremental_strategy='insert') }}\nselect * from {{ ref('src') }}`);
    expect((await p.run('run')).success).toBe(true);
    setSource(p, "(2, 'a', 'TWO', 21), (2, 'b', 'TWO-b', 22), (3, 'a', 'three', 30)");
    expect((await p.run('run')).success).toBe(true);
    expect(await p.rows("select id, name from delta_scan('main/di') order by id, name")).toEqual([[1, 'one'], [2, 'TWO'], [2, 'TWO-b'], [3, 'three']]);
    expect(await p.rows("select id, name from delta_scan('main/ins') order by id, name")).toEqual([[1, 'one'], [2, 'two'], [3, 'three']]);
  }, T);

  it('applies each on_schema_change mode when the model gains a column', async () => {
    p = copyProject('runner_empty');
    setSource(p, "(1, 'a', 'one', 10)");
    for (const mode of ['ignore', 'append_new_columns', 'sync_all_columns', 'fail']) {
      p.write(`models/osc_${mode}.sql`, `{{ config(materialized='incremental', unique_key='id', on_schema_change='${mode}') }}\nselect id, name from {{ ref('src') }}`);
    }
    expect((await p.run('run')).success).toBe(true);
    setSource(p, "(1, 'a', 'one', 10), (2, 'a', 'two', 20)");
    for (const mode of ['ignore', 'append_new_columns', 'sync_all_columns', 'fail']) {
      p.write(`models/osc_${mode}.sql`, `{{ config(materialized='incremental', unique_key='id', on_schema_change='${mode}') }}\nselect id, name, amount from {{ ref('src') }}`);
    }
    const r = await p.run('run');
    const byName = Object.fromEntries(r.results.map((x) => [x.uniqueId.split('.')[2], x]));
    expect(byName['osc_fail']?.status).toBe('error');
    expect(byName['osc_fail']?.message).toMatch(/models\/osc_fail\.sql.*on_schema_change is 'fail'/);
    expect(await p.rows("select * from delta_scan('main/osc_ignore') order by id")).toEqual([[1, 'one'], [2, 'two']]);
    expect(await p.rows("select id, name, amount from delta_scan('main/osc_append_new_columns') order by id")).toEqual([[1, 'one', 10], [2, 'two', 20]]);
    expect(await p.rows("select id, name, amount from delta_scan('main/osc_sync_all_columns') order by id")).toEqual([[1, 'one', 10], [2, 'two', 20]]);
    expect(await p.rows("select * from delta_scan('main/osc_fail') order by id")).toEqual([[1, 'one']]);
  }, T);

  it('fails a safeappend loudly when the table moved after the model read it, and --full-refresh rebuilds', async () => {
    p = copyProject('runner_empty');
    setSource(p, "(1, 'a', 'one', 10)");
    p.write('models/sa.sql', `{{ config(materialized='incremental', incremental_strategy='safeappend') }}\nselect * from {{ ref('src') }}`);
    expect((await p.run('run')).success).toBe(true);
    // The pre-hook commits to the table after the model captured its version: the pinned append must refuse.
    p.write('models/sa.sql', `{{ config(materialized='incremental', incremental_strategy='safeappend', pre_hook="insert into {{ this }} select 9, 'z', 'hook', 0") }}\nselect * from {{ ref('src') }}`);
    const r = await p.run('run', { select: ['sa'] });
    const sa = r.results.find((x) => x.uniqueId === 'model.runner_empty.sa');
    expect(sa?.status).toBe('error');
    expect(sa?.message).toMatch(/models\/sa\.sql/);
    expect(await p.rows("select id from delta_scan('main/sa') order by id")).toEqual([[1], [9]]);
    p.write('models/sa.sql', `{{ config(materialized='incremental', incremental_strategy='safeappend') }}\nselect * from {{ ref('src') }}`);
    expect((await p.run('run', { select: ['sa'], fullRefresh: true })).success).toBe(true);
    expect(await p.rows("select id from delta_scan('main/sa') order by id")).toEqual([[1]]);
  }, T);
});
