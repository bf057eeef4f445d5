import { afterEach, describe, expect, it } from 'vitest';
import { copyProject, type TestProject } from './helpers.js';

let p: TestProject | undefined;
afterEach(() => p?.cleanup());

const T = 120_000;

function setSource(p: TestProject, rows: string): void {
  p.write('models/src.sql', `{{ config(materialized='table') }}\nselect id, name, cast(updated_at as timestamp) as updated_at from (values ${rows}) as t(id, name, updated_at)`);
}

describe('snapshots', () => {
  it('keeps type-2 history with the timestamp strategy and invalidates hard deletes', async () => {
    p = copyProject('runner_empty');
    setSource(p, "(1, 'a', '2024-01-01'), (2, 'b', '2024-01-01'), (3, 'c', '2024-01-01')");
    p.write(
      'snapshots/snap.sql',
      `{% snapshot snap %}\n{{ config(target_schema='snapshots', unique_key='id', strategy='timestamp', updated_at='updated_at', invalidate_hard_deletes=True) }}\nselect * from {{ ref('src') }}\n{% endsnapshot %}\n`,
    );
    expect((await p.run('build')).success).toBe(true);
    setSource(p, "(1, 'a', '2024-01-01'), (2, 'B', '2024-02-01'), (4, 'd', '2024-02-01')");
    await p.run('run');
    const r = await p.run('snapshot');
    expect(r.success).toBe(true);
    const rows = await p.rows(
      "select id, name, cast(dbt_valid_from as varchar), dbt_valid_to is null as current from delta_scan('snapshots/snap') order by id, dbt_valid_from",
    );
    expect(rows).toEqual([
      [1, 'a', '2024-01-01 00:00:00', true],
      [2, 'b', '2024-01-01 00:00:00', false],
      [2, 'B', '2024-02-01 00:00:00', true],
      [3, 'c', '2024-01-01 00:00:00', false],
      [4, 'd', '2024-02-01 00:00:00', true],
    ]);
    expect(await p.rows("select count(distinct dbt_scd_id), count(*) from delta_scan('snapshots/snap')")).toEqual([[5, 5]]);
  }, T);

  it('detects changes in check_cols with the check strategy', async () => {
    p = copyProject('runner_empty');
    setSource(p, "(1, 'a', '2024-01-01'), (2, 'b', '2024-01-01')");
    p.write('snapshots/snap.sql', `{% snapshot snap_check %}\n{{ config(unique_key='id', strategy='check', check_cols=['name']) }}\nselect * from {{ ref('src') }}\n{% endsnapshot %}\n`);
    expect((await p.run('build')).success).toBe(true);
    setSource(p, "(1, 'a', '2030-01-01'), (2, 'bb', '2024-01-01')");
    await p.run('run');
    expect((await p.run('snapshot', { now: () => new Date('2024-06-01T00:00:00Z') })).success).toBe(true);
    expect(await p.rows("select id, name, dbt_valid_to is null from delta_scan('main/snap_check') order by id, name")).toEqual([
      [1, 'a', true],
      [2, 'b', false],
      [2, 'bb', true],
    ]);
  }, T);
});

describe('microbatch', () => {
  it('replaces each day window atomically and reruns only the requested windows', async () => {
    p = copyProject('runner_empty');
    p.write(
      'models/events.sql',
      `{{ config(materialized='table', event_time='ts') }}\nselect * from (values (1, timestamp '2024-01-01 10:00:00', 'x'), (2, timestamp '2024-01-02 11:00:00', 'y'), (3, timestamp '2024-01-03 12:00:00', 'z')) as t(id, ts, v)`,
    );
    p.write(
      'models/daily.sql',
      `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='ts', batch_size='day', begin='2024-01-01') }}\nselect id, ts, v from {{ ref('events') }}`,
    );
    const now = () => new Date('2024-01-03T18:00:00Z');
    const first = await p.run('run', { now });
    expect(first.success).toBe(true);
    expect(first.results.find((x) => x.uniqueId === 'model.runner_empty.daily')?.adapterMessage).toBe('SUCCESS 3 batches');
    expect(await p.rows("select id, v from delta_scan('main/daily') order by id")).toEqual([[1, 'x'], [2, 'y'], [3, 'z']]);

    p.write(
      'models/events.sql',
      `{{ config(materialized='table', event_time='ts') }}\nselect * from (values (1, timestamp '2024-01-01 10:00:00', 'X'), (2, timestamp '2024-01-02 11:00:00', 'Y'), (4, timestamp '2024-01-02 15:00:00', 'W'), (3, timestamp '2024-01-03 12:00:00', 'Z')) as t(id, ts, v)`,
    );
    await p.run('run', { select: ['events'], now });
    const r = await p.run('run', { select: ['daily'], now, eventTimeStart: '2024-01-02', eventTimeEnd: '2024-01-03' });
    expect(r.success).toBe(true);
    expect(await p.rows("select id, v from delta_scan('main/daily') order by id")).toEqual([[1, 'x'], [2, 'Y'], [3, 'z'], [4, 'W']]);
  }, T);
});
