// S3 and S3-compatible stores (AWS, Ceph RGW, MinIO, R2's S3 API, …) through @aws-sdk/client-s3.
// The SDK is an optional peer loaded on first use, so importing @duckrun/storage never pulls it in.
// Atomic create is PutObject with `If-None-Match: *`; the ambiguity of a retried or lost conditional PUT
// is settled by reading the object back (conditional-put.ts).

import type * as S3Sdk from '@aws-sdk/client-s3';
import { AlreadyExistsError, DuckrunError, NotFoundError, StoreConfigError, StoreUnavailableError } from '../errors.js';
import { joinKey, type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore, type StoreCapabilities } from '../object-store.js';
import type { StorageOptions } from '../url.js';
import { putIfAbsentSafely } from './conditional-put.js';
import { parseS3Config, type S3Config } from './s3/options.js';

export { S3_OPTION_KEYS, parseS3Config, type S3Config } from './s3/options.js';

type Sdk = typeof S3Sdk;

/** S3's per-request limit of DeleteObjects. */
const DELETE_BATCH = 1000;
/** S3 allows at most 10,000 parts per multipart upload. */
const MAX_PARTS = 10_000;
/** Below this a putStream is a single PutObject; each multipart part (but the last) is at least this big. */
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3's minimum size of a non-final part. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Parts uploaded concurrently by one putStream (bounds memory at about this many parts). */
const PART_CONCURRENCY = 4;
/** Attempts per request, first one included, for transient failures (throttling, 5xx, resets). */
const DEFAULT_MAX_ATTEMPTS = 5;

/** Tuning and test hooks beyond the storage options (not part of the public API). */
export interface S3StoreTuning {
  /** Multipart threshold and part size in bytes (≥ 5 MiB). */
  readonly partSize?: number;
  /** MaxKeys of each ListObjectsV2 page (the server's default, 1000, when absent). */
  readonly listPageSize?: number;
  /** Attempts per request including the first. */
  readonly maxAttempts?: number;
  /** Extra S3Client settings (e.g. a custom requestHandler), applied last. */
  readonly clientConfig?: Partial<S3Sdk.S3ClientConfig>;
}

let sdkPromise: Promise<Sdk> | undefined;

/** Loads @aws-sdk/client-s3 once, with an actionable error when the optional peer is not installed. */
async function loadSdk(where: string): Promise<Sdk> {
  sdkPromise ??= import('@aws-sdk/client-s3').catch((e: unknown) => {
    sdkPromise = undefined;
    throw e;
  });
  try {
    return await sdkPromise;
  } catch (e) {
    throw new StoreConfigError(`cannot open ${where}: s3:// locations need the optional package @aws-sdk/client-s3; install it next to duckrun (npm install @aws-sdk/client-s3)`, { cause: e });
  }
}

/** Opens the store for an `s3://` or `s3a://` URL (bucket plus optional key prefix). */
export async function s3StoreFromUrl(url: URL, options: StorageOptions, tuning: S3StoreTuning = {}): Promise<S3Store> {
  const config = parseS3Config(url, options);
  const sdk = await loadSdk(config.url);
  return new S3Store(sdk, config, tuning);
}

/** An ObjectStore over one S3 bucket, rooted at a key prefix. */
export class S3Store implements ObjectStore {
  readonly capabilities: StoreCapabilities = { atomicCreate: 'native', rangeReads: true, multipartUpload: true };
  readonly url: string;
  /** The SDK client (exposed for tests that add middleware). */
  readonly client: S3Sdk.S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly listPageSize: number | undefined;

