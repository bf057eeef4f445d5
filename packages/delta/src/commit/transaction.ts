// One table transaction: check the table can take the commit (writer features, appendOnly), commit it
// with the optimistic loop, then run the post-commit hooks (checkpoint, log cleanup).

import type { ObjectStore } from '@duckrun/storage';
import { AppendOnlyError } from '../errors.js';
import type { Action, Metadata, Protocol } from '../kernel/actions/types.js';
import { isAppendOnly } from '../kernel/config/table-properties.js';
import { ensureWritable, type WriteKind } from '../kernel/features/ensure.js';
import { tableIsolation, type CommitPlan } from '../kernel/txn/commit-plan.js';
import { readCommit } from '../log/reader.js';
import type { Snapshot } from '../snapshot.js';
import { commit, type CommitOptions, type CommitResult } from './commit-loop.js';
import { afterCommit, type PostCommitReport } from './post-commit.js';

/** A transaction's plan; the read version, isolation and in-commit-timestamp chain come from its snapshot. */
export type TransactionPlan = Omit<CommitPlan, 'readVersion' | 'isolation' | 'previousInCommitTimestamp'> & {
  readonly isolation?: CommitPlan['isolation'];
};

/** Options of {@link commitTransaction}. */
export interface TransactionOptions extends CommitOptions {
  /** Skip the post-commit checkpoint and log cleanup (default false). */
  readonly skipPostCommit?: boolean;
}

/** The committed version plus what the post-commit hooks did. */
export interface TransactionResult extends CommitResult {
  readonly postCommit: PostCommitReport;
}

/**
 * Commits `plan` on top of `read` (undefined when the plan creates the table) to the table in `store`.
 * Refuses tables whose writer features duckrun cannot keep, and data removal from append-only tables.
 */
export async function commitTransaction(
  store: ObjectStore,
  table: string,
  read: Snapshot | undefined,
  plan: TransactionPlan,
  options: TransactionOptions = {},
): Promise<TransactionResult> {
  const newProtocol = findProtocol(plan.actions) ?? read?.protocol;
  const newMetadata = findMetadata(plan.actions) ?? read?.metadata;
  if (newProtocol === undefined || newMetadata === undefined) {
    throw new TypeError(`a transaction creating ${table} must carry protocol and metaData actions`);
  }
  const kind = writeKind(plan.actions);
  if (read !== undefined) ensureWritable(table, read.protocol, read.metadata, kind);
  ensureWritable(table, newProtocol, newMetadata, kind);
  ensureAppendOnly(table, read?.metadata, plan);

  const config = read?.metadata.configuration ?? {};
  const previousInCommitTimestamp =
    read !== undefined && config['delta.enableInCommitTimestamps'] === 'true' ? await inCommitTimestampAt(store, table, read.version) : undefined;
  const result = await commit(
    store,
    table,
    {
      ...plan,
      readVersion: read?.version ?? -1,
      isolation: plan.isolation ?? tableIsolation(config),
      ...(previousInCommitTimestamp !== undefined ? { previousInCommitTimestamp } : {}),
    },
    options,
  );
  // A rebase over a metadata/protocol change is a conflict, so what this plan saw is what is in force now.
  const postCommit = options.skipPostCommit
    ? {}
    : await afterCommit({ store, table, version: result.version, protocol: newProtocol, metadata: newMetadata, now: (options.now ?? Date.now)() });
  return { ...result, postCommit };
}

function findProtocol(actions: readonly Action[]): Protocol | undefined {
  for (const a of actions) if ('protocol' in a) return a.protocol;
  return undefined;
}

function findMetadata(actions: readonly Action[]): Metadata | undefined {
  for (const a of actions) if ('metaData' in a) return a.metaData;
  return undefined;
}

function writeKind(actions: readonly Action[]): WriteKind {
  let kind: WriteKind = 'metadata';
  for (const a of actions) {
    if ('remove' in a && a.remove.dataChange) return 'rewrite';
    if ('add' in a) kind = 'append';
  }
  return kind;
}

/** PROTOCOL.md "Append-only Tables": no remove (or DV update) that changes data. */
function ensureAppendOnly(table: string, before: Metadata | undefined, plan: TransactionPlan): void {
  if (before === undefined || !isAppendOnly(before.configuration)) return;
  const removes = plan.actions.filter((a) => 'remove' in a && a.remove.dataChange).length;
  if (removes === 0) return;
  throw new AppendOnlyError(
    `${plan.operation} on ${table} would remove ${removes} data file${removes === 1 ? '' : 's'}, but the table is append-only (delta.appendOnly = true); ` +
      'append instead, or set delta.appendOnly to false first',
  );
}

/** The `inCommitTimestamp` of the commit at `version` (its file time if it has none, e.g. enablement commit lost). */
async function inCommitTimestampAt(store: ObjectStore, table: string, version: number): Promise<number | undefined> {
  for (const a of await readCommit(store, table, version)) {
    if ('commitInfo' in a && typeof a.commitInfo.inCommitTimestamp === 'number') return a.commitInfo.inCommitTimestamp;
  }
  return undefined;
}
