// Where a data or deletion-vector file lives: relative paths in the table's own store, absolute URIs in
// a store resolved (once) for their folder.

import { resolveStore, type ObjectStore, type StorageOptions } from '@duckrun/storage';
import { canonicalFileKey } from '../kernel/log/file-key.js';

/** A file's store and key inside it, plus its URL for messages. */
export interface FileLocation {
  readonly store: ObjectStore;
  readonly key: string;
  readonly url: string;
}

/** Resolves file paths of one table, caching the stores of outside folders. */
export class FileLocator {
  private readonly stores = new Map<string, Promise<ObjectStore>>();

  constructor(
    private readonly tableUri: string,
    private readonly tableStore: ObjectStore,
    private readonly storageOptions: StorageOptions,
  ) {}

  /** Locates `path` as written in an `add` action (URI-encoded relative path or absolute URI). */
  async locate(path: string): Promise<FileLocation> {
    const key = canonicalFileKey(this.tableUri, path);
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(key)) {
      return { store: this.tableStore, key, url: `${this.tableUri}/${key}` };
    }
    const slash = key.lastIndexOf('/');
    const folder = encodeUrl(key.slice(0, slash));
    let store = this.stores.get(folder);
    if (!store) {
      store = resolveStore(folder, folder.startsWith('file:') ? {} : this.storageOptions);
      this.stores.set(folder, store);
    }
    return { store: await store, key: key.slice(slash + 1), url: key };
  }

  /** Whether a located file lies outside the table's folder. */
  isOutsideTable(location: FileLocation): boolean {
    return location.store !== this.tableStore || location.key.split('/').includes('..');
  }
}

function encodeUrl(decoded: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*)(.*)$/.exec(decoded);
  if (!m) return decoded;
  return m[1] + m[2]!.split('/').map(encodeURIComponent).join('/');
}
