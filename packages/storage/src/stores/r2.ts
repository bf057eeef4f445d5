// Cloudflare R2 through a Workers bucket binding (`env.BUCKET`). A binding is an object, not a string, so it
// reaches the store either directly (`new R2Store(env.BUCKET, 'tables/t')`) or through a registry that
// `r2://<binding>/<prefix>` URLs are resolved against (`registerR2Binding('BUCKET', env.BUCKET)`).
// Nothing here touches Node built-ins or an SDK: the binding is the whole client.

import { InternalError, NotFoundError, StoreConfigError, StoreUnavailableError } from '../errors.js';
import { compareKeys, joinKey, type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore, type StoreCapabilities } from '../object-store.js';
import type { StorageOptions } from '../url.js';
import type { R2BucketLike, R2MultipartUploadLike, R2ObjectBodyLike, R2ObjectLike, R2UploadedPartLike } from './r2/binding.js';
import { putIfAbsentSafely } from './conditional-put.js';

export type {
  R2BucketLike,
  R2MultipartUploadLike,
  R2ObjectBodyLike,
  R2ObjectLike,
  R2ObjectsLike,
  R2RangeLike,
  R2UploadedPartLike,
} from './r2/binding.js';

/** R2's smallest multipart part (every part but the last); R2 also wants all but the last part equally sized. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Default part size: two parts in memory at once stay far below a Worker's 128 MB. */
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Keys per R2 `delete` call (the binding's limit). */
const DELETE_BATCH = 1000;

/** Options of {@link R2Store}. */
export interface R2StoreOptions {
  /** Binding name shown in the store's URL (`r2://<name>/<prefix>`); default `bucket`. */
  readonly name?: string;
  /** Bytes per multipart part of `putStream` (≥ 5 MiB, default 8 MiB); smaller streams are one `put`. */
  readonly partSize?: number;
}

/**
 * An object store over a Cloudflare R2 bucket binding, rooted at key prefix `prefix`.
 * @example
 * await writeDeltaTable('r2://BUCKET/tables/events', rows, { mode: 'append', store: new R2Store(env.BUCKET, 'tables/events', { name: 'BUCKET' }) });
 */
export class R2Store implements ObjectStore {
  readonly capabilities: StoreCapabilities = { atomicCreate: 'native', rangeReads: true, multipartUpload: true };
  readonly url: string;
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(
    private readonly bucket: R2BucketLike,
    prefix = '',
    options: R2StoreOptions = {},
  ) {
    if (bucket === null || typeof bucket !== 'object' || typeof (bucket as Partial<R2BucketLike>).put !== 'function') {
      throw new StoreConfigError(
        `R2Store needs an R2 bucket binding (a Worker's env.<BINDING>, declared under r2_buckets in wrangler.toml), got ${bucket === null ? 'null' : typeof bucket}`,
      );
    }
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    const name = options.name ?? 'bucket';
    this.url = `r2://${name}${this.prefix ? `/${this.prefix}` : ''}`;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw new StoreConfigError(`R2Store partSize ${options.partSize} is invalid for ${this.url}: R2 multipart parts must be whole numbers of bytes ≥ ${MIN_PART_SIZE} (5 MiB)`);
    }
  }

  async get(path: string, range?: ByteRange): Promise<Uint8Array> {
    // R2 rejects an empty range; the answer is empty bytes if the object exists.
    if (range && range.length === 0) {
      await this.head(path);
      return new Uint8Array(0);
    }
    const obj = await this.call('get', path, () =>
      this.bucket.get(this.key(path), range ? { range: { offset: range.offset, length: range.length } } : undefined),
    );
    if (obj === null) throw new NotFoundError(`${this.url}/${path}`);
    if (!hasBody(obj)) throw new InternalError(`R2 get of ${this.url}/${path} returned metadata without a body`);
    return new Uint8Array(await this.call('get', path, () => obj.arrayBuffer()));
  }

  async head(path: string): Promise<ObjectMeta> {
    const obj = await this.call('head', path, () => this.bucket.head(this.key(path)));
    if (obj === null) throw new NotFoundError(`${this.url}/${path}`);
    return { path, size: obj.size, lastModified: millis(obj.uploaded), etag: obj.etag };
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    // joinKey('t', '') is 't/': a store rooted at 't' never sees 'table/…'.
    const full = joinKey(this.prefix, prefix);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const startAfter = options.startAfter !== undefined ? joinKey(this.prefix, options.startAfter) : undefined;
    let cursor: string | undefined;
    let previous: string | undefined;
    for (;;) {
      // startAfter only on the first page: the cursor already continues after the last key listed.
      const request = { prefix: full, limit: 1000, ...(cursor !== undefined ? { cursor } : startAfter !== undefined ? { startAfter } : {}) };
      const page = await this.call('list', prefix, () => this.bucket.list(request));
      for (const obj of page.objects) {
        // R2 lists in UTF-8 byte order (as compareKeys does); the Delta log replay relies on it, so check.
        if (previous !== undefined && compareKeys(previous, obj.key) >= 0) {
          throw new StoreUnavailableError(`R2 listed ${obj.key} after ${previous} under ${this.url}; keys must come in UTF-8 byte order`);
        }
        previous = obj.key;
        yield { path: obj.key.slice(strip), size: obj.size, lastModified: millis(obj.uploaded), etag: obj.etag };
      }
      // A page may hold fewer than `limit` objects and still be truncated.
      if (!page.truncated || page.cursor === undefined) return;
      cursor = page.cursor;
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    await this.call('put', path, () => this.bucket.put(this.key(path), data));
  }

  async putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const key = this.key(path);
    const partSize = this.partSize;
    let buffer = new Uint8Array(partSize);
    let filled = 0;
    let upload: R2MultipartUploadLike | undefined;
    const parts: Promise<R2UploadedPartLike>[] = [];
    try {
      for await (const chunk of chunks) {
        // Copy as we go: producers (wasm writers, pooled streams) may reuse the chunk's buffer.
        for (let offset = 0; offset < chunk.byteLength; ) {
          const n = Math.min(partSize - filled, chunk.byteLength - offset);
          buffer.set(chunk.subarray(offset, offset + n), filled);
          filled += n;
          offset += n;
          if (filled < partSize) continue;
          upload ??= await this.call('createMultipartUpload', path, () => this.bucket.createMultipartUpload(key));
          // At most one part in flight while the next fills: memory stays at two parts.
          if (parts.length > 0) await parts[parts.length - 1];
          parts.push(this.uploadPart(upload, path, parts.length + 1, buffer));
          buffer = new Uint8Array(partSize);
          filled = 0;
        }
      }
      if (upload === undefined) {
        await this.put(path, buffer.subarray(0, filled));
        return;
      }
      if (filled > 0) parts.push(this.uploadPart(upload, path, parts.length + 1, buffer.subarray(0, filled)));
      const done = await Promise.all(parts);
      const u = upload;
      await this.call('completeMultipartUpload', path, () => u.complete(done));
    } catch (e) {
      // Nothing becomes visible before complete(); abort frees the parts R2 would otherwise keep for days.
      await Promise.allSettled(parts);
      await upload?.abort().catch(() => undefined);
      throw e;
    }
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const key = this.key(path);
    await putIfAbsentSafely({
      key,
      data,
      describe: `${this.url}/${path}`,
      attempt: async () => {
        try {
          // `etagDoesNotMatch: '*'` holds only when no object exists; otherwise R2 stores nothing and answers null.
          const created = await this.bucket.put(key, data, { onlyIf: { etagDoesNotMatch: '*' } });
          return { outcome: created === null ? 'exists' : 'created' };
        } catch (error) {
          // The put may have landed before it failed; the helper reads the key back to decide.
          return { outcome: 'ambiguous', error };
        }
      },
      read: async () => {
        const obj = await this.call('get', path, () => this.bucket.get(key));
        return obj !== null && hasBody(obj) ? new Uint8Array(await obj.arrayBuffer()) : undefined;
      },
    });
  }

  async delete(paths: readonly string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += DELETE_BATCH) {
      const keys = paths.slice(i, i + DELETE_BATCH).map((p) => this.key(p));
      await this.call('delete', paths[i]!, () => this.bucket.delete(keys));
    }
  }

  private uploadPart(upload: R2MultipartUploadLike, path: string, partNumber: number, body: Uint8Array): Promise<R2UploadedPartLike> {
    const p = this.call('uploadPart', path, () => upload.uploadPart(partNumber, body));
    // Handled later (awaited or settled); without this a part failing while the source is awaited is "unhandled".
    p.catch(() => undefined);
    return p;
  }

  private key(path: string): string {
    return joinKey(this.prefix, path);
  }

  /** Runs one binding call, turning its failures into StoreUnavailableError naming the object. */
  private async call<T>(op: string, path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new StoreUnavailableError(`R2 ${op} of ${this.url}/${path} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

/** Where registered bindings live; on globalThis so that two bundled copies of this module share them. */
const REGISTRY = Symbol.for('duckrun.storage.r2.bindings');

function registry(): Map<string, R2BucketLike> {
  const g = globalThis as { [REGISTRY]?: Map<string, R2BucketLike> };
  return (g[REGISTRY] ??= new Map());
}

/**
 * Makes `r2://<name>/…` URLs resolve to R2 bucket binding `binding` (e.g. in a Worker's fetch handler:
 * `registerR2Binding('BUCKET', env.BUCKET)`); registering a name again replaces its binding.
 */
export function registerR2Binding(name: string, binding: R2BucketLike): void {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    throw new StoreConfigError(`R2 binding name ${JSON.stringify(name)} cannot be the host of an r2:// URL; use the binding's variable name, e.g. BUCKET`);
  }
  // Validates the binding the same way the store does.
  void new R2Store(binding, '', { name });
  registry().set(name, binding);
}

