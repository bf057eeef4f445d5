// Binds the object-store contract to LocalStore over temp directories, plus what only a file system can get wrong.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStore, localStoreFromUrl } from '../../src/stores/local.js';
import { NotFoundError, StoreConfigError, resolveStore, toUrl } from '../../src/index.js';
import { describeObjectStoreContract } from '../contract.js';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duckrun-local-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describeObjectStoreContract('local', async () => new LocalStore(await tempDir()));
describeObjectStoreContract('local (root not created yet)', async () => new LocalStore(join(await tempDir(), 'not', 'yet')));

/** Every file under `dir`, relative, including ones the store hides from list(). */
async function filesOnDisk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('LocalStore', () => {
  it('leaves no temp file behind after put, a won and a lost putIfAbsent, and putStream', async () => {
    const dir = await tempDir();
    const store = new LocalStore(dir);
    await store.put('a/x.json', new Uint8Array([1]));
    await store.putIfAbsent('_delta_log/00000000000000000000.json', new Uint8Array([2]));
    await expect(store.putIfAbsent('_delta_log/00000000000000000000.json', new Uint8Array([3]))).rejects.toThrow(/already exists/);
    await store.putStream('b/y.bin', (async function* () {
      yield new Uint8Array([4]);
    })());
    await expect(
      store.putStream('b/z.bin', (async function* () {
        yield new Uint8Array([5]);
        throw new Error('boom');
      })()),
    ).rejects.toThrow('boom');
    expect(await filesOnDisk(dir)).toEqual(['_delta_log/00000000000000000000.json', 'a/x.json', 'b/y.bin']);
  });

  it('hides in-flight temp files of a concurrent writer from list', async () => {
    const dir = await tempDir();
    const store = new LocalStore(dir);
    await mkdir(join(dir, '_delta_log'));
    await writeFile(join(dir, '_delta_log', '00000000000000000001.json.0b0e6c2e-4f0a-4c1d-9a7b-2f3e4d5c6b7a.tmp'), 'x');
    await store.put('_delta_log/00000000000000000000.json', new Uint8Array([1]));
    const listed: string[] = [];
    for await (const m of store.list('_delta_log/')) listed.push(m.path);
    expect(listed).toEqual(['_delta_log/00000000000000000000.json']);
  });

  it('throws NotFoundError when reading a directory as an object', async () => {
    const store = new LocalStore(await tempDir());
    await store.put('dir/file', new Uint8Array([1]));
    await expect(store.get('dir')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.head('dir')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists nothing when its root directory does not exist', async () => {
    const store = new LocalStore(join(await tempDir(), 'missing'));
    const listed: string[] = [];
    for await (const m of store.list('')) listed.push(m.path);
    expect(listed).toEqual([]);
  });

  it('spells its url exactly as toUrl spells its directory, and as a URL that maps back to it', async () => {
    const dir = join(await tempDir(), 'my table', 'date=2024-01-01', 'ü%#?');
    const store = new LocalStore(dir);
    expect(store.url).toBe(toUrl(dir));
    expect(store.url.endsWith('/')).toBe(false);
    expect(localStoreFromUrl(new URL(store.url)).root).toBe(dir);
    expect(localStoreFromUrl(pathToFileURL(dir)).root).toBe(dir);
  });

  it('is what resolveStore opens for a local path and for a file:// URL', async () => {
    const dir = await tempDir();
    await new LocalStore(dir).put('k', new Uint8Array([9]));
    for (const location of [dir, `${dir}/`, pathToFileURL(dir).href]) {
      const store = await resolveStore(location);
      expect(store.url).toBe(toUrl(dir));
      expect(await store.get('k')).toEqual(new Uint8Array([9]));
    }
  });

  it('refuses a file:// URL with a remote host with StoreConfigError', () => {
    expect(() => localStoreFromUrl(new URL('file://server/share/table'))).toThrow(StoreConfigError);
  });

  it('creates missing parent directories on write', async () => {
    const dir = await tempDir();
    await new LocalStore(dir).putIfAbsent('a/b/c/d.json', new Uint8Array([1]));
    expect(existsSync(join(dir, 'a', 'b', 'c', 'd.json'))).toBe(true);
  });
});

describe('LocalStore keys', () => {
  it('refuses keys that would leave the store root', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { LocalStore } = await import('../../src/stores/local.js');
    const dir = await mkdtemp(join(tmpdir(), 'duckrun-local-keys-'));
    try {
      const store = new LocalStore(join(dir, 'table'));
      for (const key of ['../outside.txt', 'a/../../outside.txt', './x', '/etc/passwd']) {
        await expect(store.get(key)).rejects.toThrow(/leaves the store root/);
        await expect(store.put(key, new Uint8Array([1]))).rejects.toThrow(/leaves the store root/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
