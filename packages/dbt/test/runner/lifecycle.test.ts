import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, type TestProject } from './helpers.js';

let p: TestProject | undefined;
afterEach(() => p?.cleanup());

const T = 180_000;
const byName = (r: { results: readonly { uniqueId: string; status: string; message?: string | null }[] }) =>
  Object.fromEntries(r.results.map((x) => [x.uniqueId.split('.')[2]!, x]));

describe('runs across invocations', () => {
  it('a fresh invocation sees views and tables of the previous one; a model switches between view and table', async () => {
    p = copyProject('runner_basic');
    expect((await p.run('build')).success).toBe(true);
    // A later process runs one model whose upstream views it did not build, and raw SQL naming a relation.
    p.write('models/marts/raw_sql.sql', `{{ config(materialized='table') }}\nselect count(*) as n from {{ this.schema }}.stg_orders`);
    const r = await p.run('run', { select: ['customers', 'raw_sql'] });
    expect(r.success).toBe(true);
    expect(await p.rows("select n from delta_scan('main/raw_sql')")).toEqual([[4]]);

    p.write('models/staging/stg_customers.sql', `{{ config(materialized='table') }}\nselect id as customer_id, upper(name) as name from {{ ref('raw_customers') }}`);
    expect((await p.run('run', { select: ['stg_customers+'] })).success).toBe(true);
    expect(existsSync(join(p.root, 'main', '_duckrun_views', 'stg_customers.sql'))).toBe(false);
    expect(await p.rows("select name from delta_scan('main/customers') order by customer_id")).toEqual([['ANN'], ['BOB'], ['CID']]);

    p.write('models/staging/stg_customers.sql', `{{ config(materialized='view') }}\nselect id as customer_id, lower(name) as name from {{ ref('raw_customers') }}`);
    expect((await p.run('run', { select: ['stg_customers+'] })).success).toBe(true);
    expect(await p.rows("select name from delta_scan('main/customers') order by customer_id")).toEqual([['ann'], ['bob'], ['cid']]);
  }, T);

  it('selects with graph operators and lists, compiles and shows', async () => {
    p = copyProject('runner_basic');
    const ls = await p.run('ls', { select: ['+customers'] });
    expect(ls.listed).toEqual(
      expect.arrayContaining(['runner_basic.raw_customers', 'runner_basic.staging.stg_customers', 'runner_basic.marts.order_totals', 'runner_basic.marts.customers']),
    );
    // Tests on selected nodes come along (dbt's eager indirect selection); the seed of another branch does not.
    expect(ls.listed).toContain('runner_basic.assert_no_negative_totals');
    const one = await p.run('ls', { select: ['customers'] });
    expect(one.listed).not.toContain('runner_basic.staging.stg_orders');
    const seeds = await p.run('seed', { select: ['raw_orders'] });
    expect(seeds.results.map((x) => x.uniqueId)).toEqual(['seed.runner_basic.raw_orders']);
    const run = await p.run('run', { select: ['stg_orders+'], exclude: ['customers'] });
    expect(run.results.map((x) => x.uniqueId)).toEqual(['model.runner_basic.stg_orders']);
    const compiled = await p.run('compile', { select: ['customers'] });
    expect(compiled.compiled?.[0]?.compiledCode).toMatch(/with __dbt__cte__order_totals as \(/);
    const show = await p.run('show', { inline: "select status, count(*) as n from {{ ref('stg_orders') }} group by status order by status", limit: 2 });
    expect(show.show?.rows).toEqual([['placed', 1], ['returned', 1]]);
  }, T);
});

describe('tests', () => {
  it('reports failing generic and singular tests, honours severity and stores failures', async () => {
    p = copyProject('runner_basic');
    p.write('tests/assert_fails.sql', `{{ config(severity='warn') }}\nselect * from {{ ref('stg_customers') }} where customer_id > 1`);
    p.write('tests/assert_errors.sql', `{{ config(store_failures=true) }}\nselect * from {{ ref('stg_orders') }} where status = 'returned'`);
    p.write('tests/fractional.sql', `{{ config(fail_calc='max(0.5)') }}\nselect * from {{ ref('stg_orders') }}`);
    p.write(
      'models/schema.yml',
      `version: 2\nmodels:\n  - name: stg_orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values:\n              values: ['placed', 'shipped']\n          - not_null:\n              where: "status <> 'returned'"\n`,
    );
    const r = await p.run('build');
    expect(r.success).toBe(false);
    const s = byName(r);
    expect(s['assert_fails']?.status).toBe('warn');
    expect(s['assert_errors']?.status).toBe('fail');
    expect(s['accepted_values_stg_orders_status__placed__shipped']?.status).toBe('fail');
    expect(s['not_null_stg_orders_status']?.status).toBe('pass');
    // run_results records failures as an integer: a fail_calc that is not a whole number errors the test.
    expect(s['fractional']?.status).toBe('error');
    const written = JSON.parse(readFileSync(join(p.dir, 'target/run_results.json'), 'utf8')) as { results: Record<string, unknown>[] };
    for (const x of written.results) expect(x['failures'] === null || Number.isInteger(x['failures'])).toBe(true);
    // A seed is not a compiled resource: dbt leaves compiled, compiled_code and relation_name null for it.
    expect(written.results.find((x) => x['unique_id'] === 'seed.runner_basic.raw_orders')).toMatchObject({ status: 'success', compiled: null, compiled_code: null, relation_name: null });
    expect(await p.rows("select order_id from delta_scan('main_dbt_test__audit/assert_errors')")).toEqual([[13]]);
    // In build, a failing test on stg_orders skips what is downstream of it.
    expect(s['customers']?.status).toBe('skipped');
  }, T);
});

describe('broken projects', () => {
  it('a SQL error fails its model with one line naming the file, skips downstream and writes nothing there', async () => {
    p = copyProject('runner_basic');
    p.write('models/staging/stg_customers.sql', 'select id as customer_id, no_such_column from {{ ref("raw_customers") }}');
    const r = await p.run('build');
    const s = byName(r);
    expect(s['stg_customers']?.status).toBe('error');
    expect(s['stg_customers']?.message).toMatch(/^models\/staging\/stg_customers\.sql: /);
    expect(s['stg_customers']?.message).not.toMatch(/\n/);
    expect(s['customers']?.status).toBe('skipped');
    expect(existsSync(join(p.root, 'main', 'customers'))).toBe(false);
    expect(s['stg_orders']?.status).toBe('success');
  }, T);

  it('refuses to start on an unknown ref, a cycle or bad YAML, naming the file', async () => {
    p = copyProject('runner_basic');
    p.write('models/marts/bad.sql', "select * from {{ ref('nope') }}");
    await expect(p.run('run')).rejects.toThrow(/models\/marts\/bad\.sql.*'nope'/);
    p.write('models/marts/bad.sql', "select * from {{ ref('bad2') }}");
    p.write('models/marts/bad2.sql', "select * from {{ ref('bad') }}");
    await expect(p.run('run')).rejects.toThrow(/cycle.*bad/);
    p.remove('models/marts/bad.sql');
    p.remove('models/marts/bad2.sql');
    p.write('models/schema.yml', 'version: 2\nmodels:\n  - name: customers\n   columns: [\n');
    await expect(p.run('run')).rejects.toThrow(/models\/schema\.yml/);
    expect(existsSync(join(p.root, 'main'))).toBe(false);
  }, T);
});
