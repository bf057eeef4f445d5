// The optimistic commit loop: create `_delta_log/<version>.json` if absent; on a lost race, read the
// winners, apply the kernel's conflict rules, then rebase and retry (bounded, with backoff) or fail.

import { isDuckrunError, type ObjectStore } from '@duckrun/storage';
import { InvalidOptionError } from '../errors.js';
import type { Action } from '../kernel/actions/types.js';
import { commitFileName } from '../kernel/log/log-path.js';
import { commitInfo, nextInCommitTimestamp, readSetOf, type CommitPlan } from '../kernel/txn/commit-plan.js';
import { checkConflicts, commitOperation, type WinningCommit } from '../kernel/txn/conflicts.js';
import { listLog, readCommit, readCommits, LOG_DIR } from '../log/reader.js';
import { CommitConflictError } from './errors.js';

/** Backoff between retries: exponential from `initialMs`, capped at `maxMs`, with jitter. */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
}

/** Options of {@link commit}; the clock, randomness and sleep are injectable for tests. */
export interface CommitOptions {
  /** Rebases allowed after lost races before giving up (default 10). */
  readonly maxRetries?: number;
  readonly backoff?: BackoffOptions;
  /** Waits `ms` milliseconds (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1) for jitter (default Math.random). */
  readonly random?: () => number;
  /** Epoch milliseconds for `commitInfo.timestamp` (default Date.now). */
  readonly now?: () => number;
  /** A fresh UUID for `commitInfo.txnId` (default crypto.randomUUID). */
  readonly uuid?: () => string;
  /** `commitInfo.engineInfo` (default `duckrun/<version>`). */
  readonly engineInfo?: string;
}

/** The committed version and how many create-if-absent attempts it took. */
export interface CommitResult {
  readonly version: number;
  readonly attempts: number;
}

const DEFAULT_MAX_RETRIES = 10;
const DEFAULT_INITIAL_MS = 20;
const DEFAULT_MAX_MS = 2000;

/**
 * Commits `plan` to the table in `store` (`table` names it in messages) at `readVersion + 1`, or at
 * a later version when rebasing over concurrent commits is allowed; throws `CommitConflictError`
 * otherwise. Each attempt writes the whole commit with one create-if-absent, so a commit file is
 * never partial and never replaces another.
 */
export async function commit(store: ObjectStore, table: string, plan: CommitPlan, options: CommitOptions = {}): Promise<CommitResult> {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  validate(table, plan, maxRetries);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const txnId = (options.uuid ?? (() => globalThis.crypto.randomUUID()))();
  const readSet = readSetOf(plan);
  const winners: WinningCommit[] = [];
  let version = plan.readVersion + 1;
  let retries = 0;
  let previousIct = plan.previousInCommitTimestamp;
  for (;;) {
    const timestamp = now();
    const inCommitTimestamp = previousIct === undefined ? undefined : nextInCommitTimestamp(timestamp, previousIct);
    const head = commitInfo(plan, { timestamp, engineInfo: options.engineInfo, readVersion: plan.readVersion, txnId, inCommitTimestamp });
    const bytes = encodeCommit(table, [head, ...plan.actions]);
    try {
      await store.putIfAbsent(`${LOG_DIR}/${commitFileName(version)}`, bytes);
      return { version, attempts: retries + 1 };
    } catch (e) {
      if (!isDuckrunError(e, 'STORE_ALREADY_EXISTS')) throw e;
    }

    // Lost the race at `version`: gather that winner and any later ones already in the log.
    const fresh = plan.pinned ? [{ version, actions: await readCommit(store, table, version) }] : await readWinners(store, table, version);
    winners.push(...fresh);
    const last = fresh[fresh.length - 1]!;
    const verdict = checkConflicts(readSet, winners);
    if (verdict.kind === 'conflict') {
      const what = plan.pinned ? 'pinned commit' : `${plan.operation} commit`;
      throw new CommitConflictError(
        `${what} to ${table} (read at version ${plan.readVersion}) conflicts with version ${verdict.winningVersion} ` +
          `(${verdict.winningOperation}): ${verdict.detail} [${verdict.reason}] after ${retries} ${retries === 1 ? 'retry' : 'retries'}; ` +
          're-read the table and run the operation again',
        { winningVersion: verdict.winningVersion, winningOperation: verdict.winningOperation, retries, reason: verdict.reason },
      );
    }
    if (retries >= maxRetries) {
      throw new CommitConflictError(
        `${plan.operation} commit to ${table} gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'}: concurrent writers kept ` +
          `winning (last winner: version ${last.version}, ${commitOperation(last.actions)}); raise maxRetries or reduce the number of concurrent writers`,
        { winningVersion: last.version, winningOperation: commitOperation(last.actions), retries, reason: 'retriesExhausted' },
      );
    }
    if (previousIct !== undefined) previousIct = Math.max(previousIct, ...fresh.map((w) => winnerIct(w.actions)));
    retries++;
    await sleep(backoffMs(retries, options.backoff, random));
    version = last.version + 1;
  }
}

