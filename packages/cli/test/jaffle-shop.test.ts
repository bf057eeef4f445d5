// End to end: duckrun build on examples/jaffle_shop into a temp warehouse, then duckrun test and
// duckrun run -s customers in fresh processes; exit codes, dbt-shaped output, run_results.json and
// the tables' contents (recomputed here from the seed CSVs).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jsonRows, openSession } from '@duckrun/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const example = join(repoRoot, 'examples/jaffle_shop');
const tsx = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;
const sourceBin = join(repoRoot, 'packages/cli/test/source-bin.ts');
const SLOW = 300_000;

let project: string;

/** Runs `duckrun <args>` from source in a new process inside the project. */
function duckrun(...args: string[]) {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', tsx, sourceBin, ...args, '--project-dir', project, '--profiles-dir', project], {
    cwd: project,
    encoding: 'utf8',
    timeout: SLOW - 10_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runResults(): { results: { unique_id: string; status: string; failures: number | null; adapter_response: Record<string, unknown> }[] } {
  return JSON.parse(readFileSync(join(project, 'target/run_results.json'), 'utf8'));
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const session = await openSession({ root: join(project, 'warehouse') });
  try {
    const t = await session.sql(sql);
    return JSON.parse(`[${t.batches.flatMap(jsonRows).join(',')}]`);
  } finally {
    await session.close();
  }
}

/** The dot-padded status line of a node, as a pattern. */
function line(progress: string, message: string, status: string): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc(`${progress} ${message} `)}\\.* \\[${status}\\]$`, 'm');
}

function seedRows(name: string): string[][] {
  return readFileSync(join(example, 'seeds', `${name}.csv`), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
}

/** customers as the mart should compute it, from the seeds. */
function expectedCustomers(): { customer_id: number; number_of_orders: number; customer_lifetime_value: number }[] {
  const orders = seedRows('raw_orders').map(([id, user]) => ({ id: Number(id), user: Number(user) }));
  const paid = new Map<number, number>();
  for (const [, orderId, , amount] of seedRows('raw_payments')) paid.set(Number(orderId), (paid.get(Number(orderId)) ?? 0) + Number(amount));
  return seedRows('raw_customers').map(([id]) => {
    const mine = orders.filter((o) => o.user === Number(id));
    const cents = mine.reduce((sum, o) => sum + (paid.get(o.id) ?? 0), 0);
    return { customer_id: Number(id), number_of_orders: mine.length, customer_lifetime_value: cents / 100 };
  });
}

beforeAll(() => {
  project = join(mkdtempSync(join(tmpdir(), 'duckrun-jaffle-')), 'jaffle_shop');
  cpSync(example, project, { recursive: true, filter: (src) => !['target', 'warehouse', 'dbt_packages', 'logs'].includes(basename(src)) });
});
afterAll(() => {
  rmSync(join(project, '..'), { recursive: true, force: true });
});

describe('jaffle_shop end to end through the duckrun CLI', () => {
  const models = 6;
  const seeds = 3;
  const tests = 19;
  const total = models + seeds + tests;

  it(
    'duckrun build seeds, builds and tests the whole project',
    async () => {
      const r = duckrun('build');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Running with duckrun=\d+\.\d+\.\d+ \(dbt=1\.\d+\.\d+ compatible\)\n/);
      const found = /^Found (.*)$/m.exec(r.stdout)?.[1] ?? '';
      for (const count of ['6 models', '3 seeds', `${tests} `]) expect(found).toContain(count);
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${total} START seed file main\\.raw_customers \\.+ \\[RUN\\]$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${total} OK loaded seed file main\\.raw_customers \\.+ \\[INSERT 30 in \\d+\\.\\d\\ds\\]$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${total} START sql view model main\\.stg_orders \\.+ \\[RUN\\]$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${total} OK created sql table model main\\.customers \\.+ \\[OK(?: \\d+)? in \\d+\\.\\d\\ds\\]$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${total} OK created sql incremental model main\\.order_events \\.+ \\[OK(?: \\d+)? in \\d+\\.\\d\\ds\\]$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${total} PASS unique_customers_customer_id \\.+ \\[PASS in \\d+\\.\\d\\ds\\]$`, 'm'));
      expect(r.stdout).toMatch(/^Finished running 3 seeds?, .* in \d+ hours \d+ minutes and \d+\.\d\d seconds \(\d+\.\d\ds\)\.$/m);
      expect(r.stdout).toContain('\nCompleted successfully\n');
      expect(r.stdout.endsWith(`\nDone. PASS=${total} WARN=0 ERROR=0 SKIP=0 TOTAL=${total}\n`)).toBe(true);

      const results = runResults().results;
      expect(results).toHaveLength(total);
      expect(new Set(results.map((x) => x.status))).toEqual(new Set(['success', 'pass']));
      expect(results.find((x) => x.unique_id === 'seed.jaffle_shop.raw_customers')?.adapter_response).toMatchObject({ rows_affected: 30 });

      const customers = await query("SELECT customer_id, number_of_orders, CAST(customer_lifetime_value AS DOUBLE) AS customer_lifetime_value FROM delta_scan('main/customers') ORDER BY customer_id");
      expect(customers).toEqual(expectedCustomers());
      expect(await query("SELECT count(*) AS n, count(DISTINCT order_id) AS ids FROM delta_scan('main/order_events')")).toEqual([{ n: 60, ids: 60 }]);
    },
    SLOW,
  );

  it(
    'duckrun test runs every test in a fresh process against the persisted views and tables',
    () => {
      const r = duckrun('test');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${tests} PASS not_null_stg_orders_order_id \\.+ \\[PASS in \\d+\\.\\d\\ds\\]$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^\\d+ of ${tests} PASS assert_order_amount_not_negative \\.+ \\[PASS in \\d+\\.\\d\\ds\\]$`, 'm'));
      expect(r.stdout.endsWith(`\nDone. PASS=${tests} WARN=0 ERROR=0 SKIP=0 TOTAL=${tests}\n`)).toBe(true);
      const results = runResults().results;
      expect(results).toHaveLength(tests);
      expect(results.every((x) => x.status === 'pass' && x.failures === 0)).toBe(true);
    },
    SLOW,
  );

  it(
    'duckrun run -s customers rebuilds one model over the persisted upstream views and tables',
    async () => {
      const r = duckrun('run', '-s', 'customers');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(line('1 of 1', 'START sql table model main.customers', 'RUN'));
      expect(r.stdout).toMatch(/^1 of 1 OK created sql table model main\.customers \.+ \[OK(?: 30)? in \d+\.\d\ds\]$/m);
      expect(r.stdout).toMatch(/^Finished running 1 table model in /m);
      expect(r.stdout.endsWith('\nDone. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1\n')).toBe(true);
      expect(runResults().results.map((x) => [x.unique_id, x.status])).toEqual([['model.jaffle_shop.customers', 'success']]);
      const customers = await query("SELECT customer_id, number_of_orders, CAST(customer_lifetime_value AS DOUBLE) AS customer_lifetime_value FROM delta_scan('main/customers') ORDER BY customer_id");
      expect(customers).toEqual(expectedCustomers());
    },
    SLOW,
  );

  it(
    'merges the incremental model on a second run without duplicating orders',
    async () => {
      const r = duckrun('run', '-s', 'order_events');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^1 of 1 OK created sql incremental model main\.order_events /m);
      expect(await query("SELECT count(*) AS n, count(DISTINCT order_id) AS ids FROM delta_scan('main/order_events')")).toEqual([{ n: 60, ids: 60 }]);
    },
    SLOW,
  );

  it(
    'exits 1 with FAIL lines and a failure summary when a test fails',
    () => {
      writeFileSync(join(project, 'tests/no_repeat_customers.sql'), "select * from {{ ref('customers') }} where number_of_orders > 1\n");
      try {
        const repeat = expectedCustomers().filter((c) => c.number_of_orders > 1).length;
        const r = duckrun('test', '-s', 'no_repeat_customers');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(new RegExp(`^1 of 1 FAIL ${repeat} no_repeat_customers \\.+ \\[FAIL ${repeat} in \\d+\\.\\d\\ds\\]$`, 'm'));
        expect(r.stdout).toContain('\nCompleted with 1 error, 0 partial successes, and 0 warnings:\n');
        expect(r.stdout).toContain('\nFailure in test no_repeat_customers');
        expect(r.stdout.endsWith('\nDone. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1\n')).toBe(true);
        expect(runResults().results.map((x) => [x.status, x.failures])).toEqual([['fail', repeat]]);
      } finally {
        rmSync(join(project, 'tests/no_repeat_customers.sql'));
      }
    },
    SLOW,
  );
});
