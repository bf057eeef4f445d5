// Several OS processes race putIfAbsent on the same Delta log versions in one directory, as
// competing committers do; every version must end with exactly one intact winner.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../src/stores/local.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const LOCAL_TS = pathToFileURL(fileURLToPath(new URL('../../src/stores/local.ts', import.meta.url))).href;
const ERRORS_TS = pathToFileURL(fileURLToPath(new URL('../../src/errors.ts', import.meta.url))).href;

const PROCESSES = 4;
const VERSIONS = 50;

/** The commit a writer tries at a version; the child script below builds the same bytes. */
function payload(writer: number, version: number): string {
  const head = `${JSON.stringify({ commitInfo: { writer, version } })}\n`;
  return head + `{"add":{"path":"part-${writer}-${version}.parquet","size":${version}}}\n`.repeat(20 + ((writer * 7 + version) % 13));
}

const CHILD = `
import { LocalStore } from ${JSON.stringify(LOCAL_TS)};
import { isDuckrunError } from ${JSON.stringify(ERRORS_TS)};

function payload(writer, version) {
  const head = JSON.stringify({ commitInfo: { writer, version } }) + '\\n';
  return head + ('{"add":{"path":"part-' + writer + '-' + version + '.parquet","size":' + version + '}}\\n').repeat(20 + ((writer * 7 + version) % 13));
}

const [dir, writerArg, versionsArg] = process.argv.slice(2);
const writer = Number(writerArg);
const versions = Number(versionsArg);
const store = new LocalStore(dir);
const encoder = new TextEncoder();

// Start barrier: every child is loaded before any of them writes.
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));

const won = [];
let lost = 0;
for (let v = 0; v < versions; v++) {
  const key = '_delta_log/' + String(v).padStart(20, '0') + '.json';
  try {
    await store.putIfAbsent(key, encoder.encode(payload(writer, v)));
    won.push(v);
  } catch (e) {
    if (!isDuckrunError(e, 'STORE_ALREADY_EXISTS')) {
      process.stderr.write('writer ' + writer + ' version ' + v + ': unexpected ' + (e && e.stack || e) + '\\n');
      process.exit(2);
    }
    lost++;
  }
}
process.stdout.write(JSON.stringify({ writer, won, lost }) + '\\n');
process.stdin.destroy();
`;

interface Child {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  ready: Promise<void>;
  exit: Promise<number | null>;
}

function startChild(script: string, dir: string, writer: number): Child {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, dir, String(writer), String(VERSIONS)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const child: Child = { proc, stdout: '', stderr: '', ready: Promise.resolve(), exit: Promise.resolve(null) };
  child.ready = new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      child.stdout += d.toString();
      if (child.stdout.startsWith('ready\n')) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`writer ${writer} exited with ${code} before it was ready: ${child.stderr}`)));
  });
  proc.stderr!.on('data', (d: Buffer) => (child.stderr += d.toString()));
  child.exit = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  return child;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('LocalStore putIfAbsent across processes', () => {
  it(`gives each of ${VERSIONS} log versions exactly one winner among ${PROCESSES} competing committer processes`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duckrun-race-'));
    dirs.push(dir);
    const script = join(dir, 'committer.mjs');
    await writeFile(script, CHILD);
    const table = join(dir, 'table');

    const started = Array.from({ length: PROCESSES }, (_, i) => startChild(script, table, i));
    children.push(...started.map((c) => c.proc));
    await Promise.all(started.map((c) => c.ready));
    for (const c of started) c.proc.stdin!.write('go\n');

    // Meanwhile read the log as a reader would: every visible commit must already be complete.
    const store = new LocalStore(table);
    const seen = new Set<string>();
    const torn: string[] = [];
    let running = true;
    const exits = Promise.all(started.map((c) => c.exit)).finally(() => (running = false));
    while (running) {
      for await (const meta of store.list('_delta_log/')) {
        if (seen.has(meta.path)) continue;
        const body = new TextDecoder().decode(await store.get(meta.path));
        const head = JSON.parse(body.slice(0, body.indexOf('\n'))) as { commitInfo: { writer: number; version: number } };
        if (body !== payload(head.commitInfo.writer, head.commitInfo.version)) torn.push(meta.path);
        seen.add(meta.path);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const codes = await exits;

    expect(started.map((c) => c.stderr)).toEqual(started.map(() => ''));
    expect(codes).toEqual(started.map(() => 0));
    expect(torn).toEqual([]);

    const reports = started.map((c) => JSON.parse(c.stdout.split('\n')[1]!) as { writer: number; won: number[]; lost: number });
    const winners = new Map<number, number[]>();
    for (const r of reports) {
      expect(r.won.length + r.lost).toBe(VERSIONS);
      for (const v of r.won) winners.set(v, [...(winners.get(v) ?? []), r.writer]);
    }
    for (let v = 0; v < VERSIONS; v++) {
      const w = winners.get(v) ?? [];
      expect(w, `winners of version ${v}`).toHaveLength(1);
      const file = join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`);
      expect(await readFile(file, 'utf8'), `content of version ${v}`).toBe(payload(w[0]!, v));
    }

    const names = await readdir(join(table, '_delta_log'));
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names).toHaveLength(VERSIONS);
  });
});
