// Local-disk store. Atomic create = write a private temp file, then hard-link it into place:
// link(2) fails with EEXIST if the name exists, so a commit is never a rename over another one.

import { randomUUID } from 'node:crypto';
import { constants, type Dirent, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlreadyExistsError, NotFoundError, StoreConfigError } from '../errors.js';
import { compareKeys, joinKey, type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore, type StoreCapabilities } from '../object-store.js';
import { toUrl } from '../url.js';

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
    // Walk only the deepest directory the prefix names, then filter by the remaining name prefix.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const keys: ObjectMeta[] = [];
    await this.walk(dirKey, prefix, keys);
    keys.sort((a, b) => compareKeys(a.path, b.path));
    for (const meta of keys) {
      if (options.startAfter !== undefined && compareKeys(meta.path, options.startAfter) <= 0) continue;
      yield meta;
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
  file(path: string): string {
    return nodePath.join(this.root, ...path.split('/'));
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

  private async walk(dirKey: string, prefix: string, out: ObjectMeta[]): Promise<void> {
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
        let st: Stats;
        try {
          st = await fs.stat(this.file(key));
        } catch (e) {
          // Deleted between readdir and stat (a concurrent delete or vacuum): not listed.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw e;
        }
        out.push({ path: key, size: st.size, lastModified: st.mtimeMs });
      }
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
