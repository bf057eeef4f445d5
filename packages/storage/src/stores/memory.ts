// In-process store: named buckets (`memory://<name>/…`) shared by every store opened on the same name.

import { AlreadyExistsError, NotFoundError } from '../errors.js';
import { compareKeys, joinKey, type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore, type StoreCapabilities } from '../object-store.js';

interface Entry {
  data: Uint8Array;
  lastModified: number;
}

const buckets = new Map<string, Map<string, Entry>>();

/** A store held in memory; `putIfAbsent` is atomic because JS runs one callback at a time. */
export class MemoryStore implements ObjectStore {
  readonly capabilities: StoreCapabilities = { atomicCreate: 'native', rangeReads: true, multipartUpload: false };
  readonly url: string;
  private readonly objects: Map<string, Entry>;
  private readonly prefix: string;

  /** Opens bucket `bucket` (created empty on first use) rooted at key prefix `prefix`. */
  constructor(bucket = 'default', prefix = '') {
    let objects = buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      buckets.set(bucket, objects);
    }
    this.objects = objects;
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.url = `memory://${bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  async get(path: string, range?: ByteRange): Promise<Uint8Array> {
    const entry = this.entry(path);
    if (!range) return entry.data.slice();
    return entry.data.slice(range.offset, range.offset + range.length);
  }

  async head(path: string): Promise<ObjectMeta> {
    const entry = this.entry(path);
    return { path, size: entry.data.byteLength, lastModified: entry.lastModified };
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const full = joinKey(this.prefix, prefix);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(full) && (strip === 0 || k.startsWith(`${this.prefix}/`)))
      .map((k) => k.slice(strip))
      .filter((k) => options.startAfter === undefined || compareKeys(k, options.startAfter) > 0)
      .sort(compareKeys);
    for (const key of keys) {
      const entry = this.objects.get(joinKey(this.prefix, key));
      if (entry) yield { path: key, size: entry.data.byteLength, lastModified: entry.lastModified };
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    this.objects.set(joinKey(this.prefix, path), { data: data.slice(), lastModified: Date.now() });
  }

  async putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    // Copy each chunk as it arrives: producers (wasm writers, pooled streams) may reuse the buffer.
    const parts: Uint8Array[] = [];
    for await (const c of chunks) parts.push(c.slice());
    this.objects.set(joinKey(this.prefix, path), { data: concat(parts), lastModified: Date.now() });
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const key = joinKey(this.prefix, path);
    if (this.objects.has(key)) throw new AlreadyExistsError(`${this.url}/${path}`);
    this.objects.set(key, { data: data.slice(), lastModified: Date.now() });
  }

  async delete(paths: readonly string[]): Promise<void> {
    for (const p of paths) this.objects.delete(joinKey(this.prefix, p));
  }

  private entry(path: string): Entry {
    const entry = this.objects.get(joinKey(this.prefix, path));
    if (!entry) throw new NotFoundError(`${this.url}/${path}`);
    return entry;
  }
}

/** Opens a memory store from `memory://<bucket>/<prefix>`. */
export function memoryStoreFromUrl(url: URL): MemoryStore {
  return new MemoryStore(url.host || 'default', decodeURIComponent(url.pathname));
}

/** Forgets a memory bucket (tests use this to start clean). */
export function clearMemoryBucket(bucket: string): void {
  buckets.delete(bucket);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
