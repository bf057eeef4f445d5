// The store keys vacuum must keep: files of the current snapshot plus files of tombstones still inside the
// retention window (time travel to a version before their removal still reads them), each with its
// deletion-vector file.

import type { DeletionVectorDescriptor } from '../kernel/actions/types.js';
import { resolveDeletionVector } from '../kernel/dv/descriptor.js';
import { canonicalFileKey } from '../kernel/log/file-key.js';
import type { Snapshot } from '../snapshot.js';

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * Store keys (relative to the table root) that vacuum must not delete at `snapshot`: live files, and
 * files removed after `cutoff` (epoch ms), with their deletion vectors. Files outside the table are
 * never listed by vacuum, so they are left out.
 */
export function retainedKeys(snapshot: Snapshot, cutoff: number): Set<string> {
  const keys = new Set<string>();
  const keep = (path: string, dv: DeletionVectorDescriptor | null | undefined): void => {
    const key = canonicalFileKey(snapshot.tableUri, path);
    if (!ABSOLUTE.test(key)) keys.add(key);
    const dvKey = dv ? deletionVectorKey(snapshot.tableUri, dv) : undefined;
    if (dvKey !== undefined) keys.add(dvKey);
  };
  for (const add of snapshot.addFiles()) keep(add.path, add.deletionVector);
  for (const rm of snapshot.tombstones()) {
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
