// Scenario (b): replay of a 1,000,000-file checkpoint (snapshot load) in a child process limited to a
// 4 GiB heap, timed and with its peak RSS; baseline: the same number of files replayed from JSON commits.

import { mib, runChild, stats, type BenchContext, type Measurement, type Scenario, type ScenarioResult } from '../harness.js';
import { generateInChild, isCached, tableDir } from '../tables.js';
import { MILLION_JSON_NAME, MILLION_JSON_RECIPE, MILLION_NAME, MILLION_RECIPE } from './million.js';

const LIMIT_MIB = 4096;
const RUNS = 3;
const BASELINE_RUNS = 2;

/** Snapshot load of a table whose state is a 1,000,000-file checkpoint. */
export const checkpointReplay: Scenario = {
  name: 'checkpoint-replay',
  title: 'Checkpoint replay: 1,000,000 files',
  async run(context: BenchContext): Promise<ScenarioResult> {
    if (!(await isCached(context, MILLION_NAME, MILLION_RECIPE))) await generateInChild(context, MILLION_NAME, MILLION_RECIPE, LIMIT_MIB);
    if (!(await isCached(context, MILLION_JSON_NAME, MILLION_JSON_RECIPE))) await generateInChild(context, MILLION_JSON_NAME, MILLION_JSON_RECIPE, LIMIT_MIB);

    const measurements: Measurement[] = [];
    const replay = await repeat(context, ['snapshot', tableDir(context, MILLION_NAME)], RUNS, 1_000_050);
    measurements.push({ label: 'checkpoint (1,000,000 adds) + 5 commits', samples: replay.samples, peakRssMiB: replay.peakRssMiB, baseline: 'naive replay of the same files as 100 JSON commits' });
    const json = await repeat(context, ['naive', tableDir(context, MILLION_JSON_NAME)], BASELINE_RUNS, 1_000_000);
    measurements.push({ label: 'naive replay of the same files as 100 JSON commits', samples: json.samples, peakRssMiB: json.peakRssMiB });

    const limit = LIMIT_MIB;
    return {
      name: this.name,
      title: this.title,
      setup: `Each run is a fresh child process with --max-old-space-size=${limit} doing DeltaTable.open + snapshot() (peak RSS from getrusage). The checkpoint table comes from the checkpoint-write scenario; the baseline table holds the same number of (different, equally shaped) files as 100 JSON commits of 10,000 adds.`,
      measurements,
      checks: [
        { target: 'replay of a 1,000,000-file checkpoint fits in 4 GiB', measured: `${replay.peakRssMiB} MiB peak RSS, heap ${replay.heapMiB} MiB`, pass: replay.peakRssMiB < limit },
      ],
      notes: [`Median ${(stats(replay.samples).median / 1000).toFixed(1)} s for 1,000,050 live files.`],
    };
  },
};

async function repeat(context: BenchContext, args: string[], runs: number, files: number): Promise<{ samples: number[]; peakRssMiB: number; heapMiB: number }> {
  const samples: number[] = [];
  let rss = 0;
  let heap = 0;
  for (let i = 0; i < runs; i++) {
    context.log(`checkpoint-replay: ${args[0]} run ${i + 1}/${runs} …`);
    const r = await runChild(args, LIMIT_MIB);
    if (r.files !== files) throw new Error(`checkpoint-replay: ${args.join(' ')} produced ${String(r.files)} live files, expected ${files}`);
    samples.push(r.ms);
    rss = Math.max(rss, r.maxRssBytes);
    heap = Math.max(heap, r.heapUsedBytes);
  }
  return { samples, peakRssMiB: mib(rss), heapMiB: mib(heap) };
}
