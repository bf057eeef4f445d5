// Binds the object-store contract to R2Store over miniflare's R2 (real workerd, R2 simulated by its own
// storage layer), reached from Node through `mf.getR2Bucket()`. If workerd cannot start here, every test is
// skipped with the reason printed, never passed.

import { Miniflare } from 'miniflare';
import { afterAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, StoreConfigError, StoreUnavailableError, isDuckrunError, resolveStore, type ObjectMeta } from '../../src/index.js';
import { R2Store, registerR2Binding, unregisterR2Binding, type R2BucketLike } from '../../src/stores/r2.js';
import { describeObjectStoreContract } from '../contract.js';

const MiB = 1024 * 1024;

async function startMiniflare(): Promise<{ mf?: Miniflare; skip?: string }> {
  let mf: Miniflare | undefined;
  try {
    mf = new Miniflare({
      modules: true,
      script: 'export default { fetch() { return new Response("r2 test worker") } }',
      compatibilityDate: '2025-01-01',
      r2Buckets: ['BUCKET', 'ROOT'],
    });
    await mf.ready;
    return { mf };
  } catch (e) {
    await mf?.dispose().catch(() => undefined);
    const reason = `miniflare/workerd could not start on this machine: ${e instanceof Error ? e.message : String(e)}`;
    console.warn(`[r2.test] skipping R2 tests: ${reason}`);
    return { skip: reason };
  }
}

const { mf, skip } = await startMiniflare();
const bucket = mf ? ((await mf.getR2Bucket('BUCKET')) as unknown as R2BucketLike) : undefined;
const root = mf ? ((await mf.getR2Bucket('ROOT')) as unknown as R2BucketLike) : undefined;

afterAll(async () => {
  await mf?.dispose();
});

let prefixes = 0;
/** A store under a prefix no other test uses: the bucket is shared, the key space is not. */
function freshStore(): R2Store {
  return new R2Store(bucket!, `contract/${prefixes++}`, { name: 'BUCKET' });
}

async function clear(b: R2BucketLike): Promise<void> {
  for (;;) {
    const page = await b.list({ limit: 1000 });
    if (page.objects.length === 0) return;
    await b.delete(page.objects.map((o) => o.key));
  }
}

describeObjectStoreContract('r2 (miniflare, under a key prefix)', async () => freshStore(), skip !== undefined ? { skip } : {});
describeObjectStoreContract(
  'r2 (miniflare, bucket root)',
  async () => {
    await clear(root!);
    return new R2Store(root!, '', { name: 'ROOT' });
  },
  skip !== undefined ? { skip } : {},
);

const describeR2 = skip === undefined ? describe : describe.skip;

