// The GCS adapter against the in-repo fake of the GCS JSON API ("fake GCS"). No offline GCS emulator
// enforces ifGenerationMatch, so these tests prove the adapter's requests (preconditions, ranges, listing
// pagination, upload protocols) and its error mapping against answers written to the JSON API docs; they
// do not prove Google's server semantics. gcs-live.test.ts, run against a real bucket, is the only proof.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlreadyExistsError, NotFoundError, StoreConfigError, StoreUnavailableError, resolveStore, type ObjectStore } from '../../src/index.js';
import { GcsStore, resolveGcsConfig, type GcsStoreConfig } from '../../src/stores/gcs.js';
import { describeObjectStoreContract } from '../contract.js';
import { startFakeGcs, type FakeGcs, type RecordedRequest } from '../servers/fake-gcs.js';

let fake: FakeGcs;
let n = 0;
beforeAll(async () => {
  fake = await startFakeGcs();
});
afterAll(async () => {
  await fake?.close();
});

function freshBucket(): string {
  const b = `bucket-${++n}`;
  fake.createBucket(b);
  return b;
}

const endpoint = (): { google_storage_endpoint: string } => ({ google_storage_endpoint: fake.endpoint });

/** A store on a fresh bucket with short retry delays (tests inject failures). */
async function fastStore(url = `gs://${freshBucket()}`, extra: Partial<GcsStoreConfig> = {}): Promise<GcsStore> {
  const config = await resolveGcsConfig(new URL(url), endpoint());
  return GcsStore.open({ ...config, retry: { maxRetries: 3, maxRetryDelaySeconds: 1 }, ...extra });
}

