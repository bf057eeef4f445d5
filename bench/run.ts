// duckrun's benchmark harness: `pnpm bench [--only NAME[,NAME]] [--json out.json] [--fresh]`.
// Runs the scenarios, prints a table per scenario, and (for a full run) rewrites bench/RESULTS.md.

import { mkdir, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MEASUREMENT_HEADER, REPO_ROOT, machineInfo, measurementRows, textTable, type BenchContext, type Scenario, type ScenarioResult } from './harness.js';
import { renderResults } from './results-md.js';
import { checkpointReplay } from './scenarios/checkpoint-replay.js';
import { checkpointWrite } from './scenarios/checkpoint-write.js';
import { snapshotLoad } from './scenarios/snapshot-load.js';
import { statsPruning } from './scenarios/stats-pruning.js';
import { writeThroughput } from './scenarios/write-throughput.js';

/** Every scenario, in run order (checkpoint-write produces the table checkpoint-replay reads). */
const SCENARIOS: readonly Scenario[] = [snapshotLoad, checkpointWrite, checkpointReplay, writeThroughput, statsPruning];

interface Args {
  only?: string[];
  json?: string;
  fresh: boolean;
  results: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { fresh: false, results: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--json') args.json = argv[++i];
    else if (a.startsWith('--json=')) args.json = a.slice(7);
    else if (a === '--fresh') args.fresh = true;
    else if (a === '--no-results') args.results = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        `usage: pnpm bench [--only ${SCENARIOS.map((s) => s.name).join('|')}] [--json out.json] [--fresh] [--no-results]\n` +
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
  const context: BenchContext = { workDir, fresh: args.fresh, log: (line) => process.stderr.write(`${line}\n`) };
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
    await writeFile(path.resolve(args.json), `${JSON.stringify({ machine, results }, null, 2)}\n`);
    process.stdout.write(`wrote ${args.json}\n`);
  }
  if (args.results && !args.only) {
    const file = path.join(REPO_ROOT, 'bench', 'RESULTS.md');
    await writeFile(file, renderResults(machine, results, 'pnpm bench'));
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  } else if (args.only) {
    process.stdout.write('bench/RESULTS.md left unchanged (partial run)\n');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 2;
});