describeR2(`R2Store${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('lets exactly one of 8 writers with their own binding and store create a commit, in each of 10 rounds', async () => {
    const writers = await Promise.all(
      Array.from({ length: 8 }, async () => new R2Store((await mf!.getR2Bucket('BUCKET')) as unknown as R2BucketLike, 'race/t', { name: 'BUCKET' })),
    );
    for (let round = 0; round < 10; round++) {
      const key = `_delta_log/${String(round).padStart(20, '0')}.json`;
      const payloads = writers.map((_, w) => bytes(`{"commitInfo":{"txnId":"round-${round}-writer-${w}"}}`));
      const results = await Promise.allSettled(writers.map((s, w) => s.putIfAbsent(key, payloads[w]!)));
      const winners = results.flatMap((r, w) => (r.status === 'fulfilled' ? [w] : []));
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(AlreadyExistsError);
          expect(isDuckrunError(r.reason, 'STORE_ALREADY_EXISTS')).toBe(true);
        }
      }
      expect(text(await writers[0]!.get(key))).toBe(text(payloads[winners[0]!]!));
    }
    expect(await paths(writers[0]!.list('_delta_log/'))).toHaveLength(10);
  });

  it('uploads a large stream as an R2 multipart upload of equal parts and reads it back whole and by range', async () => {
    const calls: string[] = [];
    const store = new R2Store(spy(bucket!, calls), 'multipart', { name: 'BUCKET', partSize: 5 * MiB });
    const data = pattern(12 * MiB + 123, 5);
    await store.putStream('big.parquet', chunked(data, 1_000_003));
    expect(calls.filter((c) => c.startsWith('uploadPart'))).toEqual(['uploadPart 1 5242880', 'uploadPart 2 5242880', 'uploadPart 3 2097275']);
    expect(calls).toContain('complete 3');
    expect((await store.head('big.parquet')).size).toBe(data.byteLength);
    expect(equalBytes(await store.get('big.parquet'), data)).toBe(true);
    // The footer read of a parquet file: the last 8 bytes, across the last part boundary's far side.
    expect(await store.get('big.parquet', { offset: data.byteLength - 8, length: 8 })).toEqual(data.slice(-8));
    expect(await store.get('big.parquet', { offset: 5 * MiB - 4, length: 8 })).toEqual(data.slice(5 * MiB - 4, 5 * MiB + 4));
  });

  it('aborts the multipart upload and leaves no object when the source fails after a part was sent', async () => {
    const calls: string[] = [];
    const store = new R2Store(spy(bucket!, calls), 'multipart-fail', { name: 'BUCKET', partSize: 5 * MiB });
    async function* failing(): AsyncIterable<Uint8Array> {
      yield pattern(6 * MiB, 1);
      throw new Error('source failed');
    }
    await expect(store.putStream('x.bin', failing())).rejects.toThrow('source failed');
    expect(calls).toContain('uploadPart 1 5242880');
    expect(calls).toContain('abort');
    expect(calls).not.toContain('complete 1');
    await expect(store.head('x.bin')).rejects.toThrow(/does not exist/);
    expect(await paths(store.list(''))).toEqual([]);
  });

  it('writes a stream smaller than one part with a single put', async () => {
    const calls: string[] = [];
    const store = new R2Store(spy(bucket!, calls), 'small-stream', { name: 'BUCKET', partSize: 5 * MiB });
    await store.putStream('s.json', chunked(bytes('{"a":1}'), 2));
    expect(calls).toEqual(['put s.json']);
    expect(text(await store.get('s.json'))).toBe('{"a":1}');
  });

  it('follows R2 list cursors page by page, from startAfter, in UTF-8 byte order', async () => {
    const store = new R2Store(pagesOf(bucket!, 3), 'paged', { name: 'BUCKET' });
    const keys = ['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json', '_delta_log/00000000000000000002.json', '_delta_log/00000000000000000003.json', '_delta_log/00000000000000000004.json', '_delta_log/00000000000000000005.json', '_delta_log/00000000000000000006.json', '_delta_log/_last_checkpoint', '_delta_log/é', '_delta_log/😀'];
    for (const k of keys) await store.put(k, bytes(k));
    expect(await paths(store.list('_delta_log/'))).toEqual(keys);
    expect(await paths(store.list('_delta_log/', { startAfter: keys[1] }))).toEqual(keys.slice(2));
    expect(await paths(store.list('_delta_log/', { startAfter: keys[6] }))).toEqual(keys.slice(7));
  });

  it('settles a conditional put that failed after landing by reading the object back', async () => {
    const key = 'ambiguous/_delta_log/00000000000000000000.json';
    const flaky: R2BucketLike = Object.assign(Object.create(null) as object, bucketMethods(bucket!), {
      async put(k: string, v: Uint8Array, o?: { onlyIf?: { etagDoesNotMatch?: string } }) {
        await bucket!.put(k, v, o);
        throw new Error('network connection lost');
      },
    }) as R2BucketLike;
    const store = new R2Store(flaky, 'ambiguous', { name: 'BUCKET' });
    await store.putIfAbsent('_delta_log/00000000000000000000.json', bytes('{"mine":1}'));
    expect(text(await new R2Store(bucket!, '', { name: 'BUCKET' }).get(key))).toBe('{"mine":1}');
    const err = await store.putIfAbsent('_delta_log/00000000000000000000.json', bytes('{"theirs":2}')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AlreadyExistsError);
  });

  it('reports a failing binding as StoreUnavailableError naming the object', async () => {
    const broken = Object.assign(Object.create(null) as object, bucketMethods(bucket!), {
      async head() {
        throw new Error('R2 internal error');
      },
    }) as R2BucketLike;
    const err = await new R2Store(broken, 't', { name: 'BUCKET' }).head('x.json').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toContain('r2://BUCKET/t/x.json');
  });

  it('resolves r2://<binding>/<prefix> URLs to a registered binding', async () => {
    await new R2Store(bucket!, 'registered/t', { name: 'BUCKET' }).put('a.json', bytes('A'));
    registerR2Binding('BUCKET', bucket!);
    try {
      const store = await resolveStore('r2://BUCKET/registered/t');
      expect(store.url).toBe('r2://BUCKET/registered/t');
      expect(store.capabilities.atomicCreate).toBe('native');
      expect(text(await store.get('a.json'))).toBe('A');
    } finally {
      unregisterR2Binding('BUCKET');
    }
  });
});

describe('R2Store configuration', () => {
  it('explains how to register a binding when an r2:// URL names an unknown one', async () => {
    const err = await resolveStore('r2://NOPE/tables/t').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toContain("registerR2Binding('NOPE', env.NOPE)");
    expect((err as Error).message).toContain("new R2Store(env.NOPE, 'tables/t')");
  });

  it('rejects storage options for r2:// URLs', async () => {
    await expect(resolveStore('r2://BUCKET/t', { aws_region: 'auto' })).rejects.toThrow(/r2:\/\/ takes no storage options/);
  });

  it('rejects something that is not a bucket binding, and parts smaller than R2 allows', () => {
    expect(() => new R2Store(undefined as unknown as R2BucketLike)).toThrow(StoreConfigError);
    expect(() => new R2Store({ put() {} } as unknown as R2BucketLike, '', { partSize: MiB })).toThrow(/5 MiB/);
  });

  it('names its URL after the binding and prefix', () => {
    const fake = { put() {} } as unknown as R2BucketLike;
    expect(new R2Store(fake, '/tables/events/', { name: 'BUCKET' }).url).toBe('r2://BUCKET/tables/events');
    expect(new R2Store(fake).url).toBe('r2://bucket');
  });
});

/** The binding's methods bound to it (miniflare's proxy methods need their receiver). */
function bucketMethods(b: R2BucketLike): R2BucketLike {
  return {
    head: (k) => b.head(k),
    get: (k, o) => b.get(k, o),
    put: (k, v, o) => b.put(k, v, o),
    list: (o) => b.list(o),
    delete: (k) => b.delete(k),
    createMultipartUpload: (k) => b.createMultipartUpload(k),
  };
}

/** Records the writes R2Store makes through the binding. */
function spy(b: R2BucketLike, calls: string[]): R2BucketLike {
  return {
    ...bucketMethods(b),
    put: (k, v, o) => {
      calls.push(`put ${k.split('/').pop()}`);
      return b.put(k, v, o);
    },
    createMultipartUpload: async (k) => {
      const u = await b.createMultipartUpload(k);
      return {
        uploadPart: (n, v) => {
          calls.push(`uploadPart ${n} ${(v as Uint8Array).byteLength}`);
          return u.uploadPart(n, v);
        },
        complete: (parts) => {
          calls.push(`complete ${parts.length}`);
          return u.complete(parts);
        },
        abort: () => {
          calls.push('abort');
          return u.abort();
        },
      };
    },
  };
}

/** Caps every listing page at `limit` objects, so that cursors are exercised with few keys. */
function pagesOf(b: R2BucketLike, limit: number): R2BucketLike {
  return { ...bucketMethods(b), list: (o) => b.list({ ...o, limit }) };
}

async function paths(it: AsyncIterable<ObjectMeta>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.path);
  return out;
}

async function* chunked(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let o = 0; o < data.byteLength; o += size) yield data.subarray(o, Math.min(o + size, data.byteLength));
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
