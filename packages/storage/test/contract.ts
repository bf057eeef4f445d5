// The ObjectStore contract (src/object-store.ts) as one suite; every adapter binds it in test/stores/<name>.test.ts.

import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, isDuckrunError, type ObjectMeta, type ObjectStore } from '../src/index.js';

/** Options of {@link describeObjectStoreContract}. */
export interface ContractOptions {
  /** Skip the whole suite; the text says why (e.g. "no S3-compatible server on this machine"). */
  readonly skip?: string;
}

/**
 * Declares the contract suite for one store. `makeStore` is called once per test and must return an
 * empty store that no other test uses; the binding file cleans up whatever it created.
 */
export function describeObjectStoreContract(
  name: string,
  makeStore: () => Promise<ObjectStore>,
  options: ContractOptions = {},
): void {
  const title = `${name} object store contract`;
  if (options.skip !== undefined) {
    describe.skip(`${title} (skipped: ${options.skip})`, () => {
      it('is skipped', () => {});
    });
    return;
  }

  describe(title, () => {
    describe('reading', () => {
      it('throws NotFoundError from get of a missing key', async () => {
        const store = await makeStore();
        await expectNotFound(store.get('missing/file.json'));
      });

      it('throws NotFoundError from head of a missing key', async () => {
        const store = await makeStore();
        await expectNotFound(store.head('missing.json'));
      });

      it('throws NotFoundError for a key that is only a prefix of other keys', async () => {
        const store = await makeStore();
        await store.put('dir/file.json', bytes('x'));
        await expectNotFound(store.get('dir'));
        await expectNotFound(store.head('dir'));
        await store.delete(['dir', 'dir/file.json/below']);
        expect(text(await store.get('dir/file.json'))).toBe('x');
      });

      it('returns the stored bytes and their size from get and head', async () => {
        const store = await makeStore();
        const data = pattern(4096, 7);
        await store.put('a/b.bin', data);
        expectBytes(await store.get('a/b.bin'), data);
        const meta = await store.head('a/b.bin');
        expect(meta.path).toBe('a/b.bin');
        expect(meta.size).toBe(4096);
        expect(meta.lastModified).toBeGreaterThan(0);
      });

      it('stores and returns an empty object', async () => {
        const store = await makeStore();
        await store.put('empty', new Uint8Array(0));
        expect((await store.get('empty')).byteLength).toBe(0);
        expect((await store.head('empty')).size).toBe(0);
      });

      it('returns exactly the requested bytes from a ranged get', async () => {
        const store = await makeStore();
        const data = pattern(1000, 3);
        await store.put('ranged.bin', data);
        expect(await store.get('ranged.bin', { offset: 0, length: 10 })).toEqual(data.slice(0, 10));
        expectBytes(await store.get('ranged.bin', { offset: 123, length: 456 }), data.slice(123, 579));
        expect(await store.get('ranged.bin', { offset: 992, length: 8 })).toEqual(data.slice(992));
        expect((await store.get('ranged.bin', { offset: 500, length: 0 })).byteLength).toBe(0);
      });

      it('throws NotFoundError from a ranged get of a missing key', async () => {
        const store = await makeStore();
        await expectNotFound(store.get('missing.bin', { offset: 0, length: 4 }));
      });

      it('hands out bytes the caller may mutate without changing the stored object', async () => {
        const store = await makeStore();
        await store.put('k', bytes('abc'));
        const first = await store.get('k');
        first.fill(0);
        expect(text(await store.get('k'))).toBe('abc');
      });
    });

    describe('listing', () => {
      it('lists every object under a prefix recursively, with sizes', async () => {
        const store = await makeStore();
        await store.put('t/a/b/c.txt', bytes('1'));
        await store.put('t/a/d.txt', bytes('22'));
        await store.put('t/a/b/e/f.txt', bytes('333'));
        await store.put('t/z.txt', bytes('4444'));
        await store.put('u/a.txt', bytes('5'));
        const metas = await collect(store.list('t/a/'));
        expect(metas.map((m) => [m.path, m.size])).toEqual([
          ['t/a/b/c.txt', 1],
          ['t/a/b/e/f.txt', 3],
          ['t/a/d.txt', 2],
        ]);
        expect(await paths(store.list(''))).toEqual(['t/a/b/c.txt', 't/a/b/e/f.txt', 't/a/d.txt', 't/z.txt', 'u/a.txt']);
      });

      it('lists nothing, without error, for a prefix no key starts with', async () => {
        const store = await makeStore();
        expect(await paths(store.list('nothing/here/'))).toEqual([]);
        await store.put('something.json', bytes('x'));
        expect(await paths(store.list('nothing/'))).toEqual([]);
        expect(await paths(store.list('something.json/'))).toEqual([]);
      });

      it('sorts keys by their UTF-8 bytes, not by UTF-16 code units, case or path depth', async () => {
        const store = await makeStore();
        const keys = [
          'k/B', // upper case sorts before every lower-case letter
          'k/Case.json',
          'k/a-b', // '-' 0x2d
          'k/a.b', // '.' 0x2e
          'k/a/b', // '/' 0x2f: nested keys sort between their siblings, not first or last
          'k/a0', // '0' 0x30
          'k/b',
          'k/case.json', // differs from 'k/Case.json' only in case
          'k/z',
          'k/é', // U+00E9, two UTF-8 bytes
          'k/日本', // U+65E5, three bytes
          'k/ｚ', // U+FF5A, three bytes, but its UTF-16 unit 0xFF5A sorts after a surrogate
          'k/😀', // U+1F600, four bytes, a surrogate pair in UTF-16
        ];
        const shuffled = [...keys].sort((x, y) => hash(x) - hash(y));
        for (const [i, k] of shuffled.entries()) await store.put(k, bytes(String(i)));
        const expected = [...keys].sort(compareUtf8);
        expect(expected).toEqual(keys);
        expect(await paths(store.list('k/'))).toEqual(expected);
      });

      it('lists only keys strictly after startAfter', async () => {
        const store = await makeStore();
        const keys = ['s/a-b', 's/a.b', 's/a/b', 's/a0', 's/b/c', 's/é'];
        for (const k of keys) await store.put(k, bytes(k));
        expect(await paths(store.list('s/', { startAfter: 's/a.b' }))).toEqual(['s/a/b', 's/a0', 's/b/c', 's/é']);
        // A startAfter that is not itself a key.
        expect(await paths(store.list('s/', { startAfter: 's/a/a' }))).toEqual(['s/a/b', 's/a0', 's/b/c', 's/é']);
        expect(await paths(store.list('s/', { startAfter: 's/b' }))).toEqual(['s/b/c', 's/é']);
        // Before the prefix: everything; at or past the last key: nothing.
        expect(await paths(store.list('s/', { startAfter: 'r' }))).toEqual(keys);
        expect(await paths(store.list('s/', { startAfter: 's/é' }))).toEqual([]);
        expect(await paths(store.list('s/', { startAfter: 't' }))).toEqual([]);
      });

      it('treats the prefix as a string prefix of keys, also when it ends inside a file name', async () => {
        const store = await makeStore();
        const log = [
          '_delta_log/00000000000000000000.json',
          '_delta_log/00000000000000000001.checkpoint.parquet',
          '_delta_log/00000000000000000001.json',
          '_delta_log/00000000000000000002.json',
          '_delta_log/_last_checkpoint',
          'other/00000000000000000001.json',
        ];
        for (const k of log) await store.put(k, bytes('{}'));
        expect(await paths(store.list('_delta_log/0000000000000000000'))).toEqual(log.slice(0, 4));
        expect(await paths(store.list('_delta_log/00000000000000000001'))).toEqual(log.slice(1, 3));
        expect(await paths(store.list('_delta_log/00000000000000000001.json'))).toEqual([log[2]]);
        expect(await paths(store.list('_delta_log/_'))).toEqual(['_delta_log/_last_checkpoint']);
        expect(
          await paths(store.list('_delta_log/', { startAfter: '_delta_log/00000000000000000001.json' })),
        ).toEqual(['_delta_log/00000000000000000002.json', '_delta_log/_last_checkpoint']);
      });

      it('treats a prefix ending inside a directory name as a string prefix too', async () => {
        const store = await makeStore();
        const keys = ['part-0.parquet', 'partition=1/x.parquet', 'parts/y.parquet', 'pa/z.parquet', 'q.parquet'];
        for (const k of keys) await store.put(k, bytes(k));
        expect(await paths(store.list('part'))).toEqual(['part-0.parquet', 'partition=1/x.parquet', 'parts/y.parquet']);
        expect(await paths(store.list('partition='))).toEqual(['partition=1/x.parquet']);
      });
    });

    describe('writing', () => {
      it('replaces an object whole on put', async () => {
        const store = await makeStore();
        await store.put('r.json', pattern(5000, 1));
        await store.put('r.json', bytes('short'));
        expect(text(await store.get('r.json'))).toBe('short');
        expect((await store.head('r.json')).size).toBe(5);
        expect(await paths(store.list('r'))).toEqual(['r.json']);
      });

      it('keeps its own copy of the bytes given to put', async () => {
        const store = await makeStore();
        const data = bytes('original');
        await store.put('copy', data);
        data.fill(0x21);
        expect(text(await store.get('copy'))).toBe('original');
      });

      it('writes an object from many chunks with putStream, even when the producer reuses its buffer', async () => {
        const store = await makeStore();
        const expected = pattern(1000 * 37 + 5, 11);
        const buffer = new Uint8Array(64);
        async function* chunks(): AsyncIterable<Uint8Array> {
          let offset = 0;
          for (let i = 0; offset < expected.length; i++) {
            const size = Math.min((i % 37) + 1, expected.length - offset);
            buffer.set(expected.subarray(offset, offset + size));
            offset += size;
            yield buffer.subarray(0, size);
          }
        }
        await store.putStream('stream/big.bin', chunks());
        expectBytes(await store.get('stream/big.bin'), expected);
        expect((await store.head('stream/big.bin')).size).toBe(expected.length);
        expect(await paths(store.list('stream/'))).toEqual(['stream/big.bin']);
      });

      it('replaces an existing object with putStream', async () => {
        const store = await makeStore();
        await store.put('s.bin', pattern(100, 2));
        await store.putStream('s.bin', fromChunks([bytes('ab'), bytes('cd')]));
        expect(text(await store.get('s.bin'))).toBe('abcd');
      });

      it('leaves no object and no visible debris when the putStream source fails', async () => {
        const store = await makeStore();
        await store.put('old.bin', bytes('old'));
        async function* failing(): AsyncIterable<Uint8Array> {
          yield bytes('partial');
          throw new Error('source failed');
        }
        await expect(store.putStream('new.bin', failing())).rejects.toThrow('source failed');
        await expect(store.putStream('old.bin', failing())).rejects.toThrow('source failed');
        await expectNotFound(store.get('new.bin'));
        expect(text(await store.get('old.bin'))).toBe('old');
        expect(await paths(store.list(''))).toEqual(['old.bin']);
      });
    });

    describe('putIfAbsent', () => {
      it('creates an object once and throws AlreadyExistsError on the second call, keeping the winner', async () => {
        const store = await makeStore();
        const key = '_delta_log/00000000000000000000.json';
        await store.putIfAbsent(key, bytes('winner'));
        const err = await store.putIfAbsent(key, bytes('loser, and longer than the winner')).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectAlreadyExists(err);
        expect(text(await store.get(key))).toBe('winner');
        expect((await store.head(key)).size).toBe(6);
        expect(await paths(store.list('_delta_log/'))).toEqual([key]);
      });

      it('throws AlreadyExistsError when a plain put created the object first', async () => {
        const store = await makeStore();
        await store.put('p.json', bytes('put'));
        expectAlreadyExists(await store.putIfAbsent('p.json', bytes('pia')).then(() => undefined, (e: unknown) => e));
        expect(text(await store.get('p.json'))).toBe('put');
      });

      it('lets exactly one of 20 concurrent callers create the same key', async () => {
        const store = await makeStore();
        const key = '_delta_log/00000000000000000007.json';
        const payloads = Array.from({ length: 20 }, (_, i) => bytes(`{"commitInfo":{"writer":${i}}}`.padEnd(200 + i, ' ')));
        const results = await Promise.allSettled(payloads.map((p) => store.putIfAbsent(key, p)));
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expectAlreadyExists(r.reason);
        expect(await store.get(key)).toEqual(payloads[winners[0]!]);
        expect(await paths(store.list('_delta_log/'))).toEqual([key]);
      });

      it('creates a key again after it was deleted', async () => {
        const store = await makeStore();
        await store.putIfAbsent('again', bytes('1'));
        await store.delete(['again']);
        await store.putIfAbsent('again', bytes('2'));
        expect(text(await store.get('again'))).toBe('2');
      });
    });

    describe('deleting', () => {
      it('deletes objects and ignores keys that do not exist', async () => {
        const store = await makeStore();
        await store.put('d/1', bytes('1'));
        await store.put('d/2', bytes('2'));
        await store.put('d/3', bytes('3'));
        await store.delete(['d/1', 'd/missing', 'nowhere/at/all', 'd/3']);
        await expectNotFound(store.get('d/1'));
        await expectNotFound(store.head('d/3'));
        expect(await paths(store.list('d/'))).toEqual(['d/2']);
      });

      it('accepts deleting a missing key and an empty list', async () => {
        const store = await makeStore();
        await expect(store.delete(['never/existed.json'])).resolves.toBeUndefined();
        await expect(store.delete([])).resolves.toBeUndefined();
      });
    });

    describe('keys', () => {
      const odd = [
        'date=2024-01-01/part 00000.parquet',
        'pct/100%/a%20b%2F.json',
        'eq/a=b=c/k=v.json',
        'uni/日本語/ファイル.json',
        'uni/Zürich café/😀.json',
        "misc/it's (1) + [2] & {3}; #4 ?5 @6 ~7 ,8 $9.json",
      ];

      it('round-trips keys with spaces, %, =, unicode and punctuation through every operation', async () => {
        const store = await makeStore();
        for (const [i, k] of odd.entries()) await store.put(k, bytes(`v${i}`));
        for (const [i, k] of odd.entries()) {
          expect(text(await store.get(k))).toBe(`v${i}`);
          expect((await store.head(k)).path).toBe(k);
        }
        expect(await paths(store.list(''))).toEqual([...odd].sort(compareUtf8));
        expect(await paths(store.list('pct/100%/'))).toEqual(['pct/100%/a%20b%2F.json']);
        expect(await paths(store.list('uni/Zürich'))).toEqual(['uni/Zürich café/😀.json']);
        // No decoding happens anywhere: '%20' is three characters, not a space.
        await expectNotFound(store.get('pct/100%/a b%2F.json'));
        await store.delete(odd);
        expect(await paths(store.list(''))).toEqual([]);
      });

      it('creates keys with odd characters atomically with putIfAbsent', async () => {
        const store = await makeStore();
        for (const k of odd) await store.putIfAbsent(k, bytes(k));
        for (const k of odd) expectAlreadyExists(await store.putIfAbsent(k, bytes('x')).then(() => undefined, (e: unknown) => e));
        for (const k of odd) expect(text(await store.get(k))).toBe(k);
      });
    });
  });
}

