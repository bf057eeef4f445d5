// Google Cloud Storage adapter (`gs://bucket/prefix`) over @google-cloud/storage, loaded lazily so that
// importing @duckrun/storage pulls in no SDK until a gs:// URL is opened.
//
// Create-if-absent is an upload with `ifGenerationMatch=0` (GCS answers 412 conditionNotMet when any
// generation of the object exists). The SDK retries such conditional uploads by itself, so a retry of an
// upload whose first attempt landed comes back as 412 although the object is ours: every 412 and every
// ambiguous failure goes through putIfAbsentSafely, which reads the object back and compares bytes.

import type { Bucket, File, Storage, StorageOptions as SdkOptions } from '@google-cloud/storage';
import { AlreadyExistsError, DuckrunError, NotFoundError, StoreConfigError, StoreUnavailableError } from '../errors.js';
import { compareKeys, joinKey, type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore, type StoreCapabilities } from '../object-store.js';
import type { StorageOptions } from '../url.js';
import { putIfAbsentSafely } from './conditional-put.js';

/** Option keys (delta-rs / object_store names) and what each one sets. */
const KEYS = {
  serviceAccountPath: ['google_service_account', 'service_account', 'google_service_account_path', 'service_account_path'],
  serviceAccountKey: ['google_service_account_key', 'service_account_key'],
  applicationCredentials: ['google_application_credentials'],
  bucket: ['google_bucket', 'google_bucket_name', 'bucket', 'bucket_name'],
  endpoint: ['google_storage_endpoint', 'gcs_endpoint'],
  allowHttp: ['google_allow_http', 'allow_http'],
} as const;

type Setting = keyof typeof KEYS;

const VALID_KEYS: readonly string[] = Object.values(KEYS).flat();

/** Environment variables read when the option is absent (object_store reads the upper-cased key names). */
const ENV: Record<Setting, readonly string[]> = {
  serviceAccountPath: ['GOOGLE_SERVICE_ACCOUNT', 'GOOGLE_SERVICE_ACCOUNT_PATH'],
  serviceAccountKey: ['GOOGLE_SERVICE_ACCOUNT_KEY'],
  applicationCredentials: ['GOOGLE_APPLICATION_CREDENTIALS'],
  bucket: [],
  endpoint: ['GOOGLE_STORAGE_ENDPOINT'],
  allowHttp: ['GOOGLE_ALLOW_HTTP'],
};

/** Retry tuning; the defaults suit real GCS, tests shorten the delays. */
export interface GcsRetryOptions {
  /** Retries after the first attempt of one request (default 5). */
  readonly maxRetries?: number;
  /** Upper bound of one backoff delay in seconds (default 32, at least 1). */
  readonly maxRetryDelaySeconds?: number;
  /** Give up retrying after this many seconds (default 300). */
  readonly totalTimeoutSeconds?: number;
}

/** Everything a {@link GcsStore} needs, resolved from the URL and the storage options. */
export interface GcsStoreConfig {
  readonly bucket: string;
  /** Key prefix under the bucket, without leading or trailing `/`. */
  readonly prefix: string;
  /** The store's root URL as given (percent-encoded, no trailing slash). */
  readonly url?: string;
  /** `http(s)://host:port` of a GCS-compatible JSON API; absent for Google's own endpoint. */
  readonly endpoint?: string;
  /** Parsed service-account JSON; absent for Application Default Credentials (or none on an endpoint). */
  readonly credentials?: Record<string, unknown>;
  readonly retry?: GcsRetryOptions;
  /** Objects up to this size go up in one multipart request; larger ones as a resumable upload (default 8 MiB). */
  readonly simpleUploadLimit?: number;
  /** Bytes per resumable-upload request, a multiple of 256 KiB (default 8 MiB). */
  readonly uploadChunkSize?: number;
}

const MIB = 1024 * 1024;
const CHUNK_QUANTUM = 256 * 1024;

/** Opens `gs://bucket/prefix` with options validated against the keys users know from delta-rs. */
export async function gcsStoreFromUrl(url: URL, options: StorageOptions): Promise<ObjectStore> {
  return GcsStore.open(await resolveGcsConfig(url, options));
}

