// A throwaway Ceph RADOS Gateway (S3 API) on loopback for the S3 tests: one monitor, one in-memory
// ("memstore") OSD and radosgw, in a temp directory, started from the Debian binaries when they exist.
//
// Why it is built this way (see ../shared/object-stores.md for what RGW honours):
// - The OSD, at start, sends mon commands (set its device class, update its CRUSH location) before its
//   monitor client has the monmap; they go out with a zero fsid and fail with "wrong fsid", killing the
//   OSD. Both start-up updates are switched off and the CRUSH entry is made beforehand with the CLI.
//   The OSD start is still retried from a fresh mkfs if it fails or does not come up.
// - Every osdmap change waits out the Paxos propose interval (1 s by default) and radosgw makes about
//   eight of them creating its pools; a short interval cuts the start from ~11 s to a few seconds.
// - Readiness is an authenticated S3 request answering 200, not an open port.
// - The daemons fork into the background so one server outlives the test file that started it and is
//   shared across files; a detached watchdog kills them if the owning process dies without teardown.
//
// Sharing: the vitest globalSetup (rgw-global-setup.ts) provides a directory; the first test file that
// needs RGW takes a lock there and starts it, the others wait for its state file. Nothing starts unless
// an S3 test file runs. Without the globalSetup, each file starts a private server and stops it afterwards.

import { spawn, execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';

/** What tests need to reach the running gateway. */
export interface RgwServer {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Milliseconds the start took (for reports). */
  readonly startMs: number;
}

/** Either a running server or the reason the S3 tests are skipped. */
export type RgwHandle = { readonly server: RgwServer; readonly skip?: undefined } | { readonly server?: undefined; readonly skip: string };

/** The shared-server context the globalSetup provides. */
export interface SharedRgwContext {
  /** Directory holding the lock, the state file and the server's data (`ceph/`). */
  readonly dir: string;
  /** The vitest main process; the watchdog stops the server when it is gone. */
  readonly owner: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    duckrunRgw: SharedRgwContext | undefined;
  }
}

const BINARIES = ['ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin', 'monmaptool', 'ceph-authtool'] as const;
const ACCESS_KEY = 'DUCKRUNTESTKEY';
const SECRET_KEY = 'duckrun-test-secret-not-a-real-credential';
const REGION = 'us-east-1';
/** Daemons named by their pid files under `run/`, stopped in this order. */
const DAEMONS = ['client.rgw', 'osd.0', 'mon.a'] as const;

/** Thrown when RGW cannot run here; the message is the skip reason. */
export class RgwUnavailable extends Error {}

/** Finds the Ceph binaries on PATH (plus the sbin directories root's PATH may lack). */
function missingBinaries(): string[] {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].filter(Boolean);
  return BINARIES.filter((b) => !dirs.some((d) => existsSync(join(d, b))));
}

/**
 * The handle for a test file. Returns `{ skip }` (never throws) when RGW is disabled, missing or fails
 * to start, so the caller can mark its tests skipped with the reason.
 */
export async function sharedRgw(): Promise<RgwHandle> {
  if (/^(0|off|false|skip)$/i.test(process.env.DUCKRUN_RGW ?? '')) return { skip: 'DUCKRUN_RGW=off' };
  const missing = missingBinaries();
  if (missing.length > 0) {
    return { skip: `Ceph RGW binaries not installed (${missing.join(', ')}); install with: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd` };
  }
  const { inject, afterAll } = await import('vitest');
  let shared: SharedRgwContext | undefined;
  try {
    shared = inject('duckrunRgw');
  } catch {
    shared = undefined;
  }
  if (shared === undefined) {
    // No globalSetup: a private server for this file.
    const dir = await mkdtemp(join(tmpdir(), 'duckrun-rgw-'));
    try {
      const server = await startRgw(join(dir, 'ceph'), process.pid);
      afterAll(async () => {
        await stopRgw(join(dir, 'ceph'));
        await rm(dir, { recursive: true, force: true });
      });
      return { server };
    } catch (e) {
      await stopRgw(join(dir, 'ceph'));
      await rm(dir, { recursive: true, force: true });
      return { skip: skipReason(e) };
    }
  }
  const statePath = join(shared.dir, 'state.json');
  let starter = false;
  try {
    mkdirSync(join(shared.dir, 'lock'));
    starter = true;
  } catch {
    starter = false;
  }
  if (starter) {
    let state: RgwHandle;
    try {
      state = { server: await startRgw(join(shared.dir, 'ceph'), shared.owner) };
    } catch (e) {
      await stopRgw(join(shared.dir, 'ceph'));
      state = { skip: skipReason(e) };
    }
    await writeFile(`${statePath}.tmp`, JSON.stringify(state));
    await rename(`${statePath}.tmp`, statePath);
    return state;
  }
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (existsSync(statePath)) return JSON.parse(readFileSync(statePath, 'utf8')) as RgwHandle;
    await sleep(100);
  }
  return { skip: 'timed out waiting for another test file to start Ceph RGW' };
}