async function expectNotFound(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected NotFoundError').toBeInstanceOf(NotFoundError);
  expect(isDuckrunError(err, 'STORE_NOT_FOUND')).toBe(true);
}

/** Byte equality that reports the first difference (deep-equal diffs of big arrays are slow and unreadable). */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength, 'byte length').toBe(expected.byteLength);
  const at = actual.findIndex((b, i) => b !== expected[i]);
  expect(at, 'offset of the first differing byte').toBe(-1);
}

function expectAlreadyExists(err: unknown): void {
  expect(err, 'expected AlreadyExistsError').toBeInstanceOf(AlreadyExistsError);
  expect(isDuckrunError(err, 'STORE_ALREADY_EXISTS')).toBe(true);
}

async function collect(it: AsyncIterable<ObjectMeta>): Promise<ObjectMeta[]> {
  const out: ObjectMeta[] = [];
  for await (const m of it) out.push(m);
  return out;
}

async function paths(it: AsyncIterable<ObjectMeta>): Promise<string[]> {
  return (await collect(it)).map((m) => m.path);
}

async function* fromChunks(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const c of chunks) yield c;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

function text(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Deterministic non-repeating-looking bytes. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Byte-wise comparison of UTF-8 encodings, written independently of the package's compareKeys. */
function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (Math.imul(h, 31) + c.codePointAt(0)!) | 0;
  return h;
}
