// Spawning writer processes (test/support/writer-child.ts) and talking to them line by line.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readJsonLines } from './json-lines.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./writer-child.ts', import.meta.url));

export type ChildEvent = Record<string, any>;

/** A writer child process: its JSON events so far, and ways to wait for more. */
export class WriterProcess {
  readonly proc: ChildProcess;
  readonly events: ChildEvent[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private listeners: (() => void)[] = [];
  private done = false;

  private seq = 0;

  constructor() {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    this.proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD_SCRIPT], {
      cwd: REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    readJsonLines(this.proc.stdout!, (event) => this.events.push({ ...event, at: Date.now() }), () => this.notify());
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (d: string) => (this.stderr += d));
    // A killed child may hold a write to stdin; ignore EPIPE.
    this.proc.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      this.proc.on('close', (code, signal) => {
        this.done = true;
        this.notify();
        resolve({ code, signal });
      }),
    );
  }

  private notify(): void {
    for (const l of this.listeners.splice(0)) l();
  }

  /** Waits for an event matching `pred` (searching from event index `from`); fails if the child exits first. */
  async waitFor(pred: (e: ChildEvent) => boolean, from = 0, timeoutMs = 30_000): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(pred);
      if (hit) return hit;
      if (this.done) throw new Error(`child ${this.proc.pid} exited before the awaited event; events ${JSON.stringify(this.events)}; stderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting on child ${this.proc.pid}; events ${JSON.stringify(this.events)}; stderr: ${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.listeners.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Resolves once the child has loaded and waits on its start barrier. */
  ready(): Promise<ChildEvent> {
    return this.waitFor((e) => e.ready === true);
  }

  /** Sends a command (see writer-child.ts); returns its sequence number, which tags its events. */
  command(cmd: Record<string, unknown>): number {
    const seq = this.seq++;
    this.proc.stdin!.write(`${JSON.stringify({ ...cmd, seq })}\n`);
    return seq;
  }

  /** Lets a gated write (`gate: true`) go on to commit. */
  release(): void {
    this.proc.stdin!.write(`${JSON.stringify({ release: true })}\n`);
  }

  /** The events of command `seq`, once it is done; throws if the child died first. */
  async result(seq: number, timeoutMs = 60_000): Promise<ChildEvent[]> {
    await this.waitFor((e) => e.seq === seq && e.done === true, 0, timeoutMs);
    return this.events.filter((e) => e.seq === seq && e.done !== true && e.gate === undefined).map(({ at: _at, ...e }) => e);
  }

  /** Closes stdin (the child then exits) and waits for a clean exit. */
  async close(): Promise<void> {
    this.proc.stdin!.end();
    await this.finished();
  }

  /** Waits for exit and fails unless the child exited 0 with an empty stderr. */
  async finished(): Promise<ChildEvent[]> {
    const { code, signal } = await this.exited;
    if (code !== 0 || this.stderr.trim() !== '') {
      throw new Error(`child ${this.proc.pid} exited with ${code ?? signal}; stderr:\n${this.stderr}\nevents: ${JSON.stringify(this.events)}`);
    }
    return this.events;
  }

  /** SIGKILLs the child (if still running) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (!this.done) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** Every process started through {@link startWriter}, to kill in `afterAll`. */
const started: WriterProcess[] = [];

export function startWriter(): WriterProcess {
  const w = new WriterProcess();
  started.push(w);
  return w;
}

/** Kills every writer still running (for `afterAll`). */
export async function killAllWriters(): Promise<void> {
  await Promise.all(started.splice(0).map((w) => w.kill()));
}