function skipReason(e: unknown): string {
  return e instanceof RgwUnavailable ? e.message : `Ceph RGW failed to start: ${(e as Error)?.message ?? String(e)}`;
}

/** Storage options for the S3 adapter pointing at `server`. */
export function rgwStorageOptions(server: RgwServer): Record<string, string> {
  return {
    aws_endpoint: server.endpoint,
    aws_allow_http: 'true',
    aws_region: server.region,
    aws_access_key_id: server.accessKeyId,
    aws_secret_access_key: server.secretAccessKey,
  };
}

/** A plain SDK client for test setup (creating buckets); the SDK loads lazily so the globalSetup stays cheap. */
export async function rgwClient(server: RgwServer): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

let bucketSeq = 0;

/** Creates a new, empty bucket with a unique name (lower case, S3 rules). */
export async function createBucket(server: RgwServer, hint = 't'): Promise<string> {
  const name = `${hint}-${process.pid}-${Date.now().toString(36)}-${(bucketSeq++).toString(36)}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const client = await rgwClient(server);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}

/**
 * Starts mon + OSD + radosgw with data in `dir` (created; must not exist or be empty) and returns once an
 * authenticated S3 request succeeds. `owner` is the process whose death stops the server.
 * Throws RgwUnavailable or another error on failure; the caller then runs {@link stopRgw}.
 */
export async function startRgw(dir: string, owner: number): Promise<RgwServer> {
  const t0 = Date.now();
  const missing = missingBinaries();
  if (missing.length > 0) throw new RgwUnavailable(`Ceph binaries missing: ${missing.join(', ')}`);
  await rm(dir, { recursive: true, force: true });
  for (const sub of ['mon', 'osd/0', 'log', 'run', 'rgw']) await mkdir(join(dir, sub), { recursive: true });
  startWatchdog(dir, owner);

  const [monPort, rgwPort] = await freePorts(2);
  const fsid = randomUUID();
  const conf = join(dir, 'ceph.conf');
  await writeFile(conf, cephConf(dir, fsid, monPort!, rgwPort!));
  const c = ['-c', conf];

  await run('monmaptool', ['--create', '--add', 'a', `v1:127.0.0.1:${monPort}`, '--fsid', fsid, join(dir, 'monmap')]);
  await run('ceph-authtool', ['--create-keyring', join(dir, 'mon.keyring'), '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
  await run('ceph-mon', [...c, '-i', 'a', '--mkfs', '--monmap', join(dir, 'monmap'), '--keyring', join(dir, 'mon.keyring')]);
  await daemon(dir, 'ceph-mon', [...c, '-i', 'a']);

  // The first CLI calls may race the monitor's start; `osd create` with a uuid is idempotent.
  const osdUuid = randomUUID();
  const id = (await retry('ceph osd create', 20_000, () => ceph(c, ['osd', 'create', osdUuid]))).trim();
  if (id !== '0') throw new Error(`expected OSD id 0, got ${JSON.stringify(id)}`);
  await retry('ceph osd crush add', 20_000, () => ceph(c, ['osd', 'crush', 'add', 'osd.0', '1.0', 'host=localhost', 'root=default']));

  let lastOsdError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await rm(join(dir, 'osd/0'), { recursive: true, force: true });
      await mkdir(join(dir, 'osd/0'), { recursive: true });
      await run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
      await daemon(dir, 'ceph-osd', [...c, '-i', '0']);
      await waitFor('the OSD to be up', 30_000, async () => {
        const dump = JSON.parse(await ceph(c, ['osd', 'dump', '--format', 'json'])) as { osds?: { osd: number; up: number }[] };
        return dump.osds?.some((o) => o.osd === 0 && o.up === 1) === true;
      });
      lastOsdError = undefined;
      break;
    } catch (e) {
      lastOsdError = e;
      await killDaemon(dir, 'osd.0');
    }
  }
  if (lastOsdError !== undefined) throw new RgwUnavailable(`the Ceph OSD did not come up after 3 attempts: ${(lastOsdError as Error).message}${logTail(dir, 'osd.0')}`);

  await daemon(dir, 'radosgw', [...c, '-n', 'client.rgw']);
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  // Any HTTP answer means radosgw has created its pools and serves requests.
  await waitFor('radosgw to answer HTTP', 90_000, async () => {
    if (!alive(dir, 'client.rgw')) throw new RgwUnavailable(`radosgw exited during start${logTail(dir, 'client.rgw')}`);
    return (await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status).catch(() => 0)) > 0;
  });
  await retry('radosgw-admin user create', 30_000, () =>
    run('radosgw-admin', [...c, 'user', 'create', '--uid=duckrun-test', '--display-name=duckrun test', `--access-key=${ACCESS_KEY}`, `--secret=${SECRET_KEY}`]),
  );
  const server: RgwServer = { endpoint, region: REGION, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, startMs: 0 };
  const { ListBucketsCommand } = await import('@aws-sdk/client-s3');
  const client = await rgwClient(server);
  try {
    await retry('an authenticated S3 request', 30_000, () => client.send(new ListBucketsCommand({})));
  } finally {
    client.destroy();
  }
  return { ...server, startMs: Date.now() - t0 };
}

/** Stops every daemon of the server in `dir` (TERM, then KILL after 1 s), its watchdog, and removes `dir`. */
export async function stopRgw(dir: string): Promise<void> {
  await Promise.all(DAEMONS.map((name) => killDaemon(dir, name)));
  const watchdog = readPid(join(dir, 'watchdog.pid'));
  if (watchdog !== undefined) signal(watchdog, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
paxos propose interval = 0.05
paxos min wait = 0.01
run dir = ${dir}/run
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
[mon.a]
mon data = ${dir}/mon/a
[osd]
osd objectstore = memstore
memstore device bytes = 1073741824
osd data = ${dir}/osd/$id
osd class update on start = false
osd crush update on start = false
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
`;
}

