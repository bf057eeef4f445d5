// Listing of `_delta_log` + wanted version → the files to replay: the newest complete checkpoint at or
// below the version, then the contiguous commits after it (PROTOCOL.md "Checkpoints", "Delta Log Entries").

import { DeltaProtocolError, NotADeltaTableError, VersionNotFoundError } from '../../errors.js';
import type { CheckpointPath, CommitPath, LogPath } from './log-path.js';

/** A listed log file with its store metadata. */
export interface LogFile<P extends LogPath = LogPath> {
  readonly path: P;
  readonly size: number;
  readonly lastModified: number;
}

/** A checkpoint that can be read: all parts of a multi-part one, or one classic / v2 file. */
export interface CheckpointCandidate {
  readonly version: number;
  readonly type: CheckpointPath['type'];
  readonly files: readonly LogFile<CheckpointPath>[];
}

/** The files whose replay yields the snapshot at `version`. */
export interface LogSegment {
  readonly version: number;
  readonly checkpoint?: CheckpointCandidate;
  /** Commits after the checkpoint (or from version 0) up to `version`, ascending. */
  readonly commits: readonly LogFile<CommitPath>[];
}

/**
 * Complete checkpoints at or below `maxVersion`, newest first. A multi-part checkpoint counts only when
 * every part is listed; several v2 checkpoints of one version are equivalent, so the first is kept.
 */
export function selectCheckpoints(listing: readonly LogFile[], maxVersion = Infinity): CheckpointCandidate[] {
  const byVersion = new Map<number, LogFile<CheckpointPath>[]>();
  for (const f of listing) {
    if (f.path.kind !== 'checkpoint' || f.path.version > maxVersion) continue;
    let list = byVersion.get(f.path.version);
    if (!list) byVersion.set(f.path.version, (list = []));
    list.push(f as LogFile<CheckpointPath>);
  }
  const out: CheckpointCandidate[] = [];
  for (const version of [...byVersion.keys()].sort((a, b) => b - a)) {
    const files = byVersion.get(version)!;
    // Prefer v2 (its header carries the authoritative state), then classic, then multi-part.
    const v2 = files.find((f) => f.path.type === 'v2');
    if (v2) out.push({ version, type: 'v2', files: [v2] });
    const classic = files.find((f) => f.path.type === 'classic');
    if (classic) out.push({ version, type: 'classic', files: [classic] });
    const multipart = completeMultipart(files);
    if (multipart) out.push({ version, type: 'multipart', files: multipart });
  }
  return out;
}

/**
 * Plans the replay of `table` at `version` (latest when undefined) from `listing`, using `checkpoint`
 * (normally the first of {@link selectCheckpoints}) or none. Throws when the log cannot yield that version.
 */
export function planLogSegment(
  table: string,
  listing: readonly LogFile[],
  version: number | undefined,
  checkpoint: CheckpointCandidate | undefined,
): LogSegment {
  const commits = listing
    .filter((f): f is LogFile<CommitPath> => f.path.kind === 'commit')
    .sort((a, b) => a.path.version - b.path.version);
  const latestCommit = commits.length > 0 ? commits[commits.length - 1]!.path.version : -1;
  const latest = Math.max(latestCommit, checkpoint?.version ?? -1, ...selectCheckpoints(listing).map((c) => c.version));
  if (latest < 0) throw new NotADeltaTableError(`${table} is not a Delta table: its _delta_log holds no commit or checkpoint`);
  const target = version ?? latest;
  if (target > latest) {
    throw new VersionNotFoundError(`${table} has no version ${target}: the latest version is ${latest}`);
  }
  if (checkpoint && checkpoint.version > target) {
    throw new VersionNotFoundError(`checkpoint ${checkpoint.version} of ${table} is newer than the wanted version ${target}`);
  }
  const start = checkpoint ? checkpoint.version + 1 : 0;
  const replay = commits.filter((c) => c.path.version >= start && c.path.version <= target);
  let expected = start;
  for (const c of replay) {
    if (c.path.version !== expected) {
      if (expected === 0 && !checkpoint) {
        throw new VersionNotFoundError(
          `cannot load ${table} at version ${target}: commits before version ${c.path.version} were cleaned up and no checkpoint at or below version ${target} exists; time travel to that version is no longer possible`,
        );
      }
      throw new DeltaProtocolError(
        `the log of ${table} is broken: commit ${expected} is missing between versions ${start} and ${target} (found ${c.path.version} next); the table needs repair (restore the missing _delta_log file)`,
      );
    }
    expected++;
  }
  if (expected <= target && !(checkpoint && checkpoint.version === target)) {
    if (expected === 0) {
      throw new VersionNotFoundError(
        `cannot load ${table} at version ${target}: its commits were cleaned up and no checkpoint at or below version ${target} exists`,
      );
    }
    throw new DeltaProtocolError(`the log of ${table} is broken: commit ${expected} is missing (wanted version ${target})`);
  }
  return checkpoint ? { version: target, checkpoint, commits: replay } : { version: target, commits: replay };
}

function completeMultipart(files: LogFile<CheckpointPath>[]): LogFile<CheckpointPath>[] | undefined {
  const parts = files.filter((f) => f.path.type === 'multipart');
  if (parts.length === 0) return undefined;
  // Several writers may have produced different part counts for one version: use any complete set.
  const byCount = new Map<number, Map<number, LogFile<CheckpointPath>>>();
  for (const f of parts) {
    const n = f.path.parts!;
    let set = byCount.get(n);
    if (!set) byCount.set(n, (set = new Map()));
    set.set(f.path.part!, f);
  }
  for (const [n, set] of byCount) {
    if (set.size === n) return [...set.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }
  return undefined;
}
