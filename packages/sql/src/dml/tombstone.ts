// DROP TABLE is a soft tombstone, as dropping an external table is in Spark: the table leaves duckrun's
// catalog (folder listings, name resolution, reads of its latest version) while its files and history stay.
// The tombstone is a hidden object `_duckrun_dropped.json` in the table folder naming the version dropped;
// it holds only while that version is still the latest, so any later commit — `CREATE TABLE` reviving
// the name, or another engine writing there — brings the table back. Vacuum keeps `_`-prefixed objects.
import { resolveStore, isDuckrunError, type ObjectStore, type StorageOptions } from '@duckrun/storage';

/** The tombstone's key, relative to the table folder. */
export const TOMBSTONE = '_duckrun_dropped.json';

/** What the tombstone records. */
export interface Tombstone {
  /** The latest version when the table was dropped. */
  readonly version: number;
  /** ISO time of the drop. */
  readonly droppedAt: string;
}

/** Writes the tombstone of the table in `store` (rooted at the table) dropped at `version`. */
export async function writeTombstone(store: ObjectStore, version: number, now: Date = new Date()): Promise<void> {
  const body: Tombstone = { version, droppedAt: now.toISOString() };
  await store.put(TOMBSTONE, new TextEncoder().encode(JSON.stringify(body)));
}

/** The tombstone in force for the table in `store`, or undefined when it was never dropped or was written to since. */
export async function activeTombstone(store: ObjectStore): Promise<Tombstone | undefined> {
  let tombstone: Tombstone;
  try {
    tombstone = JSON.parse(new TextDecoder().decode(await store.get(TOMBSTONE))) as Tombstone;
  } catch (e) {
    if (isDuckrunError(e, 'STORE_NOT_FOUND')) return undefined;
    if (e instanceof SyntaxError) return undefined; // a damaged tombstone hides nothing
    throw e;
  }
  if (!Number.isSafeInteger(tombstone.version)) return undefined;
  try {
    await store.head(`_delta_log/${String(tombstone.version + 1).padStart(20, '0')}.json`);
    return undefined; // committed to since the drop: the table is back
  } catch (e) {
    if (isDuckrunError(e, 'STORE_NOT_FOUND')) return tombstone;
    throw e;
  }
}

/** Whether the table at `uri` is dropped. */
export async function isDropped(uri: string, storageOptions: StorageOptions | undefined): Promise<boolean> {
  return (await activeTombstone(await resolveStore(uri, storageOptions ?? {}))) !== undefined;
}

/** Removes a stale tombstone after the name was revived (best effort: a stale one is harmless). */
export async function clearTombstone(uri: string, storageOptions: StorageOptions | undefined): Promise<void> {
  const store = await resolveStore(uri, storageOptions ?? {});
  await store.delete([TOMBSTONE]).catch(() => undefined);
}