  constructor(
    private readonly sdk: Sdk,
    private readonly config: S3Config,
    tuning: S3StoreTuning = {},
  ) {
    this.url = config.url;
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.partSize = Math.max(MIN_PART_SIZE, tuning.partSize ?? DEFAULT_PART_SIZE);
    this.listPageSize = tuning.listPageSize;
    this.client = new sdk.S3Client({
      region: config.region,
      ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials !== undefined ? { credentials: config.credentials } : {}),
      // Only AWS redirects a wrong region usefully; follow it when the user gave none.
      followRegionRedirects: config.regionDefaulted && config.endpoint === undefined,
      maxAttempts: tuning.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'standard',
      // Newer SDKs add CRC checksums (and aws-chunked uploads) by default, which many S3-compatible servers
      // reject or ignore; send them only where the API requires one (DeleteObjects).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Bound a dead connection; the retry policy then takes over (idempotent calls) or putIfAbsentSafely does.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
      ...tuning.clientConfig,
    });
  }

  async get(path: string, range?: ByteRange): Promise<Uint8Array> {
    if (range !== undefined) {
      if (range.length === 0) {
        // S3 has no empty range; a HEAD keeps "missing key → NotFoundError".
        await this.head(path);
        return new Uint8Array(0);
      }
      return this.getRange(path, `bytes=${range.offset}-${range.offset + range.length - 1}`, range.offset, range.length);
    }
    return this.getRange(path, undefined, 0, undefined);
  }

  /** Reads the last `length` bytes with a suffix range (`bytes=-N`), one request without knowing the size. */
  async getSuffix(path: string, length: number): Promise<Uint8Array> {
    if (length <= 0) {
      await this.head(path);
      return new Uint8Array(0);
    }
    return this.getRange(path, `bytes=-${length}`, -length, length);
  }

  private async getRange(path: string, header: string | undefined, offset: number, length: number | undefined): Promise<Uint8Array> {
    const key = this.key(path);
    let out: S3Sdk.GetObjectCommandOutput;
    try {
      out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: key, ...(header ? { Range: header } : {}) }));
    } catch (e) {
      // Past the end: S3 answers 416; the contract (like slicing) gives the empty tail.
      if (header !== undefined && statusOf(e) === 416) {
        await this.head(path);
        return new Uint8Array(0);
      }
      throw this.mapError(e, 'read', path);
    }
    let body: Uint8Array;
    try {
      body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
    } catch (e) {
      throw this.mapError(e, 'read', path);
    }
    // A server that ignores Range answers 200 with the whole object; cut the range out ourselves.
    if (header !== undefined && out.ContentRange === undefined && length !== undefined) {
      return offset < 0 ? body.slice(Math.max(0, body.byteLength + offset)) : body.slice(offset, offset + length);
    }
    return body;
  }

  async head(path: string): Promise<ObjectMeta> {
    try {
      const out = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return {
        path,
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified?.getTime() ?? 0,
        ...(out.ETag !== undefined ? { etag: out.ETag } : {}),
      };
    } catch (e) {
      throw this.mapError(e, 'read', path);
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    // Rooted stores list `root/` + prefix, so a sibling `root-other/…` never shows up.
    const full = this.prefix === '' ? prefix : joinKey(this.prefix, prefix);
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    const startAfter = options.startAfter !== undefined ? this.key(options.startAfter) : undefined;
    let token: string | undefined;
    do {
      let out: S3Sdk.ListObjectsV2CommandOutput;
      try {
        out = await this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: full,
            ...(token !== undefined ? { ContinuationToken: token } : startAfter !== undefined ? { StartAfter: startAfter } : {}),
            ...(this.listPageSize !== undefined ? { MaxKeys: this.listPageSize } : {}),
          }),
        );
      } catch (e) {
        throw this.mapError(e, 'list', prefix);
      }
      // S3 lists in UTF-8 byte order already, the order the contract asks for.
      for (const o of out.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield {
          path: o.Key.slice(strip),
          size: o.Size ?? 0,
          lastModified: o.LastModified?.getTime() ?? 0,
          ...(o.ETag !== undefined ? { etag: o.ETag } : {}),
        };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (out.IsTruncated && token === undefined) {
        throw new StoreUnavailableError(`cannot list ${this.url}/${prefix}: the server reported a truncated listing without a continuation token`);
      }
    } while (token !== undefined);
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    try {
      await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: data, ContentLength: data.byteLength }));
    } catch (e) {
      throw this.mapError(e, 'write', path);
    }
  }

  async putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    // Buffer up to one part; a small object is one PutObject, a large one a multipart upload.
    let buffered: Uint8Array[] = [];
    let bufferedBytes = 0;
    let upload: MultipartUpload | undefined;
    try {
      for await (const chunk of chunks) {
        // Copy: producers may reuse their buffer once we return.
        buffered.push(chunk.slice());
        bufferedBytes += chunk.byteLength;
        const partSize = this.partSizeFor(upload?.nextPart ?? 1);
        if (bufferedBytes >= partSize) {
          upload ??= await this.startMultipart(path);
          const all = concat(buffered, bufferedBytes);
          let at = 0;
          while (all.byteLength - at >= this.partSizeFor(upload.nextPart)) {
            const size = this.partSizeFor(upload.nextPart);
            await upload.add(all.subarray(at, at + size));
            at += size;
          }
          buffered = at < all.byteLength ? [all.slice(at)] : [];
          bufferedBytes = all.byteLength - at;
        }
      }
      if (upload === undefined) {
        await this.put(path, concat(buffered, bufferedBytes));
        return;
      }
      if (bufferedBytes > 0) await upload.add(concat(buffered, bufferedBytes));
      await upload.complete();
    } catch (e) {
      // An abandoned multipart upload is invisible to readers but billed; abort it.
      if (upload !== undefined) await upload.abort();
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
          await this.client.send(
            new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentLength: data.byteLength, IfNoneMatch: '*' }),
          );
          return { outcome: 'created' };
        } catch (e) {
          const status = statusOf(e);
          const attempts = (e as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
          if (status === 412 || (status === 409 && errorName(e) === 'ConditionalRequestConflict')) {
            // A 412 to the only attempt is a rival's object, no read needed. After an SDK retry (our first
            // attempt may have landed) or a 409 (a concurrent write still in flight), read back and compare.
            if (status === 412 && attempts <= 1) throw new AlreadyExistsError(`${this.url}/${path}`, { cause: e });
            return { outcome: 'exists', error: e };
          }
          const mapped = this.mapError(e, 'write', path);
          // Configuration errors are certain failures: nothing landed.
          if (mapped instanceof StoreConfigError) throw mapped;
          return { outcome: 'ambiguous', error: e };
        }
      },
      read: async () => {
        try {
          return await this.get(path);
        } catch (e) {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        }
      },
    });
  }

  async delete(paths: readonly string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += DELETE_BATCH) {
      const batch = paths.slice(i, i + DELETE_BATCH);
      let out: S3Sdk.DeleteObjectsCommandOutput;
      try {
        out = await this.client.send(
          new this.sdk.DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((p) => ({ Key: this.key(p) })), Quiet: true },
          }),
        );
      } catch (e) {
        throw this.mapError(e, 'delete', batch[0] ?? '');
      }
      // Missing keys are success in S3 already; some compatibles report them as NoSuchKey anyway.
      const failed = (out.Errors ?? []).filter((err) => err.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const first = failed[0]!;
        const rel = first.Key !== undefined && this.prefix !== '' ? first.Key.slice(this.prefix.length + 1) : first.Key;
        throw new StoreUnavailableError(
          `cannot delete ${this.url}/${rel ?? '?'}${failed.length > 1 ? ` and ${failed.length - 1} more` : ''}: ${first.Code ?? 'error'} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }

  /** Part size for part number `n`: doubles every 1000 parts so 10,000 parts reach far past 80 GiB. */
  private partSizeFor(n: number): number {
    return this.partSize * 2 ** Math.floor((n - 1) / 1000);
  }

  private async startMultipart(path: string): Promise<MultipartUpload> {
    const key = this.key(path);
    let uploadId: string | undefined;
    try {
      uploadId = (await this.client.send(new this.sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }))).UploadId;
    } catch (e) {
      throw this.mapError(e, 'write', path);
    }
    if (uploadId === undefined) throw new StoreUnavailableError(`cannot write ${this.url}/${path}: the server returned no multipart upload id`);
    return new MultipartUpload({
      sdk: this.sdk,
      bucket: this.bucket,
      key,
      uploadId,
      where: `${this.url}/${path}`,
      send: async (command, op) => {
        try {
          return await this.client.send(command as never);
        } catch (e) {
          throw this.mapError(e, op, path);
        }
      },
    });
  }

  /** The full object key of a store-relative path. */
  private key(path: string): string {
    return this.prefix === '' ? path : joinKey(this.prefix, path);
  }

  /** Maps an SDK failure to the storage errors, with a one-line message naming the URL and what to do. */
  private mapError(e: unknown, op: 'read' | 'list' | 'write' | 'delete', path: string): Error {
    if (e instanceof DuckrunError) return e;
    const where = `${this.url}${path === '' ? '' : `/${path}`}`;
    const status = statusOf(e);
    const name = errorName(e);
    const detail = `${name}${status !== undefined ? ` ${status}` : ''}: ${(e as Error)?.message ?? String(e)}`;
    const endpoint = this.config.endpoint ?? 'AWS S3';
    if (name === 'NoSuchBucket') {
      return new StoreConfigError(`cannot ${op} ${where}: bucket "${this.bucket}" does not exist at ${endpoint}; create it or fix the URL`, { cause: e });
    }
    if ((status === 404 || name === 'NoSuchKey' || name === 'NotFound') && (op === 'read' || op === 'delete')) {
      return new NotFoundError(where, { cause: e });
    }
    if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'InvalidToken' || name === 'ExpiredToken' || name === 'TokenRefreshRequired') {
      return new StoreConfigError(`cannot ${op} ${where}: the credentials were rejected (${name}); check aws_access_key_id, aws_secret_access_key and aws_session_token`, { cause: e });
    }
    if (status === 403 || name === 'AccessDenied') {
      return new StoreConfigError(`cannot ${op} ${where}: access denied; the credentials lack permission for bucket "${this.bucket}"`, { cause: e });
    }
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test((e as Error)?.message ?? '')) {
      return new StoreConfigError(`cannot ${op} ${where}: no AWS credentials found; set aws_access_key_id and aws_secret_access_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)`, { cause: e });
    }
    if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
      return new StoreConfigError(`cannot ${op} ${where}: bucket "${this.bucket}" is not in region ${this.config.region}; set aws_region to the bucket's region`, { cause: e });
    }
    return new StoreUnavailableError(`cannot ${op} ${where} (${endpoint}): ${detail}`, { cause: e });
  }
}

