// Starts and stops a real Azurite (Blob service only) on a free loopback port, for the Azure store tests.
// Started with node directly (not npx) so the PID we hold is Azurite's own, in memory, without telemetry
// (which would hang on this closed network) and without the API-version check (@azure/storage-blob
// 12.34 sends a newer x-ms-version than Azurite 3.37 knows; the Blob calls we make are unchanged).

import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Azurite's account and its publicly documented key (identical in every Azurite). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite. */
export interface AzuriteServer {
  /** `http://127.0.0.1:<port>`: what AZURITE_BLOB_STORAGE_URL expects. */
  readonly blobUrl: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1`: the service URL (azure_storage_endpoint). */
  readonly accountUrl: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const STORAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Path of Azurite's Blob entry point, resolved from @duckrun/storage (where azurite is a devDependency). */
export function azuriteBlobMain(): string {
  const require = createRequire(join(STORAGE_DIR, 'package.json'));
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
}

/** Starts Azurite on a free port and resolves once it accepts connections; rejects with the reason otherwise. */
export async function startAzurite(timeoutMs = 30_000): Promise<AzuriteServer> {
  const main = azuriteBlobMain();
  let lastError: unknown;
  // The free port is found by binding and releasing it, so another process may take it first: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [main, '--inMemoryPersistence', '--disableTelemetry', '--silent', '--skipApiVersionCheck', '--blobHost', '127.0.0.1', '--blobPort', String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: stripNodeOptions(process.env) },
    );
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitForPort(child, port, timeoutMs);
      const blobUrl = `http://127.0.0.1:${port}`;
      return { blobUrl, accountUrl: `${blobUrl}/${AZURITE_ACCOUNT}`, pid: child.pid!, stop: () => stopChild(child) };
    } catch (e) {
      await stopChild(child);
      lastError = new Error(`${(e as Error).message}; output: ${output.trim().slice(0, 500) || '(none)'}`);
    }
  }
  throw lastError;
}

function stripNodeOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // Vitest's NODE_OPTIONS (loaders, inspector flags) must not leak into the server.
  const copy = { ...env };
  delete copy.NODE_OPTIONS;
  return copy;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `Azurite exited with ${code ?? signal} before listening`));
  child.once('error', (e) => (exited = `Azurite could not be started: ${e.message}`));
  for (;;) {
    if (exited) throw new Error(exited);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`Azurite did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves once the process is gone. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}
