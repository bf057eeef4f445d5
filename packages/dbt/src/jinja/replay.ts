// Suspend-and-replay state of one node render. Template functions are synchronous; one that needs
// an async result looks it up by (call ordinal, label); on a miss it records the pending call and
// throws a SuspendSignal, and the driver awaits the call and renders again. Results survive across
// replays, so every async call (including side-effecting SQL) runs once per node render.
import { SuspendSignal } from './signals.js';

/** The call a suspended render is waiting for. */
export interface PendingCall {
  readonly key: string;
  readonly label: string;
  readonly run: () => Promise<unknown>;
}

/** Memo of async results and non-deterministic values for one node render. */
export class ReplayState {
  private ordinal = 0;
  private readonly memo = new Map<string, unknown>();
  /** Set when the current attempt suspended; read by the driver instead of the thrown error. */
  pending: PendingCall | undefined;
  /** How many async calls actually ran. */
  executed = 0;

  /** Starts a render attempt: ordinals restart so calls line up with the previous attempt's. */
  beginAttempt(): void {
    this.ordinal = 0;
    this.pending = undefined;
  }

  /** The result of `run()` if this call already ran in an earlier attempt; otherwise suspends. */
  awaitSync<T>(label: string, run: () => Promise<T>): T {
    const key = `${this.ordinal++}\u0000${label}`;
    if (this.memo.has(key)) return this.memo.get(key) as T;
    this.pending = { key, label, run };
    throw new SuspendSignal();
  }

  /** A value computed once per node render (clock readings, ids), identical on every replay. */
  once<T>(label: string, compute: () => T): T {
    const key = `${this.ordinal++}\u0000${label}`;
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  /** Runs the pending call and memoises its result. */
  async resolvePending(): Promise<void> {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    const value = await p.run();
    this.executed++;
    this.memo.set(p.key, value);
  }
}
