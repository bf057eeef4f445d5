// The benchmark harness's building blocks: timing samples, statistics, peak memory, machine facts,
// and child processes that measure one thing under a fixed heap limit.

import { execFileSync, spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineKind } from '@duckrun/sql';

/** Repository root (the bench runs with it as working directory so `--import tsx` resolves). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One measured quantity: several samples of a duration in milliseconds. */
export interface Measurement {
  readonly label: string;
  /** Wall-clock durations, milliseconds, one per run. */
  readonly samples: readonly number[];
  /** Peak resident set size of the process that ran it, MiB (when measured in a child). */
  readonly peakRssMiB?: number;
  /** Store requests one run made (gets + lists), when counted. */
  readonly requests?: { readonly gets: number; readonly lists: number };
  /** Label of the measurement this one is compared to. */
  readonly baseline?: string;
  /** Label of a second measurement to relate this one to (e.g. the same run's overwrite of the table). */
  readonly reference?: string;
  readonly note?: string;
}

/** A pass/fail against a stated target. */
export interface Check {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

/** Everything one scenario reports. */
export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly setup: string;
  readonly measurements: readonly Measurement[];
  readonly checks: readonly Check[];
  readonly notes: readonly string[];
}

/** A scenario: a name for `--only`, and a run function. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  run(context: BenchContext): Promise<ScenarioResult>;
}

/** What scenarios get from the harness. */
export interface BenchContext {
  /** Directory for generated tables (under the OS temp dir). */
  readonly workDir: string;
  /** Regenerate cached tables. */
  readonly fresh: boolean;
  /** TPC-H scale factor of the data-size scenarios (`--scale`). */
  readonly scale: number;
  /** SQL engines the engine-dependent scenarios run on (`--engine`). */
  readonly engines: readonly EngineKind[];
  /** Layouts of the lineitem chain (`--layout`): `plain`, `by-year`. */
  readonly layouts: readonly string[];
  /** Progress output (stderr). */
  log(line: string): void;
}

/** Summary statistics of samples. */
export function stats(samples: readonly number[]): { median: number; min: number; max: number } {
  if (samples.length === 0) return { median: NaN, min: NaN, max: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Runs `fn` `runs` times after `warmup` unmeasured runs; returns the durations in ms. */
export async function time(fn: () => Promise<unknown>, runs: number, warmup = 0): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** What a child measurement prints as its last stdout line (JSON). */
export interface ChildReport {
  readonly ms: number;
  /** Peak RSS from getrusage (exact high-water mark), bytes. */
  readonly maxRssBytes: number;
  /** Highest RSS seen by a 10 ms sampler, bytes. */
  readonly sampledRssBytes: number;
  readonly heapUsedBytes: number;
  readonly [key: string]: unknown;
}

/** Runs `bench/child.ts <args>` in a fresh Node process with `--max-old-space-size=<heapMiB>`. */
export function runChild(args: readonly string[], heapMiB: number): Promise<ChildReport> {
  const script = path.join(REPO_ROOT, 'bench', 'child.ts');
  const argv = [`--max-old-space-size=${heapMiB}`, '--conditions=source', '--import', 'tsx', script, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`bench child ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim().slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as ChildReport);
      } catch {
        reject(new Error(`bench child ${args.join(' ')} printed no report: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
      }
    });
  });
}

/** Facts about the machine and the code measured. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly commit: string;
  readonly date: string;
}

/** Describes this machine, Node and the git commit (`git rev-parse HEAD`, or "unknown"). */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout (or git missing): the report says "unknown".
  }
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    date: new Date().toISOString(),
  };
}

/** Milliseconds as a short human string. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

/** Bytes as MiB. */
export function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/** The ratio of a measurement to its baseline, e.g. "4.2× faster" (medians). */
export function ratioText(m: Measurement, all: readonly Measurement[]): string {
  if (!m.baseline) return '';
  const base = all.find((x) => x.label === m.baseline);
  if (!base) return '';
  const r = stats(base.samples).median / stats(m.samples).median;
  return r >= 1 ? `${r.toFixed(1)}× faster` : `${(1 / r).toFixed(1)}× slower`;
}

/** This measurement's median as a multiple of its reference's, e.g. "2.40×". */
export function referenceText(m: Measurement, all: readonly Measurement[]): string {
  const ref = m.reference ? all.find((x) => x.label === m.reference) : undefined;
  if (!ref) return '';
  return `${(stats(m.samples).median / stats(ref.samples).median).toFixed(2)}×`;
}

/** Renders rows as a fixed-width text table. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The table columns every scenario prints and RESULTS.md shows. */
export function measurementRows(ms: readonly Measurement[]): string[][] {
  return ms.map((m) => {
    const s = stats(m.samples);
    const req = m.requests ? `${m.requests.gets} get / ${m.requests.lists} list` : '';
    return [
      m.label,
      formatMs(s.median),
      formatMs(s.min),
      formatMs(s.max),
      String(m.samples.length),
      m.peakRssMiB !== undefined ? `${m.peakRssMiB} MiB` : '',
      req,
      ratioText(m, ms),
      referenceText(m, ms),
    ];
  });
}

/** Header of {@link measurementRows}. */
export const MEASUREMENT_HEADER = ['measurement', 'median', 'min', 'max', 'runs', 'peak RSS', 'store requests', 'vs baseline', 'vs reference'] as const;
