// Golden-table conformance: holds @duckrun/delta against Spark-written tables, following the folder's
// manifest.json. Usage: pnpm conformance:delta [DIR]   (default ../shared/fixtures/delta-golden)

import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { DeltaTable } from '@duckrun/delta';
import { isDuckrunError } from '@duckrun/storage';
import { canonicalRows } from './canonical.js';
import { READER_SETTINGS } from './expectations.js';

interface Entry {
  readonly kind: 'snapshot' | 'negative' | 'no-expected';
  readonly versions?: Record<string, string>;
  readonly reason?: string;
  readonly note?: string;
}

interface Outcome {
  readonly ok: boolean;
  readonly detail: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const dir = path.resolve(process.argv[2] ?? path.resolve(repoRoot, '../shared/fixtures/delta-golden'));

if (!existsSync(path.join(dir, 'manifest.json'))) {
  process.stdout.write(`delta-golden: no manifest.json in ${dir}; the shared golden tables are absent, so conformance was not run\n`);
  process.exit(process.env.CI ? 1 : 0);
}

const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, Entry>;
const folders = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const work = await mkdtemp(path.join(tmpdir(), 'duckrun-golden-'));
let passed = 0;
let failed = 0;
try {
  for (const name of folders) {
    const entry = manifest[name];
    const outcome: Outcome = entry
      ? await runOne(name, entry).catch((e: unknown) => ({ ok: false, detail: `crashed: ${describe(e)}` }))
      : { ok: false, detail: 'no manifest entry for this table' };
    if (outcome.ok) passed++;
    else failed++;
    process.stdout.write(`${outcome.ok ? 'PASS' : 'FAIL'} ${name} (${entry?.kind ?? '?'}): ${outcome.detail}\n`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);

async function runOne(name: string, entry: Entry): Promise<Outcome> {
  // Tables are read-only inputs: work on a copy.
  const copy = path.join(work, name);
  await cp(path.join(dir, name), copy, { recursive: true });
  const tablePath = path.join(copy, 'delta');
  switch (entry.kind) {
    case 'snapshot':
      return snapshotCase(copy, tablePath, entry, name);
    case 'negative':
      return negativeCase(tablePath, entry);
    case 'no-expected':
      return noExpectedCase(tablePath);
  }
}

async function snapshotCase(folder: string, tablePath: string, entry: Entry, name: string): Promise<Outcome> {
  const setting = READER_SETTINGS[name];
  const table = await DeltaTable.open(tablePath, setting?.options ?? {});
  const checks: Array<[string, number | undefined]> = [['expected', undefined]];
  for (const [v, sub] of Object.entries(entry.versions ?? {})) checks.push([sub, Number(v)]);
  const details: string[] = [];
  for (const [sub, version] of checks) {
    const snap = await table.snapshot(version === undefined ? {} : { version });
    const actual = canonicalRows(await collect(snap.scan()));
    const expected = canonicalRows(await readExpected(path.join(folder, sub)));
    const diff = compare(actual, expected);
    if (diff) return { ok: false, detail: `version ${snap.version} (${sub}): ${diff}` };
    details.push(`v${snap.version}: ${actual.length} rows`);
  }
  if (setting) details.push(`read with ${JSON.stringify(setting.options)}: ${setting.reason}`);
  return { ok: true, detail: details.join(', ') };
}

async function negativeCase(tablePath: string, entry: Entry): Promise<Outcome> {
  try {
    const table = await DeltaTable.open(tablePath);
    const snap = await table.snapshot();
    await collect(snap.scan());
  } catch (e) {
    if (!isDuckrunError(e)) return { ok: false, detail: `failed, but not with a typed duckrun error: ${describe(e)}` };
    if (!e.message.includes(tablePath) && !e.message.includes(encodeURI(tablePath))) {
      return { ok: false, detail: `error does not name the table: ${e.message}` };
    }
    return { ok: true, detail: `refused (${entry.reason}): [${e.code}] ${e.message}` };
  }
  return { ok: false, detail: `expected a clear error (${entry.reason}) but the table was read` };
}

async function noExpectedCase(tablePath: string): Promise<Outcome> {
  if (!existsSync(path.join(tablePath, '_delta_log'))) {
    // Not a Delta layout at all: opening must say so clearly.
    try {
      await DeltaTable.open(tablePath);
      return { ok: false, detail: 'opened a folder without _delta_log as a Delta table' };
    } catch (e) {
      return isDuckrunError(e, 'DELTA_NOT_A_TABLE')
        ? { ok: true, detail: `not a Delta table, refused clearly: ${e.message}` }
        : { ok: false, detail: `unclear error: ${describe(e)}` };
    }
  }
  try {
    const table = await DeltaTable.open(tablePath);
    const snap = await table.snapshot();
    const rows = (await collect(snap.scan())).reduce((n, b) => n + b.numRows, 0);
    return { ok: true, detail: `version ${snap.version}: ${snap.numFiles} files, ${rows} rows` };
  } catch (e) {
    // Some of these fixtures are log-only test inputs. A failure passes only when it is a typed error AND
    // the runner confirms the defect in the fixture itself, independently of the reader.
    const defect = isDuckrunError(e) ? await fixtureDefect(tablePath, e) : undefined;
    if (defect) return { ok: true, detail: `${defect}; reported clearly: [${(e as { code: string }).code}] ${(e as Error).message}` };
    throw e;
  }
}

/** Confirms, by looking at the fixture files directly, the defect a typed error reports (or undefined). */
async function fixtureDefect(tablePath: string, e: Error & { code: string; file?: string }): Promise<string | undefined> {
  if (e.code === 'DELTA_DATA_FILE' && typeof e.file === 'string' && e.file.startsWith('file:')) {
    const file = fileURLToPath(encodeURI(e.file));
    return existsSync(file) ? undefined : `log-only fixture: data file ${path.relative(tablePath, file)} does not exist on disk`;
  }
  if (e.code === 'DELTA_PROTOCOL' && /no (metaData|protocol) action/.test(e.message)) {
    const kind = /no (metaData|protocol) action/.exec(e.message)![1]!;
    const logDir = path.join(tablePath, '_delta_log');
    const commits = (await readdir(logDir)).filter((f) => f.endsWith('.json'));
    const texts = await Promise.all(commits.map((f) => readFile(path.join(logDir, f), 'utf8')));
    const hasCheckpoint = (await readdir(logDir)).some((f) => f.includes('.checkpoint.'));
    return !hasCheckpoint && !texts.some((t) => t.includes(`{"${kind}":`)) ? `the fixture's log has no ${kind} action at all` : undefined;
  }
  return undefined;
}

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

async function readExpected(folder: string): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  const files = await listParquet(folder);
  for (const f of files) {
    const table = tableFromIPC(readParquet(new Uint8Array(await readFile(f))).intoIPCStream());
    out.push(...table.batches);
  }
  return out;
}

async function listParquet(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(folder, { withFileTypes: true })) {
    const p = path.join(folder, d.name);
    if (d.isDirectory()) out.push(...(await listParquet(p)));
    else if (d.name.endsWith('.parquet')) out.push(p);
  }
  return out.sort();
}

function compare(actual: string[], expected: string[]): string | undefined {
  const a = [...actual].sort();
  const e = [...expected].sort();
  if (a.length !== e.length) return `${a.length} rows, expected ${e.length}; first expected: ${e[0] ?? '-'}; first actual: ${a[0] ?? '-'}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) return `row mismatch:\n    actual:   ${a[i]}\n    expected: ${e[i]}`;
  }
  return undefined;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