/** Validates `options` (with environment fallbacks) for `url` and resolves credentials and endpoint. */
export async function resolveGcsConfig(url: URL, options: StorageOptions): Promise<GcsStoreConfig> {
  const where = url.href;
  // Keys match case-insensitively (GOOGLE_SERVICE_ACCOUNT works too), as in the other adapters.
  options = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), v]));
  const unknown = Object.keys(options).filter((k) => !VALID_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new StoreConfigError(`unknown storage option(s) ${unknown.join(', ')} for ${where}; valid GCS options are ${VALID_KEYS.join(', ')}`);
  }
  const bucket = url.hostname;
  if (bucket === '') throw new StoreConfigError(`cannot open ${where}: a GCS URL needs a bucket, as in gs://bucket/path/to/table`);
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');

  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const setting = (s: Setting): { key: string; value: string } | undefined => {
    for (const k of KEYS[s]) {
      const v = options[k];
      if (v !== undefined && v !== '') return { key: k, value: v };
    }
    for (const k of ENV[s]) {
      const v = env[k];
      if (v !== undefined && v !== '') return { key: `environment variable ${k}`, value: v };
    }
    return undefined;
  };

  const named = setting('bucket');
  if (named !== undefined && named.value !== bucket) {
    throw new StoreConfigError(`${named.key}=${named.value} contradicts the bucket "${bucket}" of ${where}; the URL names the bucket, drop the option`);
  }

  const allowHttp = parseBool(setting('allowHttp'), where);
  let endpoint: string | undefined;
  const ep = setting('endpoint');
  if (ep !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(ep.value);
    } catch (e) {
      throw new StoreConfigError(`${ep.key}=${ep.value} (for ${where}) is not a URL; use e.g. http://127.0.0.1:4443`, { cause: e });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new StoreConfigError(`${ep.key}=${ep.value} (for ${where}) must be an http:// or https:// URL`);
    }
    // Plain HTTP leaks bearer tokens; allow it without asking only towards this machine (emulators, fakes).
    if (parsed.protocol === 'http:' && !allowHttp && !isLoopback(parsed.hostname)) {
      throw new StoreConfigError(`${ep.key}=${ep.value} (for ${where}) is plain http to a remote host; set google_allow_http=true to allow it`);
    }
    endpoint = `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  }

  const credentials = await loadCredentials(setting, where);
  const root = `gs://${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { bucket, prefix, url: root, ...(endpoint !== undefined ? { endpoint } : {}), ...(credentials !== undefined ? { credentials } : {}) };
}

async function loadCredentials(
  setting: (s: Setting) => { key: string; value: string } | undefined,
  where: string,
): Promise<Record<string, unknown> | undefined> {
  const key = setting('serviceAccountKey');
  if (key !== undefined) return parseServiceAccount(key.value, key.key, where);
  const path = setting('serviceAccountPath') ?? setting('applicationCredentials');
  if (path === undefined) return undefined; // Application Default Credentials, resolved by the SDK on first use.
  let text: string;
  try {
    const { readFile } = await import('node:fs/promises');
    text = await readFile(path.value, 'utf8');
  } catch (e) {
    throw new StoreConfigError(`cannot read the service-account file ${path.value} (${path.key}) for ${where}: ${(e as Error).message}`, { cause: e });
  }
  return parseServiceAccount(text, `${path.key} (${path.value})`, where);
}

function parseServiceAccount(text: string, source: string, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StoreConfigError(`${source} for ${where} is not valid JSON; pass a service-account key file as downloaded from Google Cloud`, { cause: e });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof (json as { type?: unknown }).type !== 'string') {
    throw new StoreConfigError(`${source} for ${where} is not a Google credentials JSON (no "type" field); pass a service-account key file`);
  }
  return json as Record<string, unknown>;
}

