// Generates synthetic Delta tables (log only, no data files) for benchmarks: many small commits with a
// checkpoint, or one huge checkpoint followed by a few commits. Deterministic for a given seed.
//
//   node --conditions=source --import tsx tools/make-log-table.ts --commits 10000 --checkpoint-at 9900 --files-per-commit 1 --out /tmp/t1
//   node --conditions=source --import tsx tools/make-log-table.ts --checkpoint-files 1000000 --commits-after 5 --out /tmp/t2

import { pathToFileURL } from 'node:url';
import { rm } from 'node:fs/promises';
import { LocalStore } from '../packages/storage/src/stores/local.js';
import type { Action, AddFile, Metadata, Protocol, RemoveFile } from '../packages/delta/src/kernel/actions/types.js';
import { commitFileName } from '../packages/delta/src/kernel/log/log-path.js';
import { writeCheckpoint, type CheckpointInfo } from '../packages/delta/src/checkpoint/write.js';

/** What to generate. Commit mode unless `checkpointFiles` is set. */
export interface MakeLogTableOptions {
  /** Directory of the table (created; emptied first when `clean`). */
  readonly out: string;
  /** Commit mode: number of commits, versions 0 … commits-1. */
  readonly commits?: number;
  /** Commit mode: write a checkpoint of this version (none when undefined). Checkpoint mode: its version. */
  readonly checkpointAt?: number;
  /** Commit mode: files added per commit. */
  readonly filesPerCommit?: number;
  /** Commit mode: every n-th commit also removes one live file (0 never). */
  readonly removeEvery?: number;
  /** Checkpoint mode: number of files in the checkpoint. */
  readonly checkpointFiles?: number;
  /** Checkpoint mode: commits written after the checkpoint. */
  readonly commitsAfter?: number;
  /** Checkpoint parts (1 = classic). */
  readonly parts?: number;
  readonly seed?: number;
  /** Remove `out` before generating. */
  readonly clean?: boolean;
}

/** What was generated. */
export interface LogTableSummary {
  readonly out: string;
  /** Latest version of the table. */
  readonly version: number;
  readonly commitsWritten: number;
  /** Live files at the latest version. */
  readonly liveFiles: number;
  readonly checkpoint?: CheckpointInfo;
  readonly seconds: number;
}

const PARTITION_COLUMNS = ['year', 'month'];

const SCHEMA = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: {} },
    { name: 'customer', type: 'string', nullable: true, metadata: {} },
    { name: 'amount', type: 'double', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
    { name: 'year', type: 'integer', nullable: true, metadata: {} },
    { name: 'month', type: 'integer', nullable: true, metadata: {} },
  ],
});

const PROTOCOL: Protocol = { minReaderVersion: 1, minWriterVersion: 2 };
const BASE_TIME = Date.UTC(2024, 0, 1);

/** Generates a table as described by `options` into `options.out`. */
export async function makeLogTable(options: MakeLogTableOptions): Promise<LogTableSummary> {
  const started = performance.now();
  if (options.clean) await rm(options.out, { recursive: true, force: true });
  const store = new LocalStore(options.out);
  const gen = new FileGenerator(options.seed ?? 1);
  const metadata: Metadata = {
    id: gen.uuid(),
    name: 'bench_orders',
    format: { provider: 'parquet', options: {} },
    schemaString: SCHEMA,
    partitionColumns: PARTITION_COLUMNS,
    createdTime: BASE_TIME,
    configuration: {},
  };
  const result =
    options.checkpointFiles !== undefined
      ? await checkpointMode(store, gen, metadata, options, options.checkpointFiles)
      : await commitMode(store, gen, metadata, options);
  return { ...result, out: store.root, seconds: (performance.now() - started) / 1000 };
}

async function commitMode(
  store: LocalStore,
  gen: FileGenerator,
  metadata: Metadata,
  options: MakeLogTableOptions,
): Promise<Omit<LogTableSummary, 'out' | 'seconds'>> {
  const commits = options.commits ?? 100;
  const perCommit = options.filesPerCommit ?? 1;
  const removeEvery = options.removeEvery ?? 10;
  const live = new Map<string, AddFile>();
  const tombstones: RemoveFile[] = [];
  let checkpoint: CheckpointInfo | undefined;
  const writes = new Pending(32);
  for (let v = 0; v < commits; v++) {
    const actions: Action[] = [{ commitInfo: gen.commitInfo(v, perCommit) }];
    if (v === 0) actions.push({ protocol: PROTOCOL }, { metaData: metadata });
    if (removeEvery > 0 && v > 0 && v % removeEvery === 0 && live.size > 0) {
      const victim = live.values().next().value!;
      live.delete(victim.path);
      const remove: RemoveFile = {
        path: victim.path,
        deletionTimestamp: gen.time(v),
        dataChange: true,
        extendedFileMetadata: true,
        partitionValues: victim.partitionValues,
        size: victim.size,
      };
      tombstones.push(remove);
      actions.push({ remove });
    }
    for (let i = 0; i < perCommit; i++) {
      const add = gen.add(v);
      live.set(add.path, add);
      actions.push({ add });
    }
    await writes.add(store.put(`_delta_log/${commitFileName(v)}`, encodeCommit(actions)));
    if (v === options.checkpointAt) {
      await writes.drain();
      checkpoint = await writeCheckpoint(
        store,
        v,
        { protocol: PROTOCOL, metadata, files: live.values(), removes: tombstones },
        options.parts ? { parts: options.parts } : {},
      );
    }
  }
  await writes.drain();
  return { version: commits - 1, commitsWritten: commits, liveFiles: live.size, ...(checkpoint ? { checkpoint } : {}) };
}

