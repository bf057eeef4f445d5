// Expired log cleanup planning (PROTOCOL.md "Metadata Cleanup"): which `_delta_log` files may go so that
// every version that stays is still loadable, and time travel to any moment inside the retention window
// still finds the version current at that moment.

import type { LogFile } from './log-segment.js';
import { selectCheckpoints } from './log-segment.js';

/** The files a cleanup deletes, and the checkpoint the remaining log starts from. */
export interface LogCleanupPlan {
  /** The oldest version left loadable: a complete checkpoint of it stays. Undefined when nothing can go. */
  readonly checkpointVersion?: number;
  /** Log files (commits, checksums, checkpoints, compactions) to delete, ascending by version. */
  readonly expired: readonly LogFile[];
}

/**
 * Plans the cleanup of `listing` (every log entry of the table) for files modified before `cutoff`
 * (epoch ms). The boundary is the newest complete checkpoint C such that the commit of C is at or before
 * the cutoff and every log file below C is older than it; the files below C are the expired ones.
 * Requiring the whole prefix to be expired keeps the deletion contiguous even when file times are not
 * monotonic (clock skew, a rewritten `.crc`), so no version below C survives without its base.
 */
export function planLogCleanup(listing: readonly LogFile[], cutoff: number): LogCleanupPlan {
  const sorted = [...listing].sort((a, b) => a.path.version - b.path.version);
  const commitTime = new Map<number, number>();
  // Newest modification time among the files of all lower versions, per version present.
  const newestBelow = new Map<number, number>();
  let newest = -Infinity;
  for (const f of sorted) {
    if (!newestBelow.has(f.path.version)) newestBelow.set(f.path.version, newest);
    newest = Math.max(newest, f.lastModified);
    if (f.path.kind === 'commit') commitTime.set(f.path.version, f.lastModified);
  }

  let boundary: number | undefined;
  for (const candidate of selectCheckpoints(listing)) {
    const version = candidate.version;
    // The checkpoint stands for commit C; when that commit is already gone use the checkpoint's own time.
    const at = commitTime.get(version) ?? Math.max(...candidate.files.map((f) => f.lastModified));
    if (at > cutoff) continue;
    if (newestBelow.get(version)! < cutoff) {
      boundary = version;
      break;
    }
  }
  if (boundary === undefined || boundary === 0) return { expired: [] };
  const expired = sorted.filter((f) => f.path.version < boundary!);
  return { checkpointVersion: boundary, expired };
}
