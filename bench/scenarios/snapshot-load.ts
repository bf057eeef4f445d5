// Scenario (a): snapshot load of a 10,000-commit table with a checkpoint at version 9,900, against the
// naive baseline that replays all 10,000 JSON commits; on local disk and in the memory store.

import { DeltaTable } from '@duckrun/delta';
import { MemoryStore, clearMemoryBucket, type ObjectStore } from '@duckrun/storage';
import { LocalStore } from '@duckrun/storage/local';
import { naiveReplay } from '../baseline.js';
import { CountingStore } from '../counting-store.js';
import { formatMs, mib, runChild, stats, time, type BenchContext, type Measurement, type Scenario, type ScenarioResult } from '../harness.js';
import { ensureTable, type TableRecipe } from '../tables.js';

/** The 10,000-commit table (checkpoint at 9,900); the lineitem scenario loads it too. */
export const SNAPSHOT_RECIPE: TableRecipe = { commits: 10_000, checkpointAt: 9_900, filesPerCommit: 1, removeEvery: 10, seed: 1 };
export const SNAPSHOT_TABLE = 'log-10k-commits';
const RUNS = 7;
const BASELINE_RUNS = 5;
const TARGET_MS = 1000;

/** Snapshot load with a checkpoint vs. a naive full JSON replay. */
export const snapshotLoad: Scenario = {
  name: 'snapshot-load',
  title: 'Snapshot load: 10,000 commits, checkpoint at 9,900',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const dir = await ensureTable(context, SNAPSHOT_TABLE, SNAPSHOT_RECIPE);
    context.log('snapshot-load: cold loads in fresh processes …');
    const cold: number[] = [];
    let coldRss = 0;
    for (let i = 0; i < 3; i++) {
      const r = await runChild(['snapshot', dir], 4096);
      cold.push(r.ms);
      coldRss = Math.max(coldRss, r.maxRssBytes);
    }
    const coldM: Measurement = { label: 'local: checkpoint + 99 commits, cold process', samples: cold, peakRssMiB: mib(coldRss), note: 'includes parquet-wasm start-up' };

    const local = new CountingStore(new LocalStore(dir));
    const expected = await checkpointed(local);
    context.log('snapshot-load: local store …');
    const localM = await measure('local: checkpoint + 99 commits', local, () => checkpointed(local), RUNS, 'local: naive replay of 10,000 commits');
    const localNaiveM = await measure('local: naive replay of 10,000 commits', local, async () => check(expected, (await naiveReplay(local)).state.files.size), BASELINE_RUNS);
    const listM: Measurement = {
      label: 'local: LocalStore.list(_delta_log/) alone',
      samples: await time(() => drain(local.list('_delta_log/')), RUNS),
      note: 'diagnostic: one listing of the 10,002 log entries',
    };
    const listAfterM: Measurement = {
      label: 'local: LocalStore.list(_delta_log/, startAfter v9899) alone',
      samples: await time(() => drain(local.list('_delta_log/', { startAfter: '_delta_log/00000000000000009899.~' })), RUNS),
      note: 'diagnostic: a listing that yields only the 102 entries from the checkpoint on',
    };

    context.log('snapshot-load: memory store …');
    const bucket = `bench-snapshot-load-${process.pid}`;
    const memory = new CountingStore(await copyToMemory(new LocalStore(dir), bucket));
    let memoryM: Measurement;
    let memoryNaiveM: Measurement;
    try {
      check(expected, await checkpointed(memory));
      memoryM = await measure('memory: checkpoint + 99 commits', memory, () => checkpointed(memory), RUNS, 'memory: naive replay of 10,000 commits');
      memoryNaiveM = await measure('memory: naive replay of 10,000 commits', memory, async () => check(expected, (await naiveReplay(memory)).state.files.size), BASELINE_RUNS);
    } finally {
      clearMemoryBucket(bucket);
    }

    const measurements = [coldM, localM, localNaiveM, listM, listAfterM, memoryM, memoryNaiveM];
    const localMedian = stats(localM.samples).median;
    const coldMedian = stats(cold).median;
    return {
      name: this.name,
      title: this.title,
      setup: `tools/make-log-table --commits 10000 --checkpoint-at 9900 --files-per-commit 1 --remove-every 10: ${expected} live files at version 9,999; JSON commits 0–9,999 all present; classic checkpoint at 9,900.`,
      measurements,
      checks: [
        { target: `snapshot load (local, warm) < ${formatMs(TARGET_MS)}`, measured: formatMs(localMedian), pass: localMedian < TARGET_MS },
        { target: `snapshot load (local, cold process) < ${formatMs(TARGET_MS)}`, measured: formatMs(coldMedian), pass: coldMedian < TARGET_MS },
      ],
      notes: [
        'Each load is DeltaTable.open(url) + snapshot() (latest version); the baseline lists the log, reads every commit file (16 at a time) and replays it with the kernel LogReplay.',
        'Both loads are checked to produce the same number of live files.',
        `The checkpointed load makes ${localM.requests?.lists ?? 0} list calls and ${localM.requests?.gets ?? 0} reads. On local disk one listing of the whole log takes ${formatMs(stats(listM.samples).median)} ` +
          `and one starting after the checkpoint ${formatMs(stats(listAfterM.samples).median)} (medians), against ${formatMs(localMedian)} for the whole load; the same load from the memory store takes ${formatMs(stats(memoryM.samples).median)}.`,
      ],
    };
  },
};

async function checkpointed(store: ObjectStore): Promise<number> {
  const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
  if (snap.version !== 9_999) throw new Error(`snapshot-load: expected version 9999, got ${snap.version}`);
  return snap.numFiles;
}

function check(expected: number, files: number): number {
  if (files !== expected) throw new Error(`snapshot-load: the loads disagree: ${files} live files vs ${expected}`);
  return files;
}

async function measure(label: string, store: CountingStore, fn: () => Promise<unknown>, runs: number, baseline?: string): Promise<Measurement> {
  store.reset();
  await fn(); // one warm-up, which also gives the per-run request count
  const requests = store.reset();
  const samples = await time(fn, runs);
  return { label, samples, requests, ...(baseline ? { baseline } : {}) };
}

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of items) void _;
}

async function copyToMemory(source: ObjectStore, bucket: string): Promise<MemoryStore> {
  const target = new MemoryStore(bucket);
  for await (const meta of source.list('_delta_log/')) await target.put(meta.path, await source.get(meta.path));
  return target;
}
