// Scenario: a selective query on a 100-file table whose files hold disjoint id ranges, with delta_scan's
// stats pruning against the same query with pruning disabled (every live file read), in the same run.

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
// The bench package does not depend on @duckrun/sql; its sources are imported directly (tsx runs them).
import { openSession, prepareDeltaScans, type SqlSession } from '@duckrun/sql';
import { formatMs, stats, time, type BenchContext, type Measurement, type Scenario, type ScenarioResult } from '../harness.js';

const FILES = 100;
const ROWS_PER_FILE = 5_000;
const RUNS = 5;
const QUERY = "SELECT count(*) AS n, sum(v) AS s FROM delta_scan('table') WHERE id BETWEEN 250100 AND 250400";

/** Stats pruning vs. reading every file. */
export const statsPruning: Scenario = {
  name: 'stats-pruning',
  title: `delta_scan stats pruning: selective range query on ${FILES} files × ${ROWS_PER_FILE.toLocaleString('en-US')} rows`,
  async run(context: BenchContext): Promise<ScenarioResult> {
    const root = path.join(context.workDir, 'stats-pruning');
    if (context.fresh) await rm(root, { recursive: true, force: true });
    const session = await openSession({ root, readOnly: false });
    try {
      if (!existsSync(path.join(root, 'table', '_delta_log'))) {
        context.log(`stats-pruning: writing ${FILES} files …`);
        for (let f = 0; f < FILES; f++) {
          const lo = f * ROWS_PER_FILE;
          const select = `SELECT x AS id, x * 0.5 AS v, 'row ' || x AS label FROM range(${lo}, ${lo + ROWS_PER_FILE}) r(x)`;
          await session.write(f === 0 ? `CREATE TABLE "table" AS ${select}` : `INSERT INTO "table" ${select}`);
        }
      }
      const rootUrl = pathToFileURL(root).href;
      let prefix = 0;
      const reads: Record<string, number> = {};
      const answers: Record<string, string> = {};
      const query = async (label: string, pruning: boolean): Promise<void> => {
        const prepared = await prepareDeltaScans(QUERY, { engine: session.engine, root: rootUrl, namePrefix: `__duckrun_bench_${++prefix}`, pruning });
        try {
          const t = await session.engine.query(prepared.sql);
          answers[label] = `${t.getChild('n')!.get(0)}/${t.getChild('s')!.get(0)}`;
          reads[label] = prepared.scans[0]!.filesRead;
        } finally {
          await prepared.release();
        }
      };
      const PRUNED = 'stats pruning on';
      const FULL = 'pruning off (all files read)';
      context.log('stats-pruning: measuring …');
      const pruned: Measurement = { label: PRUNED, samples: await time(() => query(PRUNED, true), RUNS, 1), baseline: FULL };
      const full: Measurement = { label: FULL, samples: await time(() => query(FULL, false), RUNS, 1) };
      const ratio = stats(full.samples).median / stats(pruned.samples).median;
      const same = answers[PRUNED] === answers[FULL];
      return {
        name: this.name,
        title: this.title,
        setup: `${FILES} files written by ${FILES} SQL statements, each a disjoint id range of ${ROWS_PER_FILE} rows (id BIGINT, v DOUBLE, label VARCHAR); one DuckDB-WASM session.`,
        measurements: [pruned, full],
        checks: [
          { target: 'pruned and full scans give the same answer', measured: `${answers[PRUNED]} vs ${answers[FULL]}`, pass: same },
          { target: 'stats pruning reads 1 file', measured: `${reads[PRUNED]} of ${FILES} files`, pass: reads[PRUNED] === 1 },
          { target: 'stats pruning at least 3× faster than reading every file', measured: `${ratio.toFixed(1)}×`, pass: ratio >= 3 },
        ],
        notes: [
          `Query: \`${QUERY}\` (includes snapshot load, pruning queries, parquet reads of the columns used and DuckDB's aggregate; ${RUNS} runs after one warm-up).`,
          `Baseline is the same query through prepareDeltaScans with \`pruning: false\`: ${reads[FULL]} files read; medians ${formatMs(stats(pruned.samples).median)} vs ${formatMs(stats(full.samples).median)}.`,
        ],
      };
    } finally {
      await session.close();
    }
  },
};
