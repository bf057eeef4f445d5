// Local-disk store. Atomic create = write a private temp file, then hard-link it into place:
// link(2) fails with EEXIST if the name exists, so a commit is never a rename over another one.

import { randomUUID } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlreadyExistsError, NotFoundError, StoreConfigError } from '../errors.js';
import { compareKeys, joinKey, type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore, type StoreCapabilities } from '../object-store.js';
import { toUrl } from '../url.js';

/** Files stat'ed concurrently while listing. */
const LIST_STAT_CHUNK = 64;

/** Names of our in-flight temp files, hidden from listings. */
const TEMP_FILE = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/** A store over a directory of the local file system. */
export class LocalStore implements ObjectStore {
  readonly capabilities: StoreCapabilities = { atomicCreate: 'native', rangeReads: true, multipartUpload: false };
  readonly url: string;
  /** Absolute directory this store is rooted at. */
  readonly root: string;

  constructor(root: string) {
    this.root = nodePath.resolve(root);
    // The same spelling toUrl() gives the path, so table URLs and store URLs compare equal.
    this.url = toUrl(this.root);
  }

  async get(path: string, range?: ByteRange): Promise<Uint8Array> {
    const file = this.file(path);
    try {
      if (!range) return new Uint8Array(await fs.readFile(file));
      const fh = await fs.open(file, 'r');
      try {
        const buf = new Uint8Array(range.length);
        let read = 0;
        while (read < range.length) {
          const { bytesRead } = await fh.read(buf, read, range.length - read, range.offset + read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        return read === range.length ? buf : buf.subarray(0, read);
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw this.mapError(e, path);
    }
  }

  async head(path: string): Promise<ObjectMeta> {
    try {
      const st = await fs.stat(this.file(path));
      if (!st.isFile()) throw new NotFoundError(this.keyUrl(path));
      return { path, size: st.size, lastModified: st.mtimeMs };
    } catch (e) {
      throw this.mapError(e, path);
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    // Walk only the deepest directory the prefix names; filter and sort names before any stat, then stat
    // lazily in concurrent chunks so `startAfter` skips cost nothing and an early `break` stops the work.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const keys: string[] = [];
    await this.walk(dirKey, prefix, keys);
    const after = options.startAfter;
    const wanted = (after === undefined ? keys : keys.filter((k) => compareKeys(k, after) > 0)).sort(compareKeys);
    for (let i = 0; i < wanted.length; i += LIST_STAT_CHUNK) {
      const chunk = await Promise.all(wanted.slice(i, i + LIST_STAT_CHUNK).map((key) => this.statForList(key)));
      for (const meta of chunk) if (meta) yield meta;
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    // Write beside the target and rename over it so readers never see a partial object.
    const tmp = await this.writeTemp(path, data);
    try {
      await fs.rename(tmp, this.file(path));
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  async putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const target = this.file(path);
    await fs.mkdir(nodePath.dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.tmp`;
    // A file handle written chunk by chunk: write errors reject here instead of surfacing as an
    // unhandled stream 'error' event, and the temp file is always removed on failure.
    const fh = await fs.open(tmp, 'wx');
    try {
      try {
        for await (const chunk of chunks) {
          let written = 0;
          while (written < chunk.byteLength) {
            const { bytesWritten } = await fh.write(chunk, written, chunk.byteLength - written);
            written += bytesWritten;
          }
        }
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, target);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const target = this.file(path);
    const tmp = await this.writeTemp(path, data);
    try {
      await fs.link(tmp, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new AlreadyExistsError(this.keyUrl(path));
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
      // File systems without hard links: O_EXCL still guarantees a single creator.
      await this.createExclusive(target, data, path);
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async delete(paths: readonly string[]): Promise<void> {
    await Promise.all(
      paths.map(async (p) => {
        try {
          await fs.rm(this.file(p), { force: true });
        } catch (e) {
          // A directory is not an object: deleting that key deletes nothing, like a missing key.
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ERR_FS_EISDIR' && code !== 'EISDIR' && code !== 'ENOTDIR') throw e;
        }
      }),
    );
  }

  /** Absolute file-system path of a key. */
  async openBlob(path: string): Promise<Blob> {
    const file = this.file(path);
    try {
      // A file-backed Blob: slices read from disk on demand (Node ≥ 19.8).
      return await openAsBlob(file);
    } catch (e) {
      throw this.mapError(e, path);
    }
  }

  file(path: string): string {
    const parts = path.split('/');
    // A key is relative to the root: `..`, `.` or an absolute form would reach outside it (a hostile log
    // could name `../../etc/passwd` as a data file).
    if (parts.some((p) => p === '..' || p === '.') || path.startsWith('/')) {
      throw new StoreConfigError(`key ${JSON.stringify(path)} leaves the store root ${this.url}; keys are relative paths without . or .. segments`);
    }
    return nodePath.join(this.root, ...parts);
  }

  private keyUrl(path: string): string {
    return joinKey(this.url, path);
  }

  private async createExclusive(target: string, data: Uint8Array, path: string): Promise<void> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(target, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new AlreadyExistsError(this.keyUrl(path));
      throw e;
    }
    try {
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      // We created the file, so nobody else owns it: remove the partial object rather than leave it.
      await fs.rm(target, { force: true });
      throw e;
    }
  }

  private async writeTemp(path: string, data: Uint8Array): Promise<string> {
    const target = this.file(path);
    await fs.mkdir(nodePath.dirname(target), { recursive: true });
    const tmp = `${target}.${randomUUID()}.tmp`;
    try {
      await fs.writeFile(tmp, data, { flag: 'wx' });
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    return tmp;
  }

  private async walk(dirKey: string, prefix: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dirKey ? this.file(dirKey) : this.root, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw e;
    }
    for (const entry of entries) {
      const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) await this.walk(key, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix) && !TEMP_FILE.test(entry.name)) {
        out.push(key);
      }
    }
  }

  private async statForList(key: string): Promise<ObjectMeta | undefined> {
    try {
      const st = await fs.stat(this.file(key));
      return { path: key, size: st.size, lastModified: st.mtimeMs };
    } catch (e) {
      // Deleted between readdir and stat (a concurrent delete or vacuum): not listed.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private mapError(e: unknown, path: string): unknown {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return new NotFoundError(this.keyUrl(path), { cause: e });
    return e;
  }
}

/** Opens a local store from a `file://` URL. */
export function localStoreFromUrl(url: URL): LocalStore {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (e) {
    throw new StoreConfigError(`cannot open ${url.href}: not a local file URL (use file:///absolute/path)`, { cause: e });
  }
  return new LocalStore(path);
}
