// The dbt-shaped console rendering of run events: padded status lines, summaries and the progress line.
import type { artifacts, NodeSummary, RunEvent, RunResults } from '@duckrun/dbt';
import { describe, expect, it } from 'vitest';
import { fancyLine, formatElapsed, LINE_WIDTH, resultCounts, RunReporter } from '../src/reporter.js';

type NodeRunResult = artifacts.NodeRunResult;

const model = (name: string, materialization = 'table'): NodeSummary => ({
  uniqueId: `model.shop.${name}`,
  name,
  resourceType: 'model',
  materialization,
  relation: `main.${name}`,
  language: 'sql',
});
const seed = (name: string): NodeSummary => ({ uniqueId: `seed.shop.${name}`, name, resourceType: 'seed', materialization: 'seed', relation: `main.${name}`, language: 'seed' });
const test = (name: string): NodeSummary => ({ uniqueId: `test.shop.${name}`, name, resourceType: 'test', materialization: 'test', relation: `main.${name}`, language: 'sql' });
const snapshot = (name: string): NodeSummary => ({ uniqueId: `snapshot.shop.${name}`, name, resourceType: 'snapshot', materialization: 'snapshot', relation: `snapshots.${name}`, language: 'sql' });

const result = (node: NodeSummary, status: NodeRunResult['status'], extra: Partial<NodeRunResult> = {}): NodeRunResult => ({
  uniqueId: node.uniqueId,
  status,
  timing: [],
  executionTime: 0.41,
  ...extra,
});

function reporter(options: { isTTY?: boolean; debug?: boolean } = {}) {
  let out = '';
  const r = new RunReporter({
    write: async (t) => {
      out += t;
    },
    version: '0.1.0',
    dbtVersion: '1.10.0',
    ...options,
  });
  return {
    r,
    play: async (events: RunEvent[]) => {
      for (const e of events) r.onEvent(e);
      await r.flush();
      return out;
    },
  };
}

function finishOf(index: number, total: number, node: NodeSummary, res: NodeRunResult): RunEvent {
  return { kind: 'node-finish', index, total, node, result: res };
}

describe('fancyLine', () => {
  it('pads the message with dots to the fixed width before the bracketed status', () => {
    const line = fancyLine('START sql table model main.customers', 'RUN', 1, 8);
    expect(line).toBe(`${'1 of 8 START sql table model main.customers '.padEnd(LINE_WIDTH, '.')} [RUN]`);
    expect(line.indexOf(' [RUN]')).toBe(LINE_WIDTH);
  });

  it('prints the time with two decimals', () => {
    expect(fancyLine('OK created sql table model main.customers', 'OK', 1, 8, 0.4123)).toMatch(/\.\.\. \[OK in 0\.41s\]$/);
  });

  it('truncates a message longer than the width with an ellipsis', () => {
    const line = fancyLine(`START sql table model main.${'x'.repeat(100)}`, 'RUN', 1, 1);
    expect(line).toBe(`${`1 of 1 START sql table model main.${'x'.repeat(100)}`.slice(0, LINE_WIDTH - 3)}... [RUN]`);
  });
});

describe('resultCounts and formatElapsed', () => {
  it('counts success and pass as PASS, fail and errors as ERROR', () => {
    const n = model('a');
    const rs = [result(n, 'success'), result(n, 'pass'), result(n, 'warn'), result(n, 'fail'), result(n, 'error'), result(n, 'runtime error'), result(n, 'skipped')];
    expect(resultCounts(rs)).toEqual({ pass: 2, warn: 1, error: 3, skip: 1, total: 7 });
  });

  it('formats a duration as dbt does', () => {
    expect(formatElapsed(1.234)).toBe('0 hours 0 minutes and 1.23 seconds (1.23s)');
    expect(formatElapsed(3725.5)).toBe('1 hours 2 minutes and 5.50 seconds (3725.50s)');
  });
});

