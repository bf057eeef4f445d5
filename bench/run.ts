// duckrun's benchmark harness: `pnpm bench [--scale SF] [--engine wasm|native|both] [--only NAME[,NAME]]
// [--json out.json] [--chart out.svg] [--fresh]`. Runs the scenarios, prints a table per scenario, and (for a
// full run) rewrites bench/RESULTS.md and the lineitem chart next to it.

import { wasmOverwrite } from './scenarios/wasm-overwrite.js';
import { mkdir, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MEASUREMENT_HEADER, REPO_ROOT, machineInfo, measurementRows, textTable, type BenchContext, type Scenario, type ScenarioResult } from './harness.js';
import { ENGINE_KINDS, type EngineKind } from '@duckrun/sql';
import { LAYOUTS, type Layout } from './lineitem/layout.js';
import { renderResults } from './results-md.js';
import { renderChart } from './svg-chart.js';
import { checkpointReplay } from './scenarios/checkpoint-replay.js';
import { checkpointWrite } from './scenarios/checkpoint-write.js';
import { lineitem } from './scenarios/lineitem.js';
import { snapshotLoad } from './scenarios/snapshot-load.js';
import { statsPruning } from './scenarios/stats-pruning.js';
import { writeThroughput } from './scenarios/write-throughput.js';

/** Every scenario, in run order (checkpoint-write produces the table checkpoint-replay reads). */
const SCENARIOS: readonly Scenario[] = [snapshotLoad, checkpointWrite, checkpointReplay, writeThroughput, statsPruning, lineitem, wasmOverwrite];

/** The chart of the lineitem scenario, written next to RESULTS.md by a full run. */
const CHART_FILE = path.join(REPO_ROOT, 'bench', 'lineitem.svg');

interface Args {
  only?: string[];
  json?: string;
  chart?: string;
  scale: number;
  engines: EngineKind[];
  layouts: Layout['name'][];
  fresh: boolean;
  results: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { fresh: false, results: true, scale: 1, engines: ['native'], layouts: LAYOUTS.map((l) => l.name) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (flag: string): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value (try --help)`);
      return v;
    };
    if (a === '--scale' || a.startsWith('--scale=')) {
      args.scale = Number(value('--scale'));
      if (!(args.scale > 0) || !Number.isFinite(args.scale)) throw new Error(`--scale is ${a}; use a positive TPC-H scale factor such as 1, 10 or 0.05`);
    } else if (a === '--engine' || a.startsWith('--engine=')) {
      const e = value('--engine');
      if (e === 'both') args.engines = [...ENGINE_KINDS];
      else if ((ENGINE_KINDS as readonly string[]).includes(e)) args.engines = [e as EngineKind];
      else throw new Error(`--engine is ${e}; use ${ENGINE_KINDS.join(', ')} or both`);
    } else if (a === '--layout' || a.startsWith('--layout=')) {
      const l = value('--layout');
      if (l === 'both') args.layouts = LAYOUTS.map((x) => x.name);
      else if (LAYOUTS.some((x) => x.name === l)) args.layouts = [l as Layout['name']];
      else throw new Error(`--layout is ${l}; use ${LAYOUTS.map((x) => x.name).join(', ')} or both`);
    } else if (a === '--chart' || a.startsWith('--chart=')) args.chart = value('--chart');
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--json') args.json = argv[++i];
    else if (a.startsWith('--json=')) args.json = a.slice(7);
    else if (a === '--fresh') args.fresh = true;
    else if (a === '--no-results') args.results = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        `usage: pnpm bench [--scale SF] [--engine ${ENGINE_KINDS.join('|')}|both] [--layout ${LAYOUTS.map((l) => l.name).join('|')}|both] [--only ${SCENARIOS.map((s) => s.name).join('|')}] [--json out.json] [--chart out.svg] [--fresh] [--no-results]\n` +
          '  --scale SF    TPC-H scale factor of the lineitem scenario (default 1; fractions allowed)\n' +
          '  --engine E    SQL engine(s) of the lineitem scenario (default native)\n' +
          '  --layout L    table layout(s) of the lineitem scenario (default both)\n' +
          '  --chart FILE  write the lineitem chart there (a full run writes bench/lineitem.svg)\n' +
          '  --fresh       regenerate the cached tables\n  --no-results  do not rewrite bench/RESULTS.md\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  for (const name of args.only ?? []) {
    if (!SCENARIOS.some((s) => s.name === name)) throw new Error(`unknown scenario ${name}; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const workDir = path.join(os.tmpdir(), 'duckrun-bench');
  await mkdir(workDir, { recursive: true });
  const context: BenchContext = { workDir, fresh: args.fresh, scale: args.scale, engines: args.engines, layouts: args.layouts, log: (line) => process.stderr.write(`${line}\n`) };
  const machine = machineInfo();
  process.stdout.write(`duckrun bench — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, commit ${machine.commit.slice(0, 12)}\n`);
  process.stdout.write(`tables under ${workDir}\n\n`);

  const chosen = args.only ? SCENARIOS.filter((s) => args.only!.includes(s.name)) : SCENARIOS;
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    context.log(`▶ ${scenario.name}`);
    const result = await scenario.run(context);
    results.push(result);
    process.stdout.write(`${result.title}\n${textTable(MEASUREMENT_HEADER, measurementRows(result.measurements))}\n`);
    for (const c of result.checks) process.stdout.write(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.measured}\n`);
    process.stdout.write('\n');
  }

  if (args.json) {
    await writeFile(path.resolve(args.json), `${JSON.stringify({ machine, options: { scale: args.scale, engines: args.engines, layouts: args.layouts }, results }, null, 2)}\n`);
    process.stdout.write(`wrote ${args.json}\n`);
  }
  const chained = results.find((r) => r.name === lineitem.name);
  const chartFile = args.chart ? path.resolve(args.chart) : args.results && !args.only ? CHART_FILE : undefined;
  if (chained && chartFile) {
    await writeFile(chartFile, renderChart(`${chained.title} (${machine.cores} cores, commit ${machine.commit.slice(0, 12)})`, chained.measurements));
    process.stdout.write(`wrote ${path.relative(process.cwd(), chartFile)}\n`);
  }
  if (args.results && !args.only) {
    const file = path.join(REPO_ROOT, 'bench', 'RESULTS.md');
    const command = `pnpm bench --scale ${args.scale} --engine ${args.engines.length > 1 ? 'both' : args.engines[0]}`;
    await writeFile(file, renderResults(machine, results, command));
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  } else if (args.only) {
    process.stdout.write('bench/RESULTS.md left unchanged (partial run)\n');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 2;
});
