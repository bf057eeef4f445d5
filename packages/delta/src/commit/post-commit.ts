// Work after a successful commit: a checkpoint every `delta.checkpointInterval` commits, then expired log
// cleanup. It never throws: a failed checkpoint must not fail (or seem to undo) the commit before it.

import type { ObjectStore } from '@duckrun/storage';
import { checkpointTable, needsV2Checkpoint } from '../checkpoint/table-checkpoint.js';
import type { CheckpointInfo } from '../checkpoint/write.js';
import type { Metadata, Protocol } from '../kernel/actions/types.js';
import { checkpointInterval, expiredLogCleanupEnabled, logRetentionMs } from '../kernel/config/table-properties.js';
import { cleanExpiredLogs } from '../log/cleanup.js';
import { DeltaTable } from '../table.js';

/** The table right after a commit. */
export interface PostCommitContext {
  readonly store: ObjectStore;
  /** The table's URL, for messages. */
  readonly table: string;
  /** The version just committed. */
  readonly version: number;
  /** Protocol and metadata in force at `version`. */
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  /** Epoch ms "now", for retention decisions (default Date.now). */
  readonly now?: number;
}

/** What the post-commit work did. */
export interface PostCommitReport {
  /** The checkpoint written, when one was due and succeeded. */
  readonly checkpoint?: CheckpointInfo;
  /** Why a due checkpoint (or the cleanup after it) failed; the commit stands regardless. */
  readonly checkpointError?: Error;
  /** Log files removed as expired. */
  readonly cleanedLogFiles?: number;
}

/** Runs the post-commit hooks for `ctx.version`; never throws. */
export async function afterCommit(ctx: PostCommitContext): Promise<PostCommitReport> {
  let checkpoint: CheckpointInfo | undefined;
  try {
    if (!checkpointDue(ctx)) return {};
    const now = ctx.now ?? Date.now();
    const table = await DeltaTable.open(ctx.table, { store: ctx.store });
    checkpoint = await checkpointTable(table, { version: ctx.version, now });
    const config = ctx.metadata.configuration;
    if (!expiredLogCleanupEnabled(config)) return { checkpoint };
    const cleaned = await cleanExpiredLogs(ctx.store, table.uri, now - logRetentionMs(ctx.table, config));
    return { checkpoint, cleanedLogFiles: cleaned.deleted.length };
  } catch (e) {
    const checkpointError = e instanceof Error ? e : new Error(String(e));
    return checkpoint ? { checkpoint, checkpointError } : { checkpointError };
  }
}

function checkpointDue(ctx: PostCommitContext): boolean {
  if (ctx.version <= 0 || ctx.version % checkpointInterval(ctx.table, ctx.metadata.configuration) !== 0) return false;
  // Writers are never obliged to checkpoint, and a classic checkpoint without checkpointMetadata would be
  // invalid for a v2Checkpoint table; such tables stay checkpoint-free until duckrun writes v2 ones.
  return !needsV2Checkpoint(ctx);
}