async function checkpointMode(
  store: LocalStore,
  gen: FileGenerator,
  metadata: Metadata,
  options: MakeLogTableOptions,
  files: number,
): Promise<Omit<LogTableSummary, 'out' | 'seconds'>> {
  const version = options.checkpointAt ?? 100;
  const after = options.commitsAfter ?? 5;
  // The log before the checkpoint is treated as cleaned up: only the checkpoint and later commits exist.
  function* adds(): Iterable<AddFile> {
    for (let i = 0; i < files; i++) yield gen.add(Math.floor((i * version) / Math.max(files, 1)));
  }
  const checkpoint = await writeCheckpoint(store, version, { protocol: PROTOCOL, metadata, files: adds() }, options.parts ? { parts: options.parts } : {});
  for (let v = version + 1; v <= version + after; v++) {
    const actions: Action[] = [{ commitInfo: gen.commitInfo(v, 10) }];
    for (let i = 0; i < 10; i++) actions.push({ add: gen.add(v) });
    await store.put(`_delta_log/${commitFileName(v)}`, encodeCommit(actions));
  }
  return { version: version + after, commitsWritten: after, liveFiles: files + 10 * after, checkpoint };
}

/** Realistic, reproducible add actions: Hive-style partition paths, UUID names, ~250-byte JSON stats. */
class FileGenerator {
  private state: number;
  private counter = 0;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  add(version: number): AddFile {
    const n = this.counter++;
    const year = 2020 + (n % 5);
    const month = 1 + (Math.floor(n / 5) % 12);
    const records = 1000 + this.int(100_000);
    const minId = n * 100_000;
    const day = String(1 + this.int(28)).padStart(2, '0');
    const mm = String(month).padStart(2, '0');
    const stats =
      `{"numRecords":${records},"minValues":{"id":${minId},"customer":"cust-${String(this.int(1000)).padStart(6, '0')}","amount":${(this.int(10000) / 100).toFixed(2)},"ts":"${year}-${mm}-${day}T00:00:00.000Z"},` +
      `"maxValues":{"id":${minId + records},"customer":"cust-${String(1000 + this.int(99000)).padStart(6, '0')}","amount":${(10000 + this.int(990000) / 100).toFixed(2)},"ts":"${year}-${mm}-${day}T23:59:59.999Z"},` +
      `"nullCount":{"id":0,"customer":${this.int(50)},"amount":${this.int(50)},"ts":0}}`;
    return {
      path: `year=${year}/month=${month}/part-${String(n % 100_000).padStart(5, '0')}-${this.uuid()}.c000.snappy.parquet`,
      partitionValues: { year: String(year), month: String(month) },
      size: 100_000 + this.int(50_000_000),
      modificationTime: this.time(version),
      dataChange: true,
      stats,
    };
  }

  commitInfo(version: number, files: number): Record<string, unknown> {
    return {
      timestamp: this.time(version),
      operation: 'WRITE',
      operationParameters: { mode: 'Append', partitionBy: JSON.stringify(PARTITION_COLUMNS) },
      isolationLevel: 'Serializable',
      isBlindAppend: true,
      operationMetrics: { numFiles: String(files), numOutputRows: String(files * 1000) },
      engineInfo: 'duckrun-make-log-table',
    };
  }

  time(version: number): number {
    return BASE_TIME + version * 60_000;
  }

  uuid(): string {
    const a = hex8(this.next());
    const b = hex8(this.next());
    const c = hex8(this.next());
    const d = hex8(this.next());
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** Uniform integer in [0, n). */
  private int(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }

  /** Next unsigned 32-bit value of mulberry32. */
  private next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/** At most `limit` writes in flight. */
class Pending {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  async add(p: Promise<void>): Promise<void> {
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    if (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function encodeCommit(actions: readonly Action[]): Uint8Array {
  return new TextEncoder().encode(actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
}

function parseArgs(argv: readonly string[]): MakeLogTableOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (name === 'clean') flags.set(name, 'true');
    else flags.set(name, inline ?? argv[++i] ?? '');
  }
  const num = (name: string): number | undefined => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, got ${v}`);
    return n;
  };
  const out = flags.get('out');
  if (!out) throw new Error('give --out DIR');
  const known = ['out', 'commits', 'checkpoint-at', 'files-per-commit', 'remove-every', 'checkpoint-files', 'commits-after', 'parts', 'seed', 'clean'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => `--${x}`).join(' ')})`);
  const options: Record<string, unknown> = { out, clean: flags.has('clean') };
  const map: [string, keyof MakeLogTableOptions][] = [
    ['commits', 'commits'],
    ['checkpoint-at', 'checkpointAt'],
    ['files-per-commit', 'filesPerCommit'],
    ['remove-every', 'removeEvery'],
    ['checkpoint-files', 'checkpointFiles'],
    ['commits-after', 'commitsAfter'],
    ['parts', 'parts'],
    ['seed', 'seed'],
  ];
  for (const [flag, key] of map) {
    const v = num(flag);
    if (v !== undefined) options[key] = v;
  }
  return options as unknown as MakeLogTableOptions;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const summary = await makeLogTable(parseArgs(process.argv.slice(2)));
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } catch (e) {
    process.stderr.write(`make-log-table: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