/** Kills the server's daemons once `owner` is gone (a crashed or killed test run never leaks them). */
function startWatchdog(dir: string, owner: number): void {
  const script = `while kill -0 ${owner} 2>/dev/null && [ -d "$0" ]; do sleep 1; done
for n in ${DAEMONS.join(' ')}; do p=$(cat "$0/run/$n.pid" 2>/dev/null) && kill -9 "$p" 2>/dev/null; done
rm -rf "$0"`;
  const child = spawn('/bin/sh', ['-c', script, dir], { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid !== undefined) writeFileSync(join(dir, 'watchdog.pid'), String(child.pid));
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Runs a short command; rejects with its output on failure or after `timeoutMs`. */
function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.filter((a) => !a.startsWith('--secret')).join(' ')} failed: ${(stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(stdout);
    });
  });
}

function ceph(c: string[], args: string[]): Promise<string> {
  return run('ceph', [...c, '--connect-timeout', '10', ...args], 20_000);
}

/**
 * Starts a forking Ceph daemon and waits for its foreground part to exit: Ceph daemons report their init
 * result through that exit status (non-zero when init failed). Output goes to a log file, not a pipe,
 * so the background process cannot hold our pipes open.
 */
async function daemon(dir: string, cmd: string, args: string[]): Promise<void> {
  const out = openSync(join(dir, 'log', `${cmd}.stdout`), 'a');
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
    const code = await new Promise<number | null>((resolve, reject) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${cmd} did not finish starting within 60 s`));
      }, 60_000);
      child.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      child.once('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    if (code !== 0) {
      const text = existsSync(join(dir, 'log', `${cmd}.stdout`)) ? readFileSync(join(dir, 'log', `${cmd}.stdout`), 'utf8') : '';
      throw new Error(`${cmd} exited with ${code} while starting: ${text.trim().split('\n').filter(Boolean).slice(-3).join(' | ')}`);
    }
  } finally {
    closeSync(out);
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(dir: string, name: string): boolean {
  const pid = readPid(join(dir, 'run', `${name}.pid`));
  if (pid === undefined) return true; // not written yet
  return signal(pid, 0);
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** TERM, then KILL after 1 s (the data is throwaway; a clean shutdown buys nothing); returns once it is gone. */
async function killDaemon(dir: string, name: string): Promise<void> {
  const pid = readPid(join(dir, 'run', `${name}.pid`));
  if (pid === undefined || !isCephProcess(pid)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline && running(pid)) await sleep(25);
  if (running(pid)) signal(pid, 'SIGKILL');
  const hard = Date.now() + 5000;
  while (Date.now() < hard && running(pid)) await sleep(50);
}

/** Guards against a stale pid file naming a recycled pid: only ever signal a Ceph daemon. */
function isCephProcess(pid: number): boolean {
  try {
    return /(^|\/)(ceph-mon|ceph-osd|radosgw)\0/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    // No /proc (not Linux): trust the pid file, it lives in our private directory.
    return !existsSync('/proc/self');
  }
}

/** A live process (zombies awaiting their reaper count as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return existsSync('/proc/self') ? false : signal(pid, 0);
  }
}

async function retry<T>(what: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RgwUnavailable || Date.now() + delay > deadline) throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      if (e instanceof RgwUnavailable) throw e;
    }
    await sleep(150);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

function logTail(dir: string, name: string): string {
  try {
    const lines = readFileSync(join(dir, 'log', `${name}.log`), 'utf8').trim().split('\n');
    const errors = lines.filter((l) => / -1 |ERROR|error|fail/i.test(l)).slice(-3);
    return errors.length > 0 ? ` (log: ${errors.join(' | ').slice(0, 600)})` : '';
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Used by the globalSetup teardown: stops whatever a test file started under the shared directory. */
export async function stopSharedRgw(sharedDir: string): Promise<void> {
  await stopRgw(join(sharedDir, 'ceph'));
  await rm(sharedDir, { recursive: true, force: true });
}

