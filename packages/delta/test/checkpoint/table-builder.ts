// Builds small tables through the real transaction path (commitTransaction), so the post-commit hooks run
// exactly as they do for writers.

import type { ObjectStore } from '@duckrun/storage';
import { DeltaTable } from '../../src/table.js';
import type { Action } from '../../src/kernel/actions/types.js';
import { commitTransaction, type TransactionOptions, type TransactionResult } from '../../src/commit/transaction.js';
import { LogReplay, type TableState } from '../../src/kernel/log/replay.js';
import { listLog, readCommits } from '../../src/log/reader.js';
import { addAction, tableHeader } from '../helpers.js';

export const FIELDS = [{ name: 'id', type: 'long' }];

const quiet: TransactionOptions = { sleep: async () => {} };

/** Creates the table (version 0) with `configuration` and, optionally, another protocol. */
export async function createTable(
  store: ObjectStore,
  configuration: Record<string, string> = {},
  protocol?: object,
): Promise<TransactionResult> {
  const actions = tableHeader(FIELDS, { configuration, ...(protocol ? { protocol } : {}) }) as Action[];
  return commitTransaction(store, store.url, undefined, { actions, operation: 'CREATE TABLE', operationParameters: {}, pinned: false, blindAppend: false }, quiet);
}

/** Commits `actions` on top of the latest snapshot. */
export async function commitActions(store: ObjectStore, actions: readonly object[], options: TransactionOptions = {}): Promise<TransactionResult> {
  const read = await (await DeltaTable.open(store.url, { store })).snapshot();
  const blind = actions.every((a) => 'add' in a);
  return commitTransaction(
    store,
    store.url,
    read,
    { actions: actions as Action[], operation: blind ? 'WRITE' : 'DELETE', operationParameters: {}, pinned: false, blindAppend: blind },
    { ...quiet, ...options },
  );
}

/** Appends one file named `name`. */
export function appendFile(store: ObjectStore, name: string, options: TransactionOptions = {}): Promise<TransactionResult> {
  return commitActions(store, [addAction(name, 10)], options);
}

/** A `remove` action for `path`, deleted at `deletionTimestamp`. */
export function removeAction(path: string, deletionTimestamp: number): object {
  return { remove: { path, deletionTimestamp, dataChange: true, size: 10, partitionValues: {} } };
}

/** The state at the latest commit replayed from every JSON commit, without looking at any checkpoint. */
export async function fullReplay(store: ObjectStore): Promise<TableState> {
  const versions = (await listLog(store, 0)).filter((f) => f.path.kind === 'commit').map((f) => f.path.version).sort((a, b) => a - b);
  const replay = new LogReplay(store.url);
  for await (const { actions } of readCommits(store, store.url, versions)) replay.commit(actions);
  return replay.state();
}

/** The log file names in `_delta_log`, sorted. */
export async function logNames(store: ObjectStore): Promise<string[]> {
  const names: string[] = [];
  for await (const m of store.list('_delta_log/')) names.push(m.path.slice('_delta_log/'.length));
  return names.sort();
}