/** Forgets a binding registered with {@link registerR2Binding}. */
export function unregisterR2Binding(name: string): void {
  registry().delete(name);
}

/** Opens `r2://<binding>/<prefix>` over a binding registered with {@link registerR2Binding}. */
export async function r2StoreFromUrl(url: URL, options: StorageOptions): Promise<ObjectStore> {
  const keys = Object.keys(options).filter((k) => options[k] !== undefined);
  if (keys.length > 0) {
    throw new StoreConfigError(
      `storage option(s) ${keys.join(', ')} do not apply to ${url.href}: r2:// takes no storage options (the Worker's bucket binding carries the credentials); remove them`,
    );
  }
  const name = url.host;
  const binding = registry().get(name);
  if (binding === undefined) {
    const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    throw new StoreConfigError(
      `no R2 bucket binding named ${JSON.stringify(name)} is registered for ${url.href}; in the Worker, call registerR2Binding('${name}', env.${name || 'BUCKET'}) from '@duckrun/storage/r2' first, or pass { store: new R2Store(env.${name || 'BUCKET'}, '${prefix}') }`,
    );
  }
  return new R2Store(binding, decodeURIComponent(url.pathname), { name });
}

function hasBody(obj: R2ObjectLike | R2ObjectBodyLike): obj is R2ObjectBodyLike {
  return typeof (obj as Partial<R2ObjectBodyLike>).arrayBuffer === 'function';
}

/** `uploaded` is a Date from the binding; a copy made across realms (miniflare's proxy) is still one. */
function millis(uploaded: Date): number {
  return new Date(uploaded).getTime();
}
