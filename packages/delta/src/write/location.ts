// What is at a location a write targets: a Delta table, nothing (safe to create), or someone else's files.

import type { ObjectStore } from '@duckrun/storage';
import { NotADeltaTableError } from '../errors.js';
import { LOG_DIR, hasLogEntry } from '../log/reader.js';

/** The kinds of location a write can meet. */
export type LocationKind = 'table' | 'empty';

// Files a duckrun (or Spark/delta-rs) writer leaves behind when it dies before its first commit (a local
// upload in progress is a `.tmp` beside its target): they
// belong to no table, so they must not block creating one (vacuum cannot run without a log).
const ORPHAN_DATA_FILE = /^(?:[^/]+=[^/]*\/)*part-\d{5}-[0-9a-f-]{36}(?:\.c\d{3})?(?:\.[a-z0-9]+)?\.parquet(?:\.[0-9a-f-]{36}\.tmp)?$/;
// A data file strategy's staging folder (data-file-strategy.ts) left behind by a crash.
const ORPHAN_STAGING = /^_staging-[0-9a-f-]{36}\//;

/**
 * `table` when `_delta_log` holds commits or checkpoints, `empty` when nothing but orphaned data files is
 * there; throws NotADeltaTableError when other files are present, since writing a log beside them would
 * turn a foreign folder into a table without its data.
 */
export async function probeLocation(store: ObjectStore, table: string): Promise<LocationKind> {
  // Every write asks this: stop at the first log entry rather than list a long log in full.
  if (await hasLogEntry(store)) return 'table';
  for await (const entry of store.list('')) {
    const key = entry.path;
    if (key.startsWith(`${LOG_DIR}/`) || ORPHAN_DATA_FILE.test(key) || ORPHAN_STAGING.test(key)) continue;
    throw new NotADeltaTableError(
      `${table} holds files that are not part of a Delta table (e.g. ${key}) and has no _delta_log; ` +
        'write to an empty location, or convert the folder to a Delta table first',
    );
  }
  return 'empty';
}
