// Commit timestamps for time travel (PROTOCOL.md "In-Commit Timestamps"; without them the commit file's
// modification time, made monotonic the way Delta does: never earlier than the previous commit + 1 ms).

import { VersionNotFoundError } from '../../errors.js';

/** The timestamp of one commit version, in epoch milliseconds. */
export interface CommitTimestamp {
  readonly version: number;
  readonly timestamp: number;
}

/** Monotonic commit timestamps from file modification times (input ascending by version). */
export function adjustedTimestamps(commits: readonly { version: number; lastModified: number }[]): CommitTimestamp[] {
  const out: CommitTimestamp[] = [];
  let prev = -Infinity;
  for (const c of commits) {
    const ts = Math.max(c.lastModified, prev + 1);
    out.push({ version: c.version, timestamp: ts });
    prev = ts;
  }
  return out;
}

/** The latest version whose commit timestamp is at or before `ms`; throws if `ms` predates the table. */
export function versionAtTimestamp(table: string, timeline: readonly CommitTimestamp[], ms: number): number {
  if (timeline.length === 0) throw new VersionNotFoundError(`${table} has no commits to time travel over`);
  const first = timeline[0]!;
  if (ms < first.timestamp) {
    throw new VersionNotFoundError(
      `timestamp ${new Date(ms).toISOString()} is before the earliest available commit of ${table} (version ${first.version} at ${new Date(first.timestamp).toISOString()})`,
    );
  }
  let lo = 0;
  let hi = timeline.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (timeline[mid]!.timestamp <= ms) lo = mid;
    else hi = mid - 1;
  }
  return timeline[lo]!.version;
}
