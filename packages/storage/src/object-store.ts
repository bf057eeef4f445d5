// The ObjectStore interface every adapter implements; the delta engine only ever talks to this.

/** Metadata of one stored object. */
export interface ObjectMeta {
  /** Key relative to the store root, `/`-separated, never starting with `/`. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time, milliseconds since the Unix epoch. */
  readonly lastModified: number;
  /** Opaque version tag where the store has one. */
  readonly etag?: string;
}

/** A byte range: `length` bytes starting at `offset`. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** Options of {@link ObjectStore.list}. */
export interface ListOptions {
  /** Only keys sorting strictly after this full key (UTF-8 byte order). */
  readonly startAfter?: string;
}

/** What a store can do, as data (callers never test the adapter class). */
export interface StoreCapabilities {
  /** `native`: putIfAbsent is atomic against concurrent writers in other processes. */
  readonly atomicCreate: 'native' | 'none';
  readonly rangeReads: boolean;
  readonly multipartUpload: boolean;
}

/**
 * A flat key/value object store rooted at `url`.
 *
 * Contract, shared by every adapter and checked by the contract suite:
 * - keys are relative, `/`-separated; a missing object makes `get`/`head` throw `NotFoundError`;
 * - `list(prefix)` yields every object whose key starts with `prefix` (recursively), sorted by the
 *   UTF-8 bytes of the key, honouring `startAfter`;
 * - `putIfAbsent` creates the object only if no object exists at the key, atomically, and on a lost
 *   race throws `AlreadyExistsError` and nothing else; the winner's bytes are never altered;
 * - `put` replaces an object whole (readers see the old or the new bytes, never a mix);
 * - `delete` of a missing key is not an error.
 */
export interface ObjectStore {
  /** The root URL of the store (no trailing slash). */
  readonly url: string;
  readonly capabilities: StoreCapabilities;
  /** Reads an object or a range of it. */
  get(path: string, range?: ByteRange): Promise<Uint8Array>;
  /** Reads an object's metadata. */
  head(path: string): Promise<ObjectMeta>;
  /** Lists objects under a key prefix in key order. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta>;
  /** Writes an object, replacing any existing one. */
  put(path: string, data: Uint8Array): Promise<void>;
  /** Writes an object from a stream of chunks without holding it all in memory. */
  putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** Creates an object only if none exists; throws `AlreadyExistsError` otherwise. */
  putIfAbsent(path: string, data: Uint8Array): Promise<void>;
  /** Deletes objects; missing ones are ignored. */
  delete(paths: readonly string[]): Promise<void>;
  /**
   * Optional: the object as a Blob whose bytes are read lazily, slice by slice, so a reader that needs a
   * few ranges of a large object (a checkpoint's row groups) never holds it whole. Stores that cannot do
   * better than loading the bytes leave it out.
   */
  openBlob?(path: string): Promise<Blob>;
}

/** Compares two keys by their UTF-8 bytes, the order every store lists in. */
export function compareKeys(a: string, b: string): number {
  // UTF-8 byte order is code-point order; UTF-16 units give it directly except for surrogates.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    // A surrogate starts a code point ≥ U+10000, above every BMP unit.
    if (sx !== sy) return sx ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Joins a store root URL or key prefix with a relative key. */
export function joinKey(prefix: string, key: string): string {
  if (prefix === '') return key;
  return prefix.endsWith('/') ? prefix + key : `${prefix}/${key}`;
}
