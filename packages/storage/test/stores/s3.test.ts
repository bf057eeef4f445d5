// Binds the object-store contract to the S3 adapter on a real Ceph RADOS Gateway (the only offline S3
// server that enforces If-None-Match: *), plus what is specific to S3: multipart uploads, suffix ranges,
// paged listings, batched deletes, an 8-writer create race, error mapping, and the ambiguity rule of a
// conditional PUT whose response is lost. Option parsing is tested without a server.
// Without RGW (binaries missing or start failed) the server tests are skipped with the reason printed.

import { createServer, type AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, StoreConfigError, StoreUnavailableError, resolveStore, type ObjectStore } from '../../src/index.js';
import { S3_OPTION_KEYS, S3Store, parseS3Config, s3StoreFromUrl, type S3StoreTuning } from '../../src/stores/s3.js';
import { describeObjectStoreContract } from '../contract.js';
import { createBucket, rgwStorageOptions, sharedRgw, type RgwServer } from '../servers/rgw.js';

const rgw = await sharedRgw();
const skip = rgw.skip;
if (skip !== undefined) console.warn(`[s3 tests] SKIPPED against Ceph RGW: ${skip}`);
else console.info(`[s3 tests] Ceph RGW at ${rgw.server.endpoint} (started in ${rgw.server.startMs} ms by the first S3 test file)`);
const server = rgw.server as RgwServer;
const options = skip === undefined ? rgwStorageOptions(server) : {};

const opened: ObjectStore[] = [];
afterAll(() => {
  for (const s of opened) if (s instanceof S3Store) s.client.destroy();
});

/** Opens through the public resolver, as the engine does. */
async function open(url: string, extra: Record<string, string> = {}): Promise<ObjectStore> {
  const store = await resolveStore(url, { ...options, ...extra });
  opened.push(store);
  return store;
}

/** Opens with tuning hooks (small pages, small parts, middleware). */
async function openTuned(url: string, tuning: S3StoreTuning, extra: Record<string, string> = {}): Promise<S3Store> {
  const store = await s3StoreFromUrl(new URL(url), { ...options, ...extra }, tuning);
  opened.push(store);
  return store;
}

let sharedBucket: Promise<string> | undefined;
let prefixSeq = 0;

describeObjectStoreContract('s3 on Ceph RGW (bucket root)', async () => open(`s3://${await createBucket(server, 'contract')}`), skip !== undefined ? { skip } : {});
describeObjectStoreContract(
  's3a on Ceph RGW (under a key prefix)',
  async () => {
    sharedBucket ??= createBucket(server, 'prefixed');
    return open(`s3a://${await sharedBucket}/tables/t${prefixSeq++}`);
  },
  skip !== undefined ? { skip } : {},
);

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.byteLength !== b.byteLength) return -2;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return i;
  return -1;
}

async function paths(it: AsyncIterable<{ path: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.path);
  return out;
}

/** The SDK's middleware stack, typed loosely (its generic types live in a package this one does not depend on). */
type AnyStack = { add(middleware: (next: any, context: any) => (args: any) => Promise<any>, options: Record<string, unknown>): void };

