// Table history (DESCRIBE HISTORY): the `commitInfo` of each commit still in the log, newest first.

import { isDuckrunError } from '@duckrun/storage';
import { InvalidOptionError } from '../errors.js';
import type { Action, CommitInfo } from '../kernel/actions/types.js';
import { adjustedTimestamps } from '../kernel/log/timestamps.js';
import { listLog, readCommit } from '../log/reader.js';
import type { DeltaTable } from '../table.js';

/** Options of {@link history}. */
export interface HistoryOptions {
  /** Only the newest `limit` commits (default: every commit still in the log). */
  readonly limit?: number;
  /** Commit files read at once (default 16). */
  readonly concurrency?: number;
}

/**
 * One commit of the table: the fields of its `commitInfo` plus its version and timestamp. Fields are
 * absent when the writer did not record them (not every engine writes `commitInfo`).
 */
export interface HistoryEntry {
  readonly [field: string]: unknown;
  readonly version: number;
  /**
   * Epoch ms: the in-commit timestamp when the table records one, else the commit file's modification
   * time made monotonic — the same clock time travel by timestamp uses, so `restore({ timestamp })`
   * with a value from here lands on this version.
   */
  readonly timestamp: number;
  readonly operation?: string;
  readonly operationParameters?: Readonly<Record<string, unknown>>;
  readonly operationMetrics?: Readonly<Record<string, unknown>>;
  readonly readVersion?: number;
  readonly isolationLevel?: string;
  readonly isBlindAppend?: boolean;
  readonly engineInfo?: string;
  readonly userMetadata?: string;
  readonly txnId?: string;
}

const DEFAULT_CONCURRENCY = 16;

/**
 * The table's commits, newest first. Versions whose commit files were cleaned up after a checkpoint
 * (log retention) are absent: their provenance is gone even though the checkpoint keeps their state.
 */
export async function history(table: DeltaTable, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
  const { limit, concurrency = DEFAULT_CONCURRENCY } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new InvalidOptionError(`history limit ${limit} for ${table.uri} is invalid; use a whole number ≥ 1, or leave it out for every commit`);
  }
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InvalidOptionError(`history concurrency ${concurrency} for ${table.uri} is invalid; use a whole number ≥ 1`);
  }
  const commits = (await listLog(table.store, 0))
    .filter((f) => f.path.kind === 'commit')
    .map((f) => ({ version: f.path.version, lastModified: f.lastModified }))
    .sort((a, b) => a.version - b.version);
  // Monotonic over every listed commit, not just the returned ones, so the clock matches time travel.
  const fileTimes = new Map(adjustedTimestamps(commits).map((t) => [t.version, t.timestamp]));
  const wanted = commits.map((c) => c.version).reverse().slice(0, limit);

  const out: HistoryEntry[] = [];
  for await (const { version, actions } of readBounded(table, wanted, concurrency)) {
    if (actions === undefined) continue;
    let info: CommitInfo = {};
    for (const a of actions) {
      if ('commitInfo' in a) {
        info = a.commitInfo;
        break;
      }
    }
    const ict = info.inCommitTimestamp;
    out.push({ ...info, version, timestamp: typeof ict === 'number' ? ict : fileTimes.get(version)! });
  }
  return out;
}

/**
 * Reads commits in the given order, at most `concurrency` at a time. A commit that vanished after the
 * listing (log cleanup running concurrently) yields undefined rather than failing the whole history.
 */
async function* readBounded(
  table: DeltaTable,
  versions: readonly number[],
  concurrency: number,
): AsyncIterable<{ version: number; actions: Action[] | undefined }> {
  // Settled results, so a failure of a read still in flight is never an unhandled rejection.
  type Settled = { readonly actions: Action[] | undefined } | { readonly error: unknown };
  const read = (version: number): Promise<Settled> =>
    readCommit(table.store, table.uri, version).then(
      (actions) => ({ actions }),
      (error: unknown) => (isDuckrunError(error, 'STORE_NOT_FOUND') ? { actions: undefined } : { error }),
    );
  const pending: Promise<Settled>[] = [];
  let next = 0;
  const launch = (): void => {
    while (pending.length < concurrency && next < versions.length) pending.push(read(versions[next++]!));
  };
  launch();
  for (const version of versions) {
    const settled = await pending.shift()!;
    if ('error' in settled) throw settled.error;
    launch();
    const { actions } = settled;
    yield { version, actions };
  }
}