/** One multipart upload in progress: up to PART_CONCURRENCY parts in flight. */
class MultipartUpload {
  nextPart = 1;
  private readonly parts: { PartNumber: number; ETag: string }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly ctx: {
      readonly sdk: Sdk;
      readonly bucket: string;
      readonly key: string;
      readonly uploadId: string;
      /** The object's URL, for messages. */
      readonly where: string;
      /** Sends one command, mapping its errors. */
      readonly send: (command: object, op: 'write' | 'delete') => Promise<unknown>;
    },
  ) {}

  /** Queues one part (a buffer nobody else writes to); waits while the concurrency limit is reached. */
  async add(body: Uint8Array): Promise<void> {
    const { sdk, bucket, key, uploadId, where } = this.ctx;
    if (this.nextPart > MAX_PARTS) throw new StoreUnavailableError(`cannot write ${where}: more than ${MAX_PARTS} parts`);
    const partNumber = this.nextPart++;
    const p = this.ctx
      .send(new sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.byteLength }), 'write')
      .then((out) => {
        const etag = (out as S3Sdk.UploadPartCommandOutput).ETag;
        if (etag === undefined) throw new StoreUnavailableError(`cannot write ${where}: part ${partNumber} got no ETag`);
        this.parts.push({ PartNumber: partNumber, ETag: etag });
      })
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    if (this.inFlight.size >= PART_CONCURRENCY) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  async complete(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
    const { sdk, bucket, key, uploadId } = this.ctx;
    const parts = [...this.parts].sort((a, b) => a.PartNumber - b.PartNumber);
    await this.ctx.send(new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), 'write');
  }

  /** Best effort: the caller reports the original failure, not a failed abort. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    const { sdk, bucket, key, uploadId } = this.ctx;
    try {
      await this.ctx.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), 'delete');
    } catch {
      // Left for the bucket's lifecycle rule on incomplete uploads.
    }
  }
}

function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function errorName(e: unknown): string {
  const x = e as { name?: unknown; Code?: unknown; code?: unknown } | undefined;
  if (typeof x?.Code === 'string') return x.Code;
  if (typeof x?.name === 'string' && x.name !== 'Error') return x.name;
  if (typeof x?.code === 'string') return x.code;
  return 'Error';
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.byteLength === total) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
