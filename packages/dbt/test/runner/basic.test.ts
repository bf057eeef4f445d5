import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, statuses, type TestProject } from './helpers.js';

let p: TestProject | undefined;
afterEach(() => p?.cleanup());

describe('runDbt build of a small project', () => {
  it('seeds, builds views, an ephemeral and a table, runs tests, and writes artifacts', async () => {
    p = copyProject('runner_basic');
    const r = await p.run('build');
    const failures = r.results.filter((x) => x.status !== 'success' && x.status !== 'pass');
    expect(failures).toEqual([]);
    expect(r.success).toBe(true);
    expect(await p.rows("select * from delta_scan('main/raw_customers') order by id")).toEqual([
      [1, 'Ann', '2024-01-05'],
      [2, 'Bob', '2024-02-10'],
      [3, 'Cid', '2024-03-15'],
    ]);
    expect(await p.rows("select * from delta_scan('main/customers') order by customer_id")).toEqual([
      [1, 'Ann', 3000, 2],
      [2, 'Bob', 10000, 1],
      [3, 'Cid', 500, 1],
    ]);
    expect(existsSync(join(p.root, 'main', '_duckrun_views', 'stg_orders.sql'))).toBe(true);
    expect(existsSync(join(p.dir, 'target', 'manifest.json'))).toBe(true);
    expect(existsSync(join(p.dir, 'target', 'run_results.json'))).toBe(true);
    const s = statuses(r);
    expect(s['raw_orders']).toBe('success');
    expect(s['assert_no_negative_totals']).toBe('pass');
    expect(r.results.find((x) => x.uniqueId === 'model.runner_basic.customers')?.rowsAffected).toBe(3);
  }, 120_000);
});