/** Counts the commands a store's client sends (each SDK attempt of them too, via `attempts`). */
function countCommands(store: S3Store): { commands: Record<string, number>; attempts: Record<string, number> } {
  const commands: Record<string, number> = {};
  const attempts: Record<string, number> = {};
  const stack = store.client.middlewareStack as unknown as AnyStack;
  stack.add(
    (next: any, context: any) => async (args: any) => {
      commands[context.commandName] = (commands[context.commandName] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  // The deserialize step runs once per attempt, inside the SDK's retry loop.
  stack.add(
    (next: any, context: any) => async (args: any) => {
      attempts[context.commandName] = (attempts[context.commandName] ?? 0) + 1;
      return next(args);
    },
    { step: 'deserialize', name: 'countAttempts' },
  );
  return { commands, attempts };
}

/**
 * Loses the response of the first conditional PutObject *after* the server processed it: the request
 * goes out, RGW stores the object, and the client sees a connection reset instead of the 200.
 */
function loseFirstConditionalPutResponse(store: S3Store): { lost: () => number } {
  let lost = 0;
  (store.client.middlewareStack as unknown as AnyStack).add(
    (next: any, context: any) => async (args: any) => {
      const result = await next(args);
      if (context.commandName === 'PutObjectCommand' && args.request?.headers?.['if-none-match'] === '*' && lost === 0) {
        lost++;
        throw Object.assign(new Error('read ECONNRESET (response lost after the server processed the request)'), { code: 'ECONNRESET', $metadata: {} });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseResponse', priority: 'low' },
  );
  return { lost: () => lost };
}

describe.skipIf(skip !== undefined)(`S3Store on Ceph RGW${skip !== undefined ? ` (skipped: ${skip})` : ''}`, () => {
  it('uploads a 12 MiB stream as a multipart upload and reads it back whole and in ranges', async () => {
    const bucket = await createBucket(server, 'multipart');
    const store = await openTuned(`s3://${bucket}/big`, {});
    const counts = countCommands(store);
    const data = pattern(12 * 1024 * 1024 + 123, 5);
    const buffer = new Uint8Array(64 * 1024);
    async function* chunks(): AsyncIterable<Uint8Array> {
      // One reused buffer: the adapter must copy what it keeps.
      for (let o = 0; o < data.byteLength; o += buffer.byteLength) {
        const n = Math.min(buffer.byteLength, data.byteLength - o);
        buffer.set(data.subarray(o, o + n));
        yield buffer.subarray(0, n);
      }
    }
    await store.putStream('data/part-0.parquet', chunks());
    expect(counts.commands).toMatchObject({ CreateMultipartUploadCommand: 1, UploadPartCommand: 2, CompleteMultipartUploadCommand: 1 });
    expect(counts.commands.PutObjectCommand).toBeUndefined();
    const meta = await store.head('data/part-0.parquet');
    expect(meta.size).toBe(data.byteLength);
    // A multipart ETag carries the part count.
    expect(meta.etag).toMatch(/-2"?$/);
    expect(firstDifference(await store.get('data/part-0.parquet'), data)).toBe(-1);
    // A range across the 8 MiB part boundary.
    const at = 8 * 1024 * 1024 - 10;
    expect(firstDifference(await store.get('data/part-0.parquet', { offset: at, length: 20 }), data.slice(at, at + 20))).toBe(-1);
    expect(await paths(store.list(''))).toEqual(['data/part-0.parquet']);
  });

  it('aborts the multipart upload when the source fails midway, leaving nothing behind', async () => {
    const bucket = await createBucket(server, 'abort');
    const store = await openTuned(`s3://${bucket}`, {});
    const counts = countCommands(store);
    async function* failing(): AsyncIterable<Uint8Array> {
      yield pattern(9 * 1024 * 1024, 1);
      throw new Error('source failed');
    }
    await expect(store.putStream('x.bin', failing())).rejects.toThrow('source failed');
    expect(counts.commands).toMatchObject({ CreateMultipartUploadCommand: 1, AbortMultipartUploadCommand: 1 });
    await expect(store.head('x.bin')).rejects.toBeInstanceOf(NotFoundError);
    expect(await paths(store.list(''))).toEqual([]);
  });

  it('reads a suffix range (bytes=-N) in one request, as a Parquet footer read does', async () => {
    const bucket = await createBucket(server, 'suffix');
    const store = await openTuned(`s3://${bucket}`, {});
    const data = pattern(1000, 9);
    await store.put('f.parquet', data);
    const counts = countCommands(store);
    expect(await store.getSuffix('f.parquet', 8)).toEqual(data.slice(992));
    expect(await store.getSuffix('f.parquet', 1)).toEqual(data.slice(999));
    // Longer than the object: the whole object.
    expect(await store.getSuffix('f.parquet', 5000)).toEqual(data);
    expect(counts.commands.GetObjectCommand).toBe(3);
    expect((await store.getSuffix('f.parquet', 0)).byteLength).toBe(0);
    await expect(store.getSuffix('missing.parquet', 8)).rejects.toBeInstanceOf(NotFoundError);
    // Ranges reaching past the end are cut; one starting past the end is empty.
    expect(await store.get('f.parquet', { offset: 990, length: 100 })).toEqual(data.slice(990));
    expect((await store.get('f.parquet', { offset: 1000, length: 10 })).byteLength).toBe(0);
  });

  it('lists across many pages with StartAfter and continuation tokens', async () => {
    const bucket = await createBucket(server, 'pages');
    const writer = await openTuned(`s3://${bucket}/t`, {});
    const keys = Array.from({ length: 23 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`);
    await Promise.all(keys.map((k) => writer.put(k, bytes(k))));
    await writer.put('_delta_log/_last_checkpoint', bytes('{}'));
    await (await openTuned(`s3://${bucket}`, {})).put('t-sibling', bytes('outside')); // beside the root, sharing its characters
    const store = await openTuned(`s3://${bucket}/t`, { listPageSize: 4 });
    const counts = countCommands(store);
    expect(await paths(store.list('_delta_log/'))).toEqual([...keys, '_delta_log/_last_checkpoint']);
    expect(counts.commands.ListObjectsV2Command).toBe(6);
    expect(await paths(store.list('_delta_log/', { startAfter: keys[17] }))).toEqual([...keys.slice(18), '_delta_log/_last_checkpoint']);
    expect(await paths(store.list('_delta_log/0000000000000000001'))).toEqual(keys.slice(10, 20));
    expect(await paths(store.list(''))).toHaveLength(24);
  });

  it('deletes in batches of 1000 keys and ignores missing ones', async () => {
    const bucket = await createBucket(server, 'batches');
    const store = await openTuned(`s3://${bucket}`, {});
    await Promise.all(['k/5', 'k/1500', 'k/2400'].map((k) => store.put(k, bytes(k))));
    await store.put('keep', bytes('x'));
    const counts = countCommands(store);
    await store.delete(Array.from({ length: 2500 }, (_, i) => `k/${i}`));
    expect(counts.commands.DeleteObjectsCommand).toBe(3);
    expect(await paths(store.list(''))).toEqual(['keep']);
  });

  it('lets exactly one of 8 writers (separate clients) create a key, round after round', async () => {
    const bucket = await createBucket(server, 'race');
    const writers = await Promise.all(Array.from({ length: 8 }, () => openTuned(`s3://${bucket}/tbl`, {})));
    for (let round = 0; round < 10; round++) {
      const key = `_delta_log/${String(round).padStart(20, '0')}.json`;
      const payloads = writers.map((_, w) => bytes(`{"commitInfo":{"round":${round},"writer":${w},"txnId":"${w}-${round}"}}\n`));
      const results = await Promise.allSettled(writers.map((s, w) => s.putIfAbsent(key, payloads[w]!)));
      const winners = results.flatMap((r, w) => (r.status === 'fulfilled' ? [w] : []));
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
      expect(dec.decode(await writers[0]!.get(key))).toBe(dec.decode(payloads[winners[0]!]!));
    }
    expect(await paths(writers[0]!.list('_delta_log/'))).toHaveLength(10);
  });

  it('reports a create whose response was lost as a success when the SDK retry then gets 412 (bytes read back are ours)', async () => {
    const bucket = await createBucket(server, 'lost');
    const store = await openTuned(`s3://${bucket}`, {});
    const lost = loseFirstConditionalPutResponse(store);
    const counts = countCommands(store);
    const ours = bytes('{"commitInfo":{"txnId":"ours"}}\n');
    await store.putIfAbsent('_delta_log/00000000000000000000.json', ours);
    expect(lost.lost()).toBe(1);
    // First attempt landed (response lost), the SDK's retry got 412, the read-back found our bytes.
    expect(counts.attempts.PutObjectCommand).toBe(2);
    expect(counts.commands.GetObjectCommand).toBe(1);
    expect(await store.get('_delta_log/00000000000000000000.json')).toEqual(ours);
    // The next create of that key is a plain loss: a 412 to a first attempt needs no read-back.
    const reads = counts.commands.GetObjectCommand;
    await expect(store.putIfAbsent('_delta_log/00000000000000000000.json', bytes('other'))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(counts.commands.GetObjectCommand).toBe(reads);
  });

  it('reports a create whose response was lost as a success without SDK retries too', async () => {
    const bucket = await createBucket(server, 'lost1');
    const store = await openTuned(`s3://${bucket}`, { maxAttempts: 1 });
    const lost = loseFirstConditionalPutResponse(store);
    const counts = countCommands(store);
    const ours = bytes('{"commitInfo":{"txnId":"single-attempt"}}\n');
    await store.putIfAbsent('v.json', ours);
    expect(lost.lost()).toBe(1);
    expect(counts.attempts.PutObjectCommand).toBe(1);
    expect(await store.get('v.json')).toEqual(ours);
  });

  it("reports a lost create as AlreadyExistsError when the bytes read back are a rival's", async () => {
    const bucket = await createBucket(server, 'rival');
    const rival = await openTuned(`s3://${bucket}`, {});
    await rival.putIfAbsent('v.json', bytes('rival'));
    const store = await openTuned(`s3://${bucket}`, { maxAttempts: 1 });
    // Drop the 412 itself: the outcome is unknown to the client until it reads the object back.
    (store.client.middlewareStack as unknown as AnyStack).add(
      (next: any) => async (args: any) => {
        try {
          return await next(args);
        } catch {
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });
        }
      },
      // High priority: outside the deserializer, so the 412 it raises is what gets replaced.
      { step: 'deserialize', name: 'hideAnswer', priority: 'high' },
    );
    await expect(store.putIfAbsent('v.json', bytes('ours'))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(dec.decode(await store.get('v.json'))).toBe('rival');
  });

  it('retries a create answered 409 ConditionalRequestConflict while the key is still absent, landing once', async () => {
    const bucket = await createBucket(server, 'conflict');
    const store = await openTuned(`s3://${bucket}`, {});
    let injected = 0;
    (store.client.middlewareStack as unknown as AnyStack).add(
      (next: any, context: any) => async (args: any) => {
        if (context.commandName === 'PutObjectCommand' && injected === 0) {
          injected++;
          throw Object.assign(new Error('A conflicting operation occurred'), { name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409, attempts: 1 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'conflict409' },
    );
    await store.putIfAbsent('c.json', bytes('mine'));
    expect(injected).toBe(1);
    expect(dec.decode(await store.get('c.json'))).toBe('mine');
  });

  it('maps bad credentials and a missing bucket to StoreConfigError naming the URL, a dead endpoint to StoreUnavailableError', async () => {
    const bucket = await createBucket(server, 'errors');
    const badKey = await open(`s3://${bucket}/t`, { aws_secret_access_key: 'wrong-secret' });
    const e1 = await badKey.get('x').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(StoreConfigError);
    expect((e1 as Error).message).toContain(`s3://${bucket}/t/x`);
    expect((e1 as Error).message).toMatch(/aws_secret_access_key/);
    const unknownKey = await open(`s3://${bucket}`, { aws_access_key_id: 'NOSUCHKEY' });
    await expect(unknownKey.put('x', bytes('x'))).rejects.toBeInstanceOf(StoreConfigError);

    const noBucket = await open('s3://no-such-bucket-duckrun/t');
    const e2 = await (async () => {
      for await (const _ of noBucket.list('_delta_log/')) void _;
    })().catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(StoreConfigError);
    expect((e2 as Error).message).toMatch(/s3:\/\/no-such-bucket-duckrun\/t.*bucket "no-such-bucket-duckrun" does not exist/);
    await expect(noBucket.putIfAbsent('v.json', bytes('x'))).rejects.toBeInstanceOf(StoreConfigError);

    // A loopback port nobody listens on (just released by us).
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const dead = await openTuned(`s3://${bucket}`, { maxAttempts: 2 }, { aws_endpoint: `http://127.0.0.1:${closedPort}` });
    const e3 = await dead.get('x').catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(StoreUnavailableError);
    expect((e3 as Error).message).toContain(`s3://${bucket}/x`);
    // An unconfirmable create is never reported as won or lost.
    await expect(dead.putIfAbsent('v.json', bytes('x'))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('roots a store at its key prefix: siblings sharing the characters stay invisible', async () => {
    const bucket = await createBucket(server, 'roots');
    const root = await open(`s3://${bucket}`);
    await root.put('tab/in.json', bytes('1'));
    await root.put('table/out.json', bytes('2'));
    await root.put('tab', bytes('3'));
    const scoped = await open(`s3://${bucket}/tab/`);
    expect(scoped.url).toBe(`s3://${bucket}/tab`);
    expect(await paths(scoped.list(''))).toEqual(['in.json']);
    expect(dec.decode(await scoped.get('in.json'))).toBe('1');
    // Percent-encoded URL paths are decoded into keys.
    await root.put('my table/x.json', bytes('4'));
    expect(await paths((await open(`s3://${bucket}/my%20table`)).list(''))).toEqual(['x.json']);
  });
});

describe('S3 options (no server)', () => {
  const url = new URL('s3://bucket/path/to/table');

  it('rejects unknown option keys, listing the valid ones', async () => {
    const e = await resolveStore('s3://bucket/t', { aws_region: 'eu-west-1', aws_acess_key_id: 'typo' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreConfigError);
    expect((e as Error).message).toContain('aws_acess_key_id');
    for (const k of S3_OPTION_KEYS) expect((e as Error).message).toContain(k);
    expect((e as Error).message).toContain('s3://bucket/t');
  });

  it('refuses a plain-http endpoint unless aws_allow_http=true', () => {
    expect(() => parseS3Config(url, { aws_endpoint: 'http://127.0.0.1:9000' }, {})).toThrow(/aws_allow_http=true/);
    expect(() => parseS3Config(url, { aws_endpoint: 'http://127.0.0.1:9000' }, {})).toThrow(StoreConfigError);
    const c = parseS3Config(url, { aws_endpoint: 'http://127.0.0.1:9000/', aws_allow_http: 'true' }, {});
    expect(c.endpoint).toBe('http://127.0.0.1:9000');
    expect(c.forcePathStyle).toBe(true); // custom endpoints default to path style
    expect(() => parseS3Config(url, { aws_endpoint: 'ftp://x' }, {})).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseS3Config(url, { aws_endpoint: 'not a url' }, {})).toThrow(/not a URL/);
    expect(() => parseS3Config(url, { aws_allow_http: 'maybe' }, {})).toThrow(/aws_allow_http must be true or false/);
  });

  it('resolves bucket, prefix and url from s3:// and s3a:// URLs', () => {
    const c = parseS3Config(new URL('s3a://my-bucket/a%20b/c/'), {}, {});
    expect(c).toMatchObject({ bucket: 'my-bucket', prefix: 'a b/c', url: 's3a://my-bucket/a%20b/c', region: 'us-east-1', regionDefaulted: true, forcePathStyle: false });
    expect(c.credentials).toBeUndefined();
    expect(parseS3Config(new URL('s3://b'), {}, {})).toMatchObject({ bucket: 'b', prefix: '', url: 's3://b' });
    expect(() => parseS3Config(new URL('s3:///x'), {}, {})).toThrow(/no bucket/);
    expect(() => parseS3Config(new URL('s3://b/x?versionId=1'), {}, {})).toThrow(/no \?query/);
  });

  it('takes credentials, region and endpoint from options, case-insensitively, and from AWS_* variables as fallback', () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'ENVKEY',
      AWS_SECRET_ACCESS_KEY: 'envsecret',
      AWS_SESSION_TOKEN: 'envtoken',
      AWS_DEFAULT_REGION: 'eu-central-1',
      AWS_ENDPOINT_URL: 'https://s3.example.test',
    };
    const fromEnv = parseS3Config(url, {}, env);
    expect(fromEnv).toMatchObject({
      region: 'eu-central-1',
      regionDefaulted: false,
      endpoint: 'https://s3.example.test',
      credentials: { accessKeyId: 'ENVKEY', secretAccessKey: 'envsecret', sessionToken: 'envtoken' },
    });
    expect(parseS3Config(url, {}, { ...env, AWS_REGION: 'us-west-2' }).region).toBe('us-west-2');
    const fromOptions = parseS3Config(
      url,
      { AWS_ACCESS_KEY_ID: 'OPTKEY', aws_secret_access_key: 'optsecret', aws_region: 'ap-south-1', aws_endpoint_url: 'https://minio.test', aws_force_path_style: 'false' },
      env,
    );
    expect(fromOptions).toMatchObject({ region: 'ap-south-1', endpoint: 'https://minio.test', forcePathStyle: false });
    // Options win over the environment, including the session token of the environment's key.
    expect(fromOptions.credentials).toMatchObject({ accessKeyId: 'OPTKEY', secretAccessKey: 'optsecret' });
    expect(parseS3Config(url, { aws_virtual_hosted_style_request: 'true', aws_endpoint: 'https://x.test' }, {}).forcePathStyle).toBe(false);
    expect(() => parseS3Config(url, { aws_virtual_hosted_style_request: 'true', aws_force_path_style: 'true' }, {})).toThrow(/contradicts/);
  });

  it('reads the real process environment when no environment is passed', () => {
    const saved = { ...process.env };
    try {
      process.env.AWS_ACCESS_KEY_ID = 'PROCKEY';
      process.env.AWS_SECRET_ACCESS_KEY = 'procsecret';
      process.env.AWS_REGION = 'sa-east-1';
      delete process.env.AWS_DEFAULT_REGION;
      delete process.env.AWS_SESSION_TOKEN;
      const c = parseS3Config(url, {});
      expect(c.region).toBe('sa-east-1');
      expect(c.credentials).toEqual({ accessKeyId: 'PROCKEY', secretAccessKey: 'procsecret' });
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('requires the key id and secret together, and a session token only with both', () => {
    expect(() => parseS3Config(url, { aws_access_key_id: 'A' }, {})).toThrow(/aws_secret_access_key is missing/);
    expect(() => parseS3Config(url, { aws_secret_access_key: 'S' }, {})).toThrow(/aws_access_key_id is missing/);
    expect(() => parseS3Config(url, { aws_session_token: 'T' }, {})).toThrow(/aws_session_token needs/);
  });

  it('opens a store without contacting the server (the SDK connects on the first request)', async () => {
    const store = await resolveStore('s3://bucket/t/', { aws_region: 'eu-west-1', aws_access_key_id: 'A', aws_secret_access_key: 'S' });
    expect(store.url).toBe('s3://bucket/t');
    expect(store.capabilities).toEqual({ atomicCreate: 'native', rangeReads: true, multipartUpload: true });
    (store as S3Store).client.destroy();
  });
});
