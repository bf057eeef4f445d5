// A Delta table's whole life on S3, against a real Ceph RADOS Gateway (which enforces If-None-Match: *):
// create, append, two appends racing from separate OS processes onto the same version (both land, once
// each), overwrite, checkpoint, vacuum, and a fresh reader. Skipped, with the reason printed, when RGW is
// not installed or cannot start (see packages/storage/test/servers/rgw.ts).

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStore, type ObjectStore } from '@duckrun/storage';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { rowsFor, idRange } from '../support/rows.js';
import { createBucket, rgwStorageOptions, sharedRgw, type RgwServer } from '../../../storage/test/servers/rgw.js';
import { readJsonLines } from '../support/json-lines.js';

const rgw = await sharedRgw();
const skip = rgw.skip;
if (skip !== undefined) console.warn(`[s3 e2e] SKIPPED against Ceph RGW: ${skip}`);

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./s3-e2e-child.ts', import.meta.url));

type Event = Record<string, any>;

/** A writer process (s3-e2e-child.ts) and its JSON events. */
class Child {
  readonly proc: ChildProcess;
  readonly events: Event[] = [];
  stderr = '';
  private wake: (() => void)[] = [];
  private exited = false;

  constructor(args: object) {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    delete env.NODE_OPTIONS;
    this.proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, JSON.stringify(args)], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    readJsonLines(this.proc.stdout!, (event) => this.events.push(event as Event), () => this.notify());
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (d: string) => (this.stderr += d));
    this.proc.stdin!.on('error', () => undefined);
    this.proc.on('close', () => {
      this.exited = true;
      this.notify();
    });
  }

  private notify(): void {
    for (const w of this.wake.splice(0)) w();
  }

  async waitFor(pred: (e: Event) => boolean, timeoutMs = 60_000): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      const err = this.events.find((e) => e.error !== undefined);
      if (err) throw new Error(`writer ${this.proc.pid} failed: ${err.error}`);
      if (this.exited || Date.now() > deadline) {
        throw new Error(`writer ${this.proc.pid} ${this.exited ? 'exited' : 'timed out'}; events ${JSON.stringify(this.events)}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.wake.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

const children: Child[] = [];
afterAll(() => {
  for (const c of children) c.kill();
});

async function readIds(url: string, storageOptions: Record<string, string>): Promise<{ version: number; ids: number[] }> {
  const table = await DeltaTable.open(url, { storageOptions });
  const snapshot = await table.snapshot();
  const ids: number[] = [];
  for await (const batch of snapshot.scan()) {
    const col = batch.getChild('id')!;
    for (let i = 0; i < batch.numRows; i++) ids.push(Number(col.get(i)));
  }
  return { version: snapshot.version, ids: ids.sort((a, b) => a - b) };
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const m of store.list(prefix)) out.push(m.path);
  return out;
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

describe.skipIf(skip !== undefined)(`Delta tables on S3 (Ceph RGW)${skip !== undefined ? ` (skipped: ${skip})` : ''}`, () => {
  it('creates, appends, races two processes, overwrites, checkpoints, vacuums and reads back', async () => {
    const server = rgw.server as RgwServer;
    const storageOptions = rgwStorageOptions(server);
    const bucket = await createBucket(server, 'delta-e2e');
    const url = `s3://${bucket}/warehouse/events`;
    const store = await resolveStore(url, storageOptions);

    // Start the racers first: loading tsx, the SDK and parquet-wasm takes a few seconds, overlapping the writes below.
    const racers = [
      new Child({ url, storageOptions, firstId: 1000, rows: 7, writer: 1 }),
      new Child({ url, storageOptions, firstId: 2000, rows: 9, writer: 2 }),
    ];
    children.push(...racers);

    // Create and append.
    const created = await writeDeltaTable(url, rowsFor(0, 10, 0), { storageOptions });
    expect(created.version).toBe(0);
    const appended = await writeDeltaTable(url, rowsFor(10, 5, 0), { mode: 'append', storageOptions });
    expect(appended.version).toBe(1);
    expect(await readIds(url, storageOptions)).toEqual({ version: 1, ids: idRange(0, 15) });

    // Two processes stopped just before committing, then released together onto version 2: one wins it,
    // the other gets AlreadyExistsError from RGW's If-None-Match check, rebases and commits version 3.
    await Promise.all(racers.map((c) => c.waitFor((e) => e.ready === true)));
    for (const c of racers) c.send('go');
    const gates = await Promise.all(racers.map((c) => c.waitFor((e) => e.gate === 'commit')));
    expect(gates.map((g) => g.path)).toEqual(['_delta_log/00000000000000000002.json', '_delta_log/00000000000000000002.json']);
    for (const c of racers) c.send('release');
    const results = await Promise.all(racers.map((c) => c.waitFor((e) => e.committed !== undefined)));
    expect(sorted(results.map((r) => r.committed as number))).toEqual([2, 3]);
    expect(sorted(results.map((r) => r.attempts as number))).toEqual([1, 2]);
    const afterRace = await readIds(url, storageOptions);
    expect(afterRace.version).toBe(3);
    // Every row of both racers exactly once.
    expect(afterRace.ids).toEqual(sorted([...idRange(0, 15), ...idRange(1000, 7), ...idRange(2000, 9)]));

    // Overwrite.
    const overwritten = await writeDeltaTable(url, rowsFor(5000, 4, 0), { mode: 'overwrite', storageOptions });
    expect(overwritten.version).toBe(4);
    expect(await readIds(url, storageOptions)).toEqual({ version: 4, ids: idRange(5000, 4) });

    // Checkpoint.
    const table = await DeltaTable.open(url, { storageOptions });
    const checkpoint = await table.checkpoint();
    expect(checkpoint.version).toBe(4);
    const log = await keys(store, '_delta_log/');
    expect(log).toContain('_delta_log/00000000000000000004.checkpoint.parquet');
    expect(log).toContain('_delta_log/_last_checkpoint');
    expect(log.filter((k) => k.endsWith('.json'))).toEqual(idRange(0, 5).map((v) => `_delta_log/${String(v).padStart(20, '0')}.json`));

    // Vacuum: the four data files the overwrite removed go, the live one stays.
    const dataBefore = (await keys(store, '')).filter((k) => !k.startsWith('_delta_log/'));
    expect(dataBefore).toHaveLength(5);
    const vacuumed = await table.vacuum({ retentionHours: 0, enforceRetentionDuration: false });
    expect(vacuumed.filesDeleted).toHaveLength(4);
    const dataAfter = (await keys(store, '')).filter((k) => !k.startsWith('_delta_log/'));
    expect(dataAfter).toHaveLength(1);
    expect(dataBefore).toContain(dataAfter[0]);

    // Vacuum records itself in the log (VACUUM START / VACUUM END, versions 5 and 6).
    // A fresh reader (new store, starting from the checkpoint) sees the overwritten table.
    const reopened = await DeltaTable.open(url, { storageOptions });
    expect(await reopened.version()).toBe(6);
    expect(await readIds(url, storageOptions)).toEqual({ version: 6, ids: idRange(5000, 4) });
    const operations = (await reopened.history()).map((h) => h.operation);
    expect(operations.slice(0, 2)).toEqual(['VACUUM END', 'VACUUM START']);
    expect(operations.filter((o) => o === 'WRITE')).toHaveLength(5);
  }, 120_000);
});