/** The newline-delimited JSON of a commit; fails before any write if an action cannot be encoded. */
function encodeCommit(table: string, actions: readonly object[]): Uint8Array {
  const lines: string[] = [];
  for (const a of actions) {
    let line: string;
    try {
      line = JSON.stringify(a);
    } catch (e) {
      throw new InvalidOptionError(`an action committed to ${table} cannot be encoded as JSON (${(e as Error).message}); pass plain JSON values (numbers, not bigints)`, { cause: e });
    }
    lines.push(line);
  }
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

/** Winning commits from `from` (known to exist) through the contiguous run the log lists after it. */
async function readWinners(store: ObjectStore, table: string, from: number): Promise<WinningCommit[]> {
  const listed = new Set<number>();
  for (const f of await listLog(store, from + 1)) if (f.path.kind === 'commit') listed.add(f.path.version);
  const versions = [from];
  while (listed.has(versions[versions.length - 1]! + 1)) versions.push(versions[versions.length - 1]! + 1);
  const out: WinningCommit[] = [];
  for await (const c of readCommits(store, table, versions)) out.push({ version: c.version, actions: c.actions });
  return out;
}

/** A winner's `inCommitTimestamp` (-Infinity when it has none). */
function winnerIct(actions: readonly Action[]): number {
  for (const a of actions) if ('commitInfo' in a && typeof a.commitInfo.inCommitTimestamp === 'number') return a.commitInfo.inCommitTimestamp;
  return -Infinity;
}

/** Equal-jitter exponential backoff before retry number `retry` (1-based). */
function backoffMs(retry: number, backoff: BackoffOptions | undefined, random: () => number): number {
  const initial = backoff?.initialMs ?? DEFAULT_INITIAL_MS;
  const max = backoff?.maxMs ?? DEFAULT_MAX_MS;
  const cap = Math.min(max, initial * 2 ** (retry - 1));
  return cap / 2 + random() * (cap / 2);
}

function validate(table: string, plan: CommitPlan, maxRetries: number): void {
  if (!Number.isInteger(plan.readVersion) || plan.readVersion < -1) {
    throw new InvalidOptionError(`readVersion ${plan.readVersion} for a commit to ${table} is invalid; use the snapshot version read, or -1 to create the table`);
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidOptionError(`maxRetries ${maxRetries} for a commit to ${table} is invalid; use an integer ≥ 0`);
  }
  if (plan.actions.some((a: Action) => 'commitInfo' in a)) {
    throw new InvalidOptionError(`the actions committed to ${table} include a commitInfo; leave it out, the commit writes its own`);
  }
  if (plan.operation === '') {
    throw new InvalidOptionError(`a commit to ${table} needs an operation name`);
  }
}
