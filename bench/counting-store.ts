// An ObjectStore wrapper that counts requests, so results can say how many reads a load took.

import type { ByteRange, ListOptions, ObjectMeta, ObjectStore } from '@duckrun/storage';

/** Wraps `inner`, counting `get`/`head` and `list` calls. */
export class CountingStore implements ObjectStore {
  gets = 0;
  lists = 0;

  constructor(private readonly inner: ObjectStore) {}

  get url(): string {
    return this.inner.url;
  }

  get capabilities(): ObjectStore['capabilities'] {
    return this.inner.capabilities;
  }

  /** Zeroes the counters and returns what they held. */
  reset(): { gets: number; lists: number } {
    const counts = { gets: this.gets, lists: this.lists };
    this.gets = 0;
    this.lists = 0;
    return counts;
  }

  get(path: string, range?: ByteRange): Promise<Uint8Array> {
    this.gets++;
    return this.inner.get(path, range);
  }

  head(path: string): Promise<ObjectMeta> {
    this.gets++;
    return this.inner.head(path);
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    this.lists++;
    return this.inner.list(prefix, options);
  }

  put(path: string, data: Uint8Array): Promise<void> {
    return this.inner.put(path, data);
  }

  putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    return this.inner.putStream(path, chunks);
  }

  putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    return this.inner.putIfAbsent(path, data);
  }

  delete(paths: readonly string[]): Promise<void> {
    return this.inner.delete(paths);
  }
}