describe('RunReporter', () => {
  it('renders a passing build as dbt does', async () => {
    const customers = model('customers');
    const stg = model('stg_orders', 'view');
    const raw = seed('raw_orders');
    const nn = test('not_null_customers_id');
    const results: RunResults = {
      command: 'build',
      invocationId: 'x',
      elapsedTime: 1.5,
      success: true,
      results: [
        result(raw, 'success', { rowsAffected: 40 }),
        result(stg, 'success'),
        result(customers, 'success'),
        result(nn, 'pass', { failures: 0, executionTime: 0.1 }),
      ],
    };
    const out = await reporter().play([
      { kind: 'run-start', command: 'build', total: 4, summary: '2 models, 1 seed, 1 data test, 0 sources' },
      { kind: 'node-start', index: 1, total: 4, node: raw },
      finishOf(1, 4, raw, results.results[0]!),
      { kind: 'node-start', index: 2, total: 4, node: stg },
      finishOf(2, 4, stg, results.results[1]!),
      { kind: 'node-start', index: 3, total: 4, node: customers },
      finishOf(3, 4, customers, results.results[2]!),
      { kind: 'node-start', index: 4, total: 4, node: nn },
      finishOf(4, 4, nn, results.results[3]!),
      { kind: 'run-finish', results },
    ]);
    const lines = out.split('\n');
    expect(lines.slice(0, 3)).toEqual(['Running with duckrun=0.1.0 (dbt=1.10.0 compatible)', 'Found 2 models, 1 seed, 1 data test, 0 sources', '']);
    expect(out).toContain(`${'1 of 4 START seed file main.raw_orders '.padEnd(LINE_WIDTH, '.')} [RUN]\n`);
    expect(out).toContain(`${'1 of 4 OK loaded seed file main.raw_orders '.padEnd(LINE_WIDTH, '.')} [INSERT 40 in 0.41s]\n`);
    expect(out).toContain(`${'2 of 4 START sql view model main.stg_orders '.padEnd(LINE_WIDTH, '.')} [RUN]\n`);
    expect(out).toContain(`${'3 of 4 OK created sql table model main.customers '.padEnd(LINE_WIDTH, '.')} [OK in 0.41s]\n`);
    expect(out).toContain(`${'4 of 4 START test not_null_customers_id '.padEnd(LINE_WIDTH, '.')} [RUN]\n`);
    expect(out).toContain(`${'4 of 4 PASS not_null_customers_id '.padEnd(LINE_WIDTH, '.')} [PASS in 0.10s]\n`);
    expect(out).toContain('\nFinished running 1 seed, 1 view model, 1 table model, 1 data test in 0 hours 0 minutes and 1.50 seconds (1.50s).\n');
    expect(out).toContain('\nCompleted successfully\n');
    expect(out.endsWith('\nDone. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4\n')).toBe(true);
  });

  it('reports failing tests, errors and skips with details and a non-success summary', async () => {
    const orders = model('orders');
    const downstream = model('order_summary');
    const unique = test('unique_customers_id');
    const accepted = test('accepted_values_orders_status');
    const results: RunResults = {
      command: 'build',
      invocationId: 'x',
      elapsedTime: 0.2,
      success: false,
      results: [
        result(orders, 'error', { message: 'Binder Error: column "amount" not found' }),
        result(downstream, 'skipped', { executionTime: 0 }),
        result(unique, 'fail', { failures: 3 }),
        result(accepted, 'warn', { failures: 1 }),
      ],
    };
    const out = await reporter().play([
      finishOf(1, 4, orders, results.results[0]!),
      finishOf(2, 4, downstream, results.results[1]!),
      finishOf(3, 4, unique, results.results[2]!),
      finishOf(4, 4, accepted, results.results[3]!),
      { kind: 'run-finish', results },
    ]);
    expect(out).toContain(`${'1 of 4 ERROR creating sql table model main.orders '.padEnd(LINE_WIDTH, '.')} [ERROR in 0.41s]\n`);
    expect(out).toContain(`${'2 of 4 SKIP relation main.order_summary '.padEnd(LINE_WIDTH, '.')} [SKIP]\n`);
    expect(out).toContain(`${'3 of 4 FAIL 3 unique_customers_id '.padEnd(LINE_WIDTH, '.')} [FAIL 3 in 0.41s]\n`);
    expect(out).toContain(`${'4 of 4 WARN 1 accepted_values_orders_status '.padEnd(LINE_WIDTH, '.')} [WARN 1 in 0.41s]\n`);
    expect(out).toContain('Completed with 2 errors, 0 partial successes, and 1 warning:\n');
    expect(out).toContain('\nRuntime Error in model orders\n  Binder Error: column "amount" not found\n');
    expect(out).toContain('\nFailure in test unique_customers_id\n  Got 3 results, configured to fail if != 0\n');
    expect(out).toContain('\nWarning in test accepted_values_orders_status\n  Got 1 result, configured to warn if != 0\n');
    expect(out.endsWith('Done. PASS=0 WARN=1 ERROR=2 SKIP=1 TOTAL=4\n')).toBe(true);
  });

  it('words a skip caused by an ephemeral model as dbt does', async () => {
    const n = model('uses_eph');
    const out = await reporter().play([finishOf(1, 1, n, result(n, 'skipped', { message: 'compilation of ephemeral model eph failed' }))]);
    expect(out).toBe(`${'1 of 1 SKIP relation main.uses_eph due to ephemeral model error '.padEnd(LINE_WIDTH, '.')} [ERROR SKIP]\n`);
  });

  it('names seeds and snapshots the way dbt does when they fail or succeed', async () => {
    const s = seed('raw');
    const snap = snapshot('orders_snapshot');
    const out = await reporter().play([
      finishOf(1, 3, s, result(s, 'error', { message: 'bad csv' })),
      { kind: 'node-start', index: 2, total: 3, node: snap },
      finishOf(2, 3, snap, result(snap, 'success')),
      finishOf(3, 3, snap, result(snap, 'error')),
    ]);
    expect(out).toContain('1 of 3 ERROR loading seed file main.raw ');
    expect(out).toContain('2 of 3 START snapshot snapshots.orders_snapshot ');
    expect(out).toContain('2 of 3 OK snapshotted snapshot snapshots.orders_snapshot ');
    expect(out).toContain('3 of 3 ERROR snapshotting snapshot snapshots.orders_snapshot ');
  });

  it('renders hooks, warnings and (with debug) debug logs', async () => {
    const quiet = await reporter().play([
      { kind: 'hook-start', name: 'shop.on-run-start.0', index: 1, total: 1 },
      { kind: 'hook-finish', name: 'shop.on-run-start.0', index: 1, total: 1, status: 'success', seconds: 0.01 },
      { kind: 'log', level: 'warn', message: 'schema entry for missing model x' },
      { kind: 'log', level: 'debug', message: 'hidden' },
      { kind: 'log', level: 'info', message: 'hello' },
    ]);
    expect(quiet).toBe(
      `${fancyLine('START hook: shop.on-run-start.0', 'RUN', 1, 1)}\n${fancyLine('OK hook: shop.on-run-start.0', 'OK', 1, 1, 0.01)}\n[WARNING]: schema entry for missing model x\nhello\n`,
    );
    expect(await reporter({ debug: true }).play([{ kind: 'log', level: 'debug', message: 'shown' }])).toBe('debug: shown\n');
  });

  it('prints nothing for progress events unless stdout is a terminal', async () => {
    const n = model('big');
    const events: RunEvent[] = [
      { kind: 'node-start', index: 1, total: 1, node: n },
      { kind: 'node-progress', node: n, message: '10000 rows written' },
      finishOf(1, 1, n, result(n, 'success')),
    ];
    const plain = await reporter().play(events);
    expect(plain).not.toContain('rows written');
    const tty = await reporter({ isTTY: true }).play(events);
    expect(tty).toContain('\r\x1b[K  big: 10000 rows written');
    // The finish line clears the progress line before printing.
    expect(tty).toContain(`rows written\r\x1b[K${fancyLine('OK created sql table model main.big', 'OK', 1, 1, 0.41)}\n`);
  });

  it('leaves the Finished line out of compile', async () => {
    const out = await reporter().play([{ kind: 'run-finish', results: { command: 'compile', invocationId: 'x', elapsedTime: 0.1, success: true, results: [] } }]);
    expect(out).toBe('\nCompleted successfully\n\nDone. PASS=0 WARN=0 ERROR=0 SKIP=0 TOTAL=0\n');
  });
});