/** Requests the fake saw for `bucket` since `from`. */
function seen(bucket: string, from = 0): RecordedRequest[] {
  return fake.requests.slice(from).filter((r) => r.bucket === bucket);
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const isUpload = (r: RecordedRequest): boolean => ['media', 'multipart', 'resumable', 'resumable-chunk'].includes(r.kind);

describeObjectStoreContract('fake GCS', async () => resolveStore(`gs://${freshBucket()}`, endpoint()));
describeObjectStoreContract('fake GCS (under a key prefix)', async () => resolveStore(`gs://${freshBucket()}/some/table`, endpoint()));

describe('GCS adapter request shapes (fake GCS)', () => {
  it('sends every putIfAbsent as one multipart upload carrying ifGenerationMatch=0', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}/t`, endpoint());
    await store.putIfAbsent('_delta_log/00000000000000000000.json', bytes('{"commitInfo":{}}'));
    const uploads = seen(bucket).filter(isUpload);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ method: 'POST', kind: 'multipart', status: 200, query: { uploadType: 'multipart', ifGenerationMatch: '0' } });
    expect(fake.object(bucket, 't/_delta_log/00000000000000000000.json')?.data.toString()).toBe('{"commitInfo":{}}');
  });

  it('turns a 412 conditionNotMet into AlreadyExistsError naming the object, after reading the winner back', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}`, endpoint());
    await store.putIfAbsent('k.json', bytes('winner'));
    const from = fake.requests.length;
    const err = await store.putIfAbsent('k.json', bytes('loser')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as Error).message).toBe(`object gs://${bucket}/k.json already exists`);
    const after = seen(bucket, from);
    expect(after.map((r) => [r.kind, r.status])).toEqual([
      ['multipart', 412],
      ['download', 200],
    ]);
    expect(after[0]!.query['ifGenerationMatch']).toBe('0');
    expect(fake.object(bucket, 'k.json')?.data.toString()).toBe('winner');
  });

  it('reports success when the response to a landed create is lost and the SDK retry gets 412', async () => {
    const bucket = freshBucket();
    const store = await fastStore(`gs://${bucket}`);
    fake.inject({ match: (r) => r.bucket === bucket && r.kind === 'multipart', action: 'drop-after' });
    await store.putIfAbsent('_delta_log/00000000000000000001.json', bytes('ours'));
    const uploads = seen(bucket).filter(isUpload);
    // The first attempt landed but its answer was cut; the SDK retried the conditional upload by itself.
    expect(uploads.map((r) => [r.status, r.query['ifGenerationMatch']])).toEqual([
      ['dropped', '0'],
      [412, '0'],
    ]);
    const obj = fake.object(bucket, '_delta_log/00000000000000000001.json')!;
    expect(obj.data.toString()).toBe('ours');
  });

  it("reports AlreadyExistsError when a lost-response create was not ours (a rival's bytes are there)", async () => {
    const bucket = freshBucket();
    const store = await fastStore(`gs://${bucket}`);
    await store.put('v.json', bytes('rival'));
    fake.inject({ match: (r) => r.bucket === bucket && r.kind === 'multipart', action: 'drop-before' });
    await expect(store.putIfAbsent('v.json', bytes('mine'))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(fake.object(bucket, 'v.json')?.data.toString()).toBe('rival');
  });

  it('retries a create that failed with 503 before landing, and creates the object once', async () => {
    const bucket = freshBucket();
    const store = await fastStore(`gs://${bucket}`);
    fake.inject({ match: (r) => r.bucket === bucket && r.kind === 'multipart', action: 503, times: 2 });
    await store.putIfAbsent('c.json', bytes('x'));
    expect(seen(bucket).filter(isUpload).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('lets exactly one of 8 concurrent writers win, every one asking ifGenerationMatch=0', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}/race`, endpoint());
    const key = '_delta_log/00000000000000000003.json';
    const payloads = Array.from({ length: 8 }, (_, i) => bytes(`{"commitInfo":{"txnId":"writer-${i}"}}`));
    const results = await Promise.allSettled(payloads.map((p) => store.putIfAbsent(key, p)));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
    const uploads = seen(bucket).filter(isUpload);
    expect(uploads).toHaveLength(8);
    expect(uploads.every((r) => r.query['ifGenerationMatch'] === '0')).toBe(true);
    expect(uploads.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
    expect(dec.decode(await store.get(key))).toBe(dec.decode(payloads[winners[0]!]!));
  });

  it('sends plain puts as multipart uploads without a precondition', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}`, endpoint());
    await store.put('p.bin', bytes('abc'));
    const [upload] = seen(bucket).filter(isUpload);
    expect(upload).toMatchObject({ kind: 'multipart', status: 200 });
    expect(upload!.query['ifGenerationMatch']).toBeUndefined();
  });

  it('reads ranges with a Range header and whole objects without one', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}`, endpoint());
    const data = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    await store.put('r.bin', data);
    const from = fake.requests.length;
    expect(await store.get('r.bin', { offset: 123, length: 456 })).toEqual(data.slice(123, 579));
    expect(await store.get('r.bin')).toEqual(data);
    expect(await store.get('r.bin', { offset: 990, length: 100 })).toEqual(data.slice(990));
    expect((await store.get('r.bin', { offset: 1000, length: 5 })).byteLength).toBe(0);
    const reads = seen(bucket, from).filter((r) => r.kind === 'download');
    expect(reads.map((r) => [r.headers['range'], r.status])).toEqual([
      ['bytes=123-578', 206],
      [undefined, 200],
      ['bytes=990-1089', 206],
      ['bytes=1000-1004', 416],
    ]);
  });

  it('lists with prefix, startOffset (inclusive, filtered to strictly after) and pageToken pagination', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}/tbl`, endpoint());
    const keys = Array.from({ length: 12 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`);
    for (const k of keys) await store.put(k, bytes(k));
    await store.put('part-0.parquet', bytes('p'));
    fake.maxPageSize = 5;
    try {
      const from = fake.requests.length;
      const got: string[] = [];
      for await (const m of store.list('_delta_log/', { startAfter: keys[3]! })) got.push(m.path);
      expect(got).toEqual(keys.slice(4));
      const lists = seen(bucket, from).filter((r) => r.kind === 'list');
      expect(lists).toHaveLength(2);
      expect(lists[0]!.query).toMatchObject({ prefix: 'tbl/_delta_log/', startOffset: `tbl/${keys[3]}`, maxResults: '1000' });
      expect(lists[0]!.query['pageToken']).toBeUndefined();
      expect(lists[1]!.query['pageToken']).toEqual(expect.any(String));
      expect(lists[1]!.query['startOffset']).toBe(`tbl/${keys[3]}`);
    } finally {
      fake.maxPageSize = 1000;
    }
  });

  it('reports sizes, modification times and generations from listings and head', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}`, endpoint());
    await store.put('m.bin', bytes('12345'));
    const head = await store.head('m.bin');
    const [listed] = await collect(store.list(''));
    expect(head).toMatchObject({ path: 'm.bin', size: 5, etag: String(fake.object(bucket, 'm.bin')!.generation) });
    expect(Math.abs(head.lastModified - Date.now())).toBeLessThan(60_000);
    expect(listed).toEqual(head);
  });

  it('deletes with one DELETE per key and treats 404 as done', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}`, endpoint());
    await store.put('a', bytes('1'));
    const from = fake.requests.length;
    await store.delete(['a', 'gone']);
    expect(seen(bucket, from).map((r) => [r.method, r.object, r.status]).sort()).toEqual([
      ['DELETE', 'a', 204],
      ['DELETE', 'gone', 404],
    ]);
  });

  it('uploads large streams as a resumable upload in 256 KiB-multiple chunks', async () => {
    const bucket = freshBucket();
    const store = await fastStore(`gs://${bucket}`, { simpleUploadLimit: 100_000, uploadChunkSize: 256 * 1024 });
    const total = 700_001;
    const data = Uint8Array.from({ length: total }, (_, i) => (i * 7) % 256);
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let o = 0; o < total; o += 10_000) yield data.subarray(o, Math.min(total, o + 10_000));
    }
    await store.putStream('big.bin', chunks());
    const uploads = seen(bucket).filter(isUpload);
    expect(uploads[0]).toMatchObject({ method: 'POST', kind: 'resumable', query: { uploadType: 'resumable', name: 'big.bin' }, status: 200 });
    const puts = uploads.slice(1);
    expect(puts.map((r) => [r.headers['content-range'], r.status])).toEqual([
      ['bytes 0-262143/*', 308],
      ['bytes 262144-524287/*', 308],
      [`bytes 524288-${total - 1}/${total}`, 200],
    ]);
    expect(Buffer.compare(fake.object(bucket, 'big.bin')!.data, Buffer.from(data))).toBe(0);
  });

  it('resumes a resumable upload after a chunk fails with 503', async () => {
    const bucket = freshBucket();
    const store = await fastStore(`gs://${bucket}`, { simpleUploadLimit: 1000, uploadChunkSize: 256 * 1024 });
    const data = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 13) % 256);
    let first = true;
    fake.inject({ match: (r) => r.bucket === bucket && r.kind === 'resumable-chunk' && !(first = !first), action: 503 });
    await store.putStream('r.bin', (async function* () {
      yield data;
    })());
    expect(seen(bucket).filter((r) => r.kind === 'resumable-chunk').some((r) => r.status === 503)).toBe(true);
    expect(Buffer.compare(fake.object(bucket, 'r.bin')!.data, Buffer.from(data))).toBe(0);
  });

  it('leaves no object when the source of a resumable upload fails after chunks were sent', async () => {
    const bucket = freshBucket();
    const store = await fastStore(`gs://${bucket}`, { simpleUploadLimit: 1000, uploadChunkSize: 256 * 1024 });
    async function* failing(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 40; i++) yield new Uint8Array(20_000).fill(i);
      throw new Error('source failed');
    }
    await expect(store.putStream('half.bin', failing())).rejects.toThrow('source failed');
    expect(seen(bucket).some((r) => r.kind === 'resumable-chunk' && r.status === 308)).toBe(true);
    expect(fake.object(bucket, 'half.bin')).toBeUndefined();
    await expect(store.get('half.bin')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('maps a missing bucket to StoreConfigError naming the URL', async () => {
    const store = await resolveStore('gs://no-such-bucket/t', endpoint());
    for (const op of [() => store.get('x'), () => store.put('x', bytes('1')), () => collect(store.list('')), () => store.putIfAbsent('x', bytes('1'))]) {
      const err = await op().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConfigError);
      expect((err as Error).message).toMatch(/gs:\/\/no-such-bucket\/t.*bucket "no-such-bucket" does not exist/);
    }
  });

  it('maps 401 and 403 to StoreConfigError that names the URL and the credential options', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}`, endpoint());
    fake.requireToken = 'secret';
    try {
      const err = await store.get('x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConfigError);
      expect((err as Error).message).toMatch(new RegExp(`cannot read gs://${bucket}/x: access denied \\(HTTP 401.*google_service_account`));
      const err2 = await store.putIfAbsent('y', bytes('1')).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(StoreConfigError);
    } finally {
      fake.requireToken = undefined;
    }
  });

  it('gives up on a store that keeps failing with StoreUnavailableError after the retries', async () => {
    const bucket = freshBucket();
    const store = await fastStore(`gs://${bucket}`, { retry: { maxRetries: 1, maxRetryDelaySeconds: 1 } });
    fake.inject({ match: (r) => r.bucket === bucket, action: 503, times: 1000 });
    const err = await store.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(new RegExp(`cannot read gs://${bucket}/x: HTTP 503`));
    expect(seen(bucket).length).toBe(2); // the first attempt and one retry
    const err2 = await store.put('y', bytes('1')).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(StoreUnavailableError);
    const err3 = await store.putIfAbsent('z', bytes('1')).catch((e: unknown) => e);
    expect(err3).toBeInstanceOf(StoreUnavailableError);
    expect((err3 as Error).message).toMatch(new RegExp(`gs://${bucket}/z: create-if-absent could not be confirmed`));
  });

  it('serves suffix ranges (bytes=-N) itself, as GCS does, though the adapter never needs them', async () => {
    const bucket = freshBucket();
    const store = await resolveStore(`gs://${bucket}`, endpoint());
    await store.put('f.parquet', bytes('0123456789'));
    const res = await fetch(`${fake.endpoint}/storage/v1/b/${bucket}/o/f.parquet?alt=media`, { headers: { range: 'bytes=-4' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 6-9/10');
    expect(await res.text()).toBe('6789');
  });
});

describe('GCS storage options (fake GCS)', () => {
  const url = new URL('gs://bkt/path/to/table');

  it('rejects unknown keys, listing the valid ones', async () => {
    const err = await resolveGcsConfig(url, { google_service_acount: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(/unknown storage option\(s\) google_service_acount for gs:\/\/bkt\/path\/to\/table; valid GCS options are .*google_service_account.*google_storage_endpoint/);
    await expect(resolveStore('gs://bkt/t', { aws_region: 'us-east-1' })).rejects.toThrow(/unknown storage option\(s\) aws_region/);
  });

  it('parses bucket and prefix from the URL and checks google_bucket against it', async () => {
    expect(await resolveGcsConfig(url, {})).toMatchObject({ bucket: 'bkt', prefix: 'path/to/table', url: 'gs://bkt/path/to/table' });
    expect(await resolveGcsConfig(url, { google_bucket: 'bkt' })).toMatchObject({ bucket: 'bkt' });
    expect(await resolveGcsConfig(url, { GOOGLE_STORAGE_ENDPOINT: 'http://127.0.0.1:9' })).toMatchObject({ endpoint: 'http://127.0.0.1:9' });
    expect(await resolveGcsConfig(new URL('gs://bkt/my%20table/'), {})).toMatchObject({ prefix: 'my table', url: 'gs://bkt/my%20table' });
    await expect(resolveGcsConfig(url, { google_bucket: 'other' })).rejects.toThrow(/google_bucket=other contradicts the bucket "bkt" of gs:\/\/bkt/);
    expect((await resolveStore('gs://bkt/a/b/', endpoint())).url).toBe('gs://bkt/a/b');
  });

  it('accepts an http endpoint on loopback, and elsewhere only with google_allow_http', async () => {
    expect(await resolveGcsConfig(url, { gcs_endpoint: 'http://127.0.0.1:4443/' })).toMatchObject({ endpoint: 'http://127.0.0.1:4443' });
    await expect(resolveGcsConfig(url, { google_storage_endpoint: 'http://gcs.internal:80' })).rejects.toThrow(/plain http to a remote host; set google_allow_http=true/);
    expect(await resolveGcsConfig(url, { google_storage_endpoint: 'http://gcs.internal:80', google_allow_http: 'true' })).toMatchObject({ endpoint: 'http://gcs.internal' });
    await expect(resolveGcsConfig(url, { google_storage_endpoint: 'not a url' })).rejects.toThrow(StoreConfigError);
    await expect(resolveGcsConfig(url, { google_allow_http: 'maybe' })).rejects.toThrow(/google_allow_http=maybe .* must be true or false/);
  });

  it('reads a service-account key from google_service_account_key or a file path', async () => {
    const key = { type: 'service_account', project_id: 'p', client_email: 'x@p.iam.gserviceaccount.com', private_key: 'not-a-real-key' };
    expect((await resolveGcsConfig(url, { google_service_account_key: JSON.stringify(key) })).credentials).toEqual(key);
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'gcs-sa-'));
    try {
      const file = join(dir, 'sa.json');
      await writeFile(file, JSON.stringify(key));
      for (const k of ['google_service_account', 'service_account', 'google_service_account_path', 'google_application_credentials']) {
        expect((await resolveGcsConfig(url, { [k]: file })).credentials).toEqual(key);
      }
      await expect(resolveGcsConfig(url, { google_service_account: join(dir, 'missing.json') })).rejects.toThrow(/cannot read the service-account file .*missing\.json \(google_service_account\) for gs:\/\/bkt/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(resolveGcsConfig(url, { service_account_key: '{not json' })).rejects.toThrow(/service_account_key for gs:\/\/bkt\/path\/to\/table is not valid JSON/);
    await expect(resolveGcsConfig(url, { service_account_key: '{"a":1}' })).rejects.toThrow(/not a Google credentials JSON/);
  });

  it('falls back to environment variables, with options taking precedence', async () => {
    vi.stubEnv('GOOGLE_STORAGE_ENDPOINT', 'http://127.0.0.1:1');
    vi.stubEnv('GOOGLE_SERVICE_ACCOUNT_KEY', '{"type":"service_account","project_id":"env"}');
    try {
      const c = await resolveGcsConfig(url, {});
      expect(c).toMatchObject({ endpoint: 'http://127.0.0.1:1', credentials: { project_id: 'env' } });
      expect(await resolveGcsConfig(url, { google_storage_endpoint: 'http://127.0.0.1:2' })).toMatchObject({ endpoint: 'http://127.0.0.1:2' });
      vi.stubEnv('GOOGLE_SERVICE_ACCOUNT_KEY', '{oops');
      await expect(resolveGcsConfig(url, {})).rejects.toThrow(/environment variable GOOGLE_SERVICE_ACCOUNT_KEY for gs:\/\/bkt\/path\/to\/table is not valid JSON/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('opens a store without contacting anything (credentials are used on the first request)', async () => {
    const from = fake.requests.length;
    const store: ObjectStore = await resolveStore('gs://lazy-bucket/t', { google_service_account_key: '{"type":"service_account","project_id":"p"}' });
    expect(store.url).toBe('gs://lazy-bucket/t');
    expect(store.capabilities.atomicCreate).toBe('native');
    expect(fake.requests.length).toBe(from);
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