function parseBool(s: { key: string; value: string } | undefined, where: string): boolean {
  if (s === undefined) return false;
  const v = s.value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new StoreConfigError(`${s.key}=${s.value} (for ${where}) must be true or false`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A GCS bucket (or a key prefix in it) as an {@link ObjectStore}. */
export class GcsStore implements ObjectStore {
  readonly capabilities: StoreCapabilities = { atomicCreate: 'native', rangeReads: true, multipartUpload: true };
  readonly url: string;
  private readonly simpleUploadLimit: number;
  private readonly chunkSize: number;

  private constructor(
    private readonly bucket: Bucket,
    private readonly prefix: string,
    config: GcsStoreConfig,
  ) {
    this.url = config.url ?? `gs://${config.bucket}${prefix ? `/${prefix}` : ''}`;
    this.simpleUploadLimit = config.simpleUploadLimit ?? 8 * MIB;
    const chunk = config.uploadChunkSize ?? 8 * MIB;
    // GCS rejects resumable chunks that are not multiples of 256 KiB (except the last).
    this.chunkSize = Math.max(CHUNK_QUANTUM, Math.round(chunk / CHUNK_QUANTUM) * CHUNK_QUANTUM);
  }

  /** Loads the SDK and opens the store; no request is made until the first operation. */
  static async open(config: GcsStoreConfig): Promise<GcsStore> {
    let sdk: typeof import('@google-cloud/storage');
    try {
      sdk = await import('@google-cloud/storage');
    } catch (e) {
      throw new StoreConfigError(`cannot open gs://${config.bucket}: the optional dependency @google-cloud/storage is not installed; add it to your project`, { cause: e });
    }
    const retry = config.retry ?? {};
    const maxRetries = retry.maxRetries ?? 5;
    const options: SdkOptions = {
      retryOptions: {
        // The SDK treats maxRetries 0 as "use the default", so "no retries" must switch autoRetry off.
        autoRetry: maxRetries > 0,
        maxRetries: Math.max(1, maxRetries),
        retryDelayMultiplier: 2,
        // Below 1 s the SDK's upload retrier (async-retry, 1 s minimum delay) refuses to run at all.
        maxRetryDelay: Math.max(1, retry.maxRetryDelaySeconds ?? 32),
        totalTimeout: retry.totalTimeoutSeconds ?? 300,
        // Every call this store makes is safe to repeat: put replaces whole, delete ignores 404, and a
        // repeated conditional create is settled by read-back. RetryAlways also keeps the SDK from
        // toggling its shared autoRetry flag per call, which races between concurrent uploads.
        idempotencyStrategy: sdk.IdempotencyStrategy.RetryAlways,
      },
    };
    if (config.endpoint !== undefined) {
      options.apiEndpoint = config.endpoint;
      // An emulator or fake takes no credentials; a private endpoint with explicit credentials does.
      options.useAuthWithCustomEndpoint = config.credentials !== undefined;
    }
    if (config.credentials !== undefined) {
      options.credentials = config.credentials as SdkOptions['credentials'];
      const project = config.credentials['project_id'];
      if (typeof project === 'string') options.projectId = project;
    }
    const storage: Storage = new sdk.Storage(options);
    return new GcsStore(storage.bucket(config.bucket), config.prefix, config);
  }

  async get(path: string, range?: ByteRange): Promise<Uint8Array> {
    const file = this.file(path);
    if (range !== undefined && range.length <= 0) {
      await this.head(path); // keep NotFoundError for a missing object
      return new Uint8Array(0);
    }
    try {
      const [buf] = range === undefined ? await file.download() : await file.download({ start: range.offset, end: range.offset + range.length - 1 });
      // Copy: the SDK's Buffer may be a view into a shared pool, and callers own what we return.
      return new Uint8Array(buf);
    } catch (e) {
      // 416: the range starts at or past the end; like a slice, that reads nothing.
      if (range !== undefined && statusOf(e) === 416) {
        await this.head(path);
        return new Uint8Array(0);
      }
      throw this.mapError(e, path, 'read');
    }
  }

  async head(path: string): Promise<ObjectMeta> {
    try {
      const [md] = await this.file(path).getMetadata();
      return toMeta(path, md);
    } catch (e) {
      throw this.mapError(e, path, 'read the metadata of');
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const full = this.prefix === '' ? prefix : joinKey(this.prefix, prefix);
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    const { startAfter } = options;
    // startOffset is inclusive, so start at startAfter itself and drop it below.
    const startOffset = startAfter !== undefined ? joinKey(this.prefix, startAfter) : undefined;
    let pageToken: string | undefined;
    do {
      let response: { items?: Record<string, unknown>[]; nextPageToken?: string };
      try {
        const query = {
          prefix: full,
          autoPaginate: false,
          maxResults: 1000,
          fields: 'items(name,size,updated,generation),nextPageToken',
          ...(startOffset !== undefined && compareKeys(startOffset, full) > 0 ? { startOffset } : {}),
          ...(pageToken !== undefined ? { pageToken } : {}),
        };
        const res = await this.bucket.getFiles(query);
        response = (res[2] ?? {}) as typeof response;
      } catch (e) {
        throw this.mapError(e, prefix, 'list', true);
      }
      // GCS lists names in the byte order of their UTF-8 encoding, which is the contract's order.
      for (const item of response.items ?? []) {
        const name = String(item['name']);
        const key = name.slice(strip);
        if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
        yield toMeta(key, item);
      }
      pageToken = response.nextPageToken;
    } while (pageToken !== undefined && pageToken !== '');
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    if (data.byteLength > this.simpleUploadLimit) return this.putStream(path, once(data));
    try {
      await this.file(path).save(Buffer.from(data), { resumable: false });
    } catch (e) {
      throw this.mapError(e, path, 'write', true);
    }
  }

  async putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    // Small objects (most data files) go up in one request; start a resumable upload only past the limit.
    const head: Buffer[] = [];
    let size = 0;
    const it = chunks[Symbol.asyncIterator]();
    for (;;) {
      const r = await it.next();
      if (r.done) return this.putSimple(path, Buffer.concat(head, size));
      // Copy each chunk: producers may reuse their buffer after yielding it.
      head.push(Buffer.from(r.value));
      size += r.value.byteLength;
      if (size > this.simpleUploadLimit) break;
    }
    const { Readable } = await import('node:stream');
    const { pipeline } = await import('node:stream/promises');
    let sourceFailed = false;
    async function* rest(): AsyncIterable<Buffer> {
      yield* head.splice(0);
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield Buffer.from(r.value);
        }
      } catch (e) {
        sourceFailed = true;
        throw e;
      }
    }
    const upload = this.file(path).createWriteStream({ resumable: true, chunkSize: this.chunkSize, metadata: { contentType: 'application/octet-stream' } });
    try {
      // If the source throws, pipeline destroys the upload before it is finalised: no object appears
      // (the unfinished session is discarded by GCS after a week).
      await pipeline(Readable.from(rest()), upload);
    } catch (e) {
      if (sourceFailed) throw e; // the caller's source failed: rethrow its error unchanged
      throw this.mapError(e, path, 'write', true);
    }
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const file = this.file(path);
    const body = Buffer.from(data);
    await putIfAbsentSafely({
      key: path,
      data,
      describe: `${this.url}/${path}`,
      attempt: async () => {
        try {
          // One multipart request; ifGenerationMatch=0 means "only if no live object has this name".
          await file.save(body, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
          return { outcome: 'created' };
        } catch (e) {
          const status = statusOf(e);
          if (status === 412) return { outcome: 'exists', error: e };
          const mapped = this.mapError(e, path, 'create', true);
          if (mapped instanceof StoreUnavailableError) return { outcome: 'ambiguous', error: e };
          throw mapped;
        }
      },
      read: async () => {
        try {
          return await this.get(path);
        } catch (e) {
          if (e instanceof NotFoundError) return undefined;
          if (e instanceof StoreUnavailableError) {
            throw new StoreUnavailableError(
              `${this.url}/${path}: create-if-absent could not be confirmed: the write failed or its answer was lost, and reading the object back failed too (${e.message})`,
              { cause: e },
            );
          }
          throw e;
        }
      },
    }).catch((e: unknown) => {
      // Name the object as every other error of this store does.
      if (e instanceof AlreadyExistsError) throw new AlreadyExistsError(`${this.url}/${path}`, { cause: e.cause });
      throw e;
    });
  }

  async delete(paths: readonly string[]): Promise<void> {
    // The JSON API deletes one object per request; run a few at a time.
    const queue = [...paths];
    const worker = async (): Promise<void> => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        try {
          await this.file(p).delete({ ignoreNotFound: true });
        } catch (e) {
          if (statusOf(e) === 404 && !isMissingBucket(e)) continue;
          throw this.mapError(e, p, 'delete', true);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  }

  private async putSimple(path: string, data: Buffer): Promise<void> {
    try {
      await this.file(path).save(data, { resumable: false });
    } catch (e) {
      throw this.mapError(e, path, 'write', true);
    }
  }

  private file(path: string): File {
    return this.bucket.file(joinKey(this.prefix, path));
  }

  /**
   * Turns an SDK error into a duckrun error. `bucketLevel`: a 404 can only mean a missing bucket (the
   * operation does not need the object to exist).
   */
  private mapError(e: unknown, path: string, op: string, bucketLevel = false): Error {
    if (e instanceof DuckrunError) return e;
    const where = path === '' ? this.url : `${this.url}/${path}`;
    const status = statusOf(e);
    const detail = messageOf(e);
    if (status === 404 && (bucketLevel || isMissingBucket(e))) {
      return new StoreConfigError(`cannot ${op} ${where}: bucket "${this.bucket.name}" does not exist or is not visible to these credentials`, { cause: e });
    }
    if (status === 404) return new NotFoundError(where, { cause: e });
    if (status === 401 || status === 403) {
      return new StoreConfigError(
        `cannot ${op} ${where}: access denied (HTTP ${status}: ${detail}); check google_service_account / google_service_account_key / GOOGLE_APPLICATION_CREDENTIALS and the credentials' roles on bucket "${this.bucket.name}"`,
        { cause: e },
      );
    }
    if (isCredentialsProblem(e)) {
      return new StoreConfigError(
        `cannot ${op} ${where}: no usable Google credentials (${detail}); set google_service_account (a key file path), google_service_account_key or GOOGLE_APPLICATION_CREDENTIALS, or run where Application Default Credentials exist`,
        { cause: e },
      );
    }
    if (status === 400) return new StoreConfigError(`cannot ${op} ${where}: the request was rejected (HTTP 400: ${detail})`, { cause: e });
    return new StoreUnavailableError(`cannot ${op} ${where}: ${status !== undefined ? `HTTP ${status}: ` : ''}${detail} (after retries); the store is unreachable or failing`, { cause: e });
  }
}

async function* once(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

function toMeta(path: string, md: Record<string, unknown> | { [k: string]: unknown }): ObjectMeta {
  const updated = Date.parse(String(md['updated'] ?? md['timeCreated'] ?? ''));
  const generation = md['generation'];
  return {
    path,
    size: Number(md['size'] ?? 0),
    lastModified: Number.isFinite(updated) ? updated : 0,
    ...(generation !== undefined ? { etag: String(generation) } : {}),
  };
}

/** HTTP status of an SDK error (ApiError has a numeric `code`; the resumable uploader too). */
function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, status, response } = e as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const c of [code, status, response?.status]) {
    if (typeof c === 'number' && c >= 100 && c < 600) return c;
    if (typeof c === 'string' && /^[1-5]\d\d$/.test(c)) return Number(c);
  }
  return undefined;
}

function messageOf(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  // Download errors carry the raw JSON error body as their message.
  try {
    const body = JSON.parse(raw) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON
  }
  return raw.split('\n')[0] ?? raw;
}

function isMissingBucket(e: unknown): boolean {
  return /bucket does not exist|no such bucket/i.test(messageOf(e));
}

function isCredentialsProblem(e: unknown): boolean {
  return /could not load the default credentials|invalid_grant|unauthorized_client|private key|invalid jwt|getting metadata from plugin/i.test(messageOf(e));
}
