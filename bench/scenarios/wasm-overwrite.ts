// Scenario: a 20,000,000-row CREATE OR REPLACE TABLE … AS on the DuckDB-WASM engine, then the same table
// overwritten from itself, each in a child process. DuckDB-WASM has a 4 GB heap: the write must stream
// (DuckDB → Arrow batches → parquet files) and the self-overwrite must scan without holding the table twice.
import { mkdtemp, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { runChild, type BenchContext, type Measurement, type Scenario, type ScenarioResult } from '../harness.js';

const ROWS = 20_000_000;
/** The child's JS heap; DuckDB-WASM's own 4 GB memory lives outside it. */
const HEAP_MIB = 4096;
const RSS_LIMIT_MIB = 4096;

export const wasmOverwrite: Scenario = {
  name: 'wasm-overwrite',
  title: `DuckDB-WASM: ${ROWS.toLocaleString('en-US')}-row overwrite within the 4 GB heap`,
  async run(context: BenchContext): Promise<ScenarioResult> {
    const root = await mkdtemp(path.join(context.workDir, 'wasm-overwrite-'));
    try {
      const create = `CREATE OR REPLACE TABLE big AS SELECT i AS id, i % 1000 AS k, 'name-' || i AS s, i * 0.5 AS v FROM range(${ROWS}) t(i)`;
      const self = 'CREATE OR REPLACE TABLE big AS SELECT id, k, s, v + 1 AS v FROM big';
      const check = 'SELECT count(*)::BIGINT AS n, sum(k)::BIGINT AS sk, sum(v)::DOUBLE AS sv FROM big';
      context.log('wasm-overwrite: create …');
      const first = await runChild(['sql', root, JSON.stringify({ statements: [create], check })], HEAP_MIB);
      context.log('wasm-overwrite: self-overwrite …');
      const second = await runChild(['sql', root, JSON.stringify({ statements: [self], check })], HEAP_MIB);
      const measurements: Measurement[] = [
        { label: `CREATE OR REPLACE TABLE AS SELECT, ${ROWS.toLocaleString('en-US')} rows × 4 columns (wasm)`, samples: [Number(first['opMs'])], peakRssMiB: mib(first.maxRssBytes) },
        { label: 'the same table overwritten from itself (delta_scan → write, wasm)', samples: [Number(second['opMs'])], peakRssMiB: mib(second.maxRssBytes) },
      ];
      const rows = (r: typeof first): Record<string, unknown> => (r['check'] as Record<string, unknown>[] | undefined)?.[0] ?? {};
      const wantK = String(BigInt(ROWS / 1000) * BigInt((999 * 1000) / 2));
      return {
        name: this.name,
        title: this.title,
        setup: `local disk; each statement in its own process (engine start excluded from the time, included in peak RSS); ${HEAP_MIB} MiB JS heap limit`,
        measurements,
        checks: [
          { target: 'every row written, then read back (count and Σk)', measured: `${String(rows(first)['n'])} rows, Σk ${String(rows(first)['sk'])}`, pass: String(rows(first)['n']) === String(ROWS) && String(rows(first)['sk']) === wantK },
          { target: 'self-overwrite keeps every row and adds 1 to v', measured: `${String(rows(second)['n'])} rows, Σv ${String(rows(second)['sv'])} (was ${String(rows(first)['sv'])})`, pass: String(rows(second)['n']) === String(ROWS) && Number(rows(second)['sv']) === Number(rows(first)['sv']) + ROWS },
          ...measurements.map((m) => ({ target: `peak RSS ≤ ${RSS_LIMIT_MIB} MiB: ${m.label}`, measured: `${m.peakRssMiB ?? NaN} MiB`, pass: (m.peakRssMiB ?? Infinity) <= RSS_LIMIT_MIB })),
        ],
        notes: [],
      };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};

function mib(bytes: unknown): number {
  return Math.round(Number(bytes) / 2 ** 20);
}
