// Runs one measurement in its own process (spawned by harness.runChild with a fixed heap limit) and
// prints a JSON report as its last line: wall time, exact peak RSS (getrusage), sampled RSS, heap.
//
//   child.ts snapshot <dir>        DeltaTable.open + snapshot() of the table
//   child.ts naive <dir>           the naive JSON replay baseline
//   child.ts generate <dir> <json> tools/make-log-table with the given options (a checkpoint write)
//   child.ts lineitem - <json>     one operation of the lineitem chain (bench/lineitem/ops.ts)
//   child.ts sql <root> <json>     {statements, check, engine?}: timed statements on a connect() root, then an untimed check query

import { DeltaTable } from '@duckrun/delta';
import { connect, type EngineKind } from '@duckrun/sql';
import { LocalStore } from '@duckrun/storage/local';
import { makeLogTable, type MakeLogTableOptions } from '../tools/make-log-table.js';
import { naiveReplay } from './baseline.js';
import { runLineitemOp, type LineitemOp } from './lineitem/ops.js';

const [mode, dir, spec] = process.argv.slice(2);
let sampled = 0;
const sampler = setInterval(() => {
  sampled = Math.max(sampled, process.memoryUsage.rss());
}, 10);

async function measure(): Promise<Record<string, unknown>> {
  if (!dir) throw new Error('usage: child.ts snapshot|naive|generate|lineitem <dir> [options-json]');
  switch (mode) {
    case 'snapshot': {
      const snap = await (await DeltaTable.open(dir)).snapshot();
      return { version: snap.version, files: snap.numFiles };
    }
    case 'naive': {
      const { version, state } = await naiveReplay(new LocalStore(dir));
      return { version, files: state.files.size };
    }
    case 'generate': {
      const summary = await makeLogTable({ ...(JSON.parse(spec ?? '{}') as Omit<MakeLogTableOptions, 'out'>), out: dir, clean: true });
      return { version: summary.version, files: summary.liveFiles, checkpointBytes: summary.checkpoint?.sizeInBytes ?? 0 };
    }
    case 'lineitem':
      return { ...(await runLineitemOp(JSON.parse(spec ?? '{}') as LineitemOp)) };
    case 'sql': {
      const { statements, check, engine } = JSON.parse(spec ?? '{}') as { statements: string[]; check?: string; engine?: EngineKind };
      const conn = await connect(dir, { readOnly: false, engine: engine ?? 'wasm' });
      try {
        const t0 = performance.now();
        for (const s of statements) await conn.sql(s);
        const opMs = performance.now() - t0;
        const rows = check === undefined ? [] : await (await conn.sql(check)).collect();
        return { opMs, check: JSON.parse(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))) as unknown };
      } finally {
        await conn.stop();
      }
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

const t0 = performance.now();
const facts = await measure();
const ms = performance.now() - t0;
sampled = Math.max(sampled, process.memoryUsage.rss());
clearInterval(sampler);
// ru_maxrss is in kilobytes on Linux and macOS (Node normalises it to KiB).
const report = { ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, sampledRssBytes: sampled, heapUsedBytes: process.memoryUsage().heapUsed, ...facts };
process.stdout.write(`${JSON.stringify(report)}\n`);
