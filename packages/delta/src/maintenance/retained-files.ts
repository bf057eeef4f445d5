// The store keys vacuum must keep: files of the current snapshot plus files of tombstones still inside the
// retention window (time travel to a version before their removal still reads them), each with its
// deletion-vector file.

import { DeltaProtocolError } from '../errors.js';
import type { DeletionVectorDescriptor, RemoveFile } from '../kernel/actions/types.js';
import { resolveDeletionVector } from '../kernel/dv/descriptor.js';
import { canonicalFileKey } from '../kernel/log/file-key.js';
import { planLogSegment, selectCheckpoints } from '../kernel/log/log-segment.js';
import { listLog, readCheckpoint, readCommits } from '../log/reader.js';
import type { Snapshot } from '../snapshot.js';
import type { DeltaTable } from '../table.js';

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * Store keys (relative to the table root) that vacuum must not delete at `snapshot`: live files, and
 * files removed after `cutoff` (epoch ms), with their deletion vectors. Files outside the table are
 * never listed by vacuum, so they are left out.
 */
export async function retainedKeys(table: DeltaTable, snapshot: Snapshot, cutoff: number): Promise<Set<string>> {
  const keys = new Set<string>();
  const keep = (path: string, dv: DeletionVectorDescriptor | null | undefined): void => {
    const key = canonicalFileKey(table.uri, path);
    if (!ABSOLUTE.test(key)) keys.add(key);
    const dvKey = dv ? deletionVectorKey(table.uri, dv) : undefined;
    if (dvKey !== undefined) keys.add(dvKey);
  };
  for (const add of snapshot.addFiles()) keep(add.path, add.deletionVector);
  for await (const rm of tombstones(table, snapshot.version)) {
    // Delta reads a missing deletionTimestamp as 0: expired.
    if ((rm.deletionTimestamp ?? 0) > cutoff) keep(rm.path, rm.deletionVector);
  }
  return keys;
}

function deletionVectorKey(tableUri: string, dv: DeletionVectorDescriptor): string | undefined {
  const where = resolveDeletionVector(dv);
  if (where.kind === 'inline') return undefined;
  const key = where.kind === 'relative' ? where.path : canonicalFileKey(tableUri, where.url);
  return ABSOLUTE.test(key) ? undefined : key;
}

/**
 * The `remove` actions of the log segment at `version`: the newest readable checkpoint's tombstones
 * and those of the commits after it. A superset is harmless (it only keeps more files), so a checkpoint
 * that fails half-way simply adds what it yielded before the next candidate is tried.
 */
async function* tombstones(table: DeltaTable, version: number): AsyncIterable<RemoveFile> {
  const listing = await listLog(table.store, 0);
  for (const candidate of [...selectCheckpoints(listing, version), undefined]) {
    if (candidate !== undefined) {
      try {
        for await (const batch of readCheckpoint(table.store, table.uri, candidate)) {
          for (const a of batch) if ('remove' in a) yield a.remove;
        }
      } catch (e) {
        if (e instanceof DeltaProtocolError) continue;
        throw e;
      }
    }
    const segment = planLogSegment(table.uri, listing, version, candidate);
    const versions = segment.commits.map((c) => c.path.version);
    for await (const { actions } of readCommits(table.store, table.uri, versions)) {
      for (const a of actions) if ('remove' in a) yield a.remove;
    }
    return;
  }
}
