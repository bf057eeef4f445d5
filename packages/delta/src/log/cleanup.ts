// Expired log cleanup (PROTOCOL.md "Metadata Cleanup"): deletes the commits, checksums, checkpoints and
// compactions below the newest checkpoint that is older than the log retention cutoff.

import type { ObjectStore } from '@duckrun/storage';
import { CheckpointError } from '../errors.js';
import { readParquetFooter } from '../checkpoint/parquet-footer.js';
import { planLogCleanup } from '../kernel/log/log-cleanup.js';
import type { CheckpointCandidate } from '../kernel/log/log-segment.js';
import { selectCheckpoints } from '../kernel/log/log-segment.js';
import { LOG_DIR, listLog } from './reader.js';

/** What a cleanup removed. */
export interface LogCleanupResult {
  /** The checkpoint the remaining log starts from, when anything was deleted. */
  readonly checkpointVersion?: number;
  /** Store keys deleted, ascending by version. */
  readonly deleted: readonly string[];
}

/** Deletes at most this many keys per store call, oldest first. */
const DELETE_BATCH = 1000;

/**
 * Deletes the log files of the table in `store` that expired before `cutoff` (epoch ms). `_last_checkpoint`
 * and the checkpoint the remaining commits start from always stay; `table` names the table in messages.
 */
export async function cleanExpiredLogs(store: ObjectStore, table: string, cutoff: number): Promise<LogCleanupResult> {
  const listing = await listLog(store, 0);
  const plan = planLogCleanup(listing, cutoff);
  if (plan.checkpointVersion === undefined || plan.expired.length === 0) return { deleted: [] };
  const boundary = selectCheckpoints(listing, plan.checkpointVersion).find((c) => c.version === plan.checkpointVersion)!;
  // After the deletion nothing older can stand in for this checkpoint, so make sure it is whole first.
  await verifyCheckpoint(store, table, boundary);
  const keys = plan.expired.map((f) => `${LOG_DIR}/${f.path.name}`);
  // Oldest first: an interrupted cleanup leaves a contiguous log whose older end reports cleaned versions.
  for (let i = 0; i < keys.length; i += DELETE_BATCH) await store.delete(keys.slice(i, i + DELETE_BATCH));
  return { checkpointVersion: plan.checkpointVersion, deleted: keys };
}

async function verifyCheckpoint(store: ObjectStore, table: string, checkpoint: CheckpointCandidate): Promise<void> {
  for (const file of checkpoint.files) {
    const key = `${LOG_DIR}/${file.path.name}`;
    if (file.path.format !== 'parquet') continue; // A JSON v2 checkpoint has no footer; its listing is all we have.
    const where = `${table}/${key}`;
    try {
      const size = file.size;
      const lengthBytes = await store.get(key, { offset: Math.max(0, size - 8), length: Math.min(size, 8) });
      const footer = lengthBytes.length === 8 ? new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getUint32(0, true) : 0;
      const tailLength = Math.min(size, footer + 8);
      readParquetFooter(await store.get(key, { offset: size - tailLength, length: tailLength }), where);
    } catch (e) {
      throw new CheckpointError(
        `log cleanup of ${table} stopped: checkpoint ${where}, which the remaining log would start from, is not a readable parquet file (${(e as Error).message}); no log file was deleted. Write a new checkpoint, then clean up again`,
        { cause: e },
      );
    }
  }
}
