// dbt adapter suite, snapshots: timestamp and check strategies, a second run after updates, inserts
// and hard deletes (invalidate_hard_deletes), with dbt_valid_from/dbt_valid_to/dbt_scd_id.
import { afterAll, describe, expect, it } from 'vitest';
import { csv, ScenarioProject } from './helpers.js';

const FIRST = [
  [1, 'Ada', 'gold', '2024-01-01 00:00:00'],
  [2, 'Bo', 'silver', '2024-01-01 00:00:00'],
  [3, 'Cy', 'gold', '2024-01-01 00:00:00'],
];
// 1 changes tier (and updated_at), 2 is unchanged, 3 is deleted, 4 is new.
const SECOND = [
  [1, 'Ada', 'platinum', '2024-02-01 00:00:00'],
  [2, 'Bo', 'silver', '2024-01-01 00:00:00'],
  [4, 'Di', 'silver', '2024-02-01 00:00:00'],
];

const snapshot = (name: string, config: string) =>
  `{% snapshot ${name} %}\n{{ config(target_schema='main', unique_key='id', invalidate_hard_deletes=True, ${config}) }}\nselect * from {{ ref('people') }}\n{% endsnapshot %}\n`;

describe('snapshots', () => {
  const p = new ScenarioProject('snaps', {
    'seeds/people.csv': csv('id,name,tier,updated_at', FIRST),
    'snapshots/people_ts.sql': snapshot('people_ts', "strategy='timestamp', updated_at='updated_at'"),
    'snapshots/people_check.sql': snapshot('people_check', "strategy='check', check_cols=['tier']"),
    'snapshots/people_check_all.sql': snapshot('people_check_all', "strategy='check', check_cols='all'"),
  });
  afterAll(() => p.dispose());

  const history = (table: string) =>
    p.query(
      `SELECT id, tier, dbt_valid_to IS NULL AS is_current, dbt_scd_id IS NOT NULL AS has_scd_id, dbt_valid_from IS NOT NULL AS has_from FROM delta_scan('main/${table}') ORDER BY id, dbt_valid_from`,
    );

  it('takes a first snapshot of every row, all current', async () => {
    await p.dbtOk('seed');
    const run = await p.dbtOk('snapshot');
    expect(run.statuses).toEqual({ people_ts: 'success', people_check: 'success', people_check_all: 'success' });
    for (const t of ['people_ts', 'people_check', 'people_check_all']) {
      expect(await history(t)).toEqual([
        { id: 1, tier: 'gold', is_current: true, has_scd_id: true, has_from: true },
        { id: 2, tier: 'silver', is_current: true, has_scd_id: true, has_from: true },
        { id: 3, tier: 'gold', is_current: true, has_scd_id: true, has_from: true },
      ]);
    }
    const ts = await p.query("SELECT id, CAST(dbt_valid_from AS VARCHAR) AS f FROM delta_scan('main/people_ts') ORDER BY id");
    expect(ts.map((r) => String(r['f']).slice(0, 19))).toEqual(['2024-01-01 00:00:00', '2024-01-01 00:00:00', '2024-01-01 00:00:00']);
  });

  it('closes changed and deleted rows and adds new versions on the second run', async () => {
    p.write('seeds/people.csv', csv('id,name,tier,updated_at', SECOND));
    await p.dbtOk('seed', { fullRefresh: true });
    await p.dbtOk('snapshot');
    const expected = [
      { id: 1, tier: 'gold', is_current: false, has_scd_id: true, has_from: true },
      { id: 1, tier: 'platinum', is_current: true, has_scd_id: true, has_from: true },
      { id: 2, tier: 'silver', is_current: true, has_scd_id: true, has_from: true },
      { id: 3, tier: 'gold', is_current: false, has_scd_id: true, has_from: true },
      { id: 4, tier: 'silver', is_current: true, has_scd_id: true, has_from: true },
    ];
    for (const t of ['people_ts', 'people_check', 'people_check_all']) expect(await history(t)).toEqual(expected);
    // The timestamp strategy closes the old version at the new row's updated_at.
    const closed = await p.query("SELECT CAST(dbt_valid_to AS VARCHAR) AS t FROM delta_scan('main/people_ts') WHERE id = 1 AND dbt_valid_to IS NOT NULL");
    expect(String(closed[0]?.['t']).slice(0, 19)).toBe('2024-02-01 00:00:00');
  });

  it('changes nothing on a third run over the same data', async () => {
    await p.dbtOk('snapshot');
    for (const t of ['people_ts', 'people_check', 'people_check_all']) expect(await history(t)).toHaveLength(5);
  });
});
