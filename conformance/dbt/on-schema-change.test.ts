// dbt adapter suite, incremental on_schema_change: a second run whose SELECT adds a column, under
// ignore, fail, append_new_columns and sync_all_columns (duckrun's sync adds columns and drops none).
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioProject } from './helpers.js';

const model = (mode: string) =>
  `{{ config(materialized='incremental', unique_key='id', on_schema_change='${mode}') }}\n` +
  "{% if not is_incremental() %}\nselect 1 as id, 'a' as field1 union all select 2, 'b'\n" +
  "{% else %}\nselect 2 as id, 'b2' as field1, 'x' as field2 union all select 3, 'c', 'y'\n{% endif %}\n";

describe('on_schema_change', () => {
  const p = new ScenarioProject('schema_change', {
    'models/osc_ignore.sql': model('ignore'),
    'models/osc_fail.sql': model('fail'),
    'models/osc_append.sql': model('append_new_columns'),
    'models/osc_sync.sql': model('sync_all_columns'),
  });
  afterAll(() => p.dispose());

  it('builds every model with two columns first', async () => {
    await p.dbtOk('run');
    for (const t of ['osc_ignore', 'osc_fail', 'osc_append', 'osc_sync']) expect(await p.columns(t)).toEqual(['id', 'field1']);
  });

  it('handles the added column per mode on the incremental run', async () => {
    const run = await p.dbt('run');
    expect(run.statuses).toEqual({ osc_ignore: 'success', osc_fail: 'error', osc_append: 'success', osc_sync: 'success' });
    expect(run.success).toBe(false);
    const failMessage = run.results.find((r) => r.uniqueId === 'model.schema_change.osc_fail')?.message ?? '';
    expect(failMessage).toMatch(/schema/i);

    // ignore: the new column is dropped from the write; the rows still merge.
    expect(await p.columns('osc_ignore')).toEqual(['id', 'field1']);
    expect(await p.rows('osc_ignore', 'id')).toEqual([
      { id: 1, field1: 'a' },
      { id: 2, field1: 'b2' },
      { id: 3, field1: 'c' },
    ]);
    // fail: nothing written.
    expect(await p.rows('osc_fail', 'id')).toEqual([
      { id: 1, field1: 'a' },
      { id: 2, field1: 'b' },
    ]);
    // append_new_columns / sync_all_columns: the column is added; rows written before have NULL.
    for (const t of ['osc_append', 'osc_sync']) {
      expect(await p.columns(t)).toEqual(['id', 'field1', 'field2']);
      expect(await p.rows(t, 'id')).toEqual([
        { id: 1, field1: 'a', field2: null },
        { id: 2, field1: 'b2', field2: 'x' },
        { id: 3, field1: 'c', field2: 'y' },
      ]);
    }
  });
});
