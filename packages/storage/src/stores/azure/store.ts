// The ObjectStore over one Azure Blob container (and key prefix), through @azure/storage-blob.
// Create-if-absent is an upload with `If-None-Match: *`: Azure answers 412, Azurite 409 BlobAlreadyExists;
// both mean "exists". The ambiguity of a failed or SDK-retried PUT is settled by putIfAbsentSafely.

import type { BlobItem, ContainerClient, ContainerListBlobFlatSegmentResponse } from '@azure/storage-blob';
import { AlreadyExistsError, NotFoundError, StoreConfigError, StoreUnavailableError } from '../../errors.js';
import { compareKeys, joinKey, type ByteRange, type ListOptions, type ObjectMeta, type ObjectStore, type StoreCapabilities } from '../../object-store.js';
import { putIfAbsentSafely, type ConditionalPutOutcome } from '../conditional-put.js';

/** Tuning knobs; defaults suit real Azure, tests shrink them. */
export interface AzureStoreTuning {
  /** Size of each staged block in putStream (and the single-request limit of put). Default 8 MiB. */
  readonly blockSize?: number;
  /** Blocks staged concurrently by putStream. Default 4. */
  readonly uploadConcurrency?: number;
  /** Blobs deleted concurrently by delete. Default 16. */
  readonly deleteConcurrency?: number;
  /** Blobs per listing page (Azure's maximum is 5000). */
  readonly listPageSize?: number;
}

/** What the store needs to describe its account in error messages. */
export interface AzureStoreIdentity {
  /** The table URL as given; the store's `url`. */
  readonly url: string;
  readonly account?: string;
  readonly container: string;
  /** Blob-name prefix of the table root ('' = container root). */
  readonly prefix: string;
  /** How requests are authorised, for "check your credentials" hints (never the secret itself). */
  readonly auth: string;
}

const DEFAULT_BLOCK = 8 * 1024 * 1024;

/** A store over one container of an Azure Blob account (also ADLS Gen2 and OneLake via the Blob endpoint). */
export class AzureStore implements ObjectStore {
  readonly capabilities: StoreCapabilities = { atomicCreate: 'native', rangeReads: true, multipartUpload: true };
  readonly url: string;
  private readonly root: string;
  private readonly blockSize: number;
  private readonly uploadConcurrency: number;
  private readonly deleteConcurrency: number;
  private readonly listPageSize: number;
  /** Cleared once the service rejects `startFrom` (older API versions, non-HNS accounts); listing then filters client-side only. */
  private startFromSupported = true;

  constructor(
    private readonly container: ContainerClient,
    private readonly identity: AzureStoreIdentity,
    tuning: AzureStoreTuning = {},
  ) {
    this.url = identity.url;
    this.root = identity.prefix.replace(/^\/+|\/+$/g, '');
    this.blockSize = tuning.blockSize ?? DEFAULT_BLOCK;
    this.uploadConcurrency = tuning.uploadConcurrency ?? 4;
    this.deleteConcurrency = tuning.deleteConcurrency ?? 16;
    this.listPageSize = tuning.listPageSize ?? 5000;
  }

  async get(path: string, range?: ByteRange): Promise<Uint8Array> {
    const blob = this.container.getBlobClient(this.blobName(path));
    if (range && range.length === 0) {
      // download(offset, 0) would mean "to the end"; an empty range only needs the existence check.
      await this.head(path);
      return new Uint8Array(0);
    }
    try {
      const res = range ? await blob.download(range.offset, range.length, { maxRetryRequests: 3 }) : await blob.download(0, undefined, { maxRetryRequests: 3 });
      if (res.metadata?.hdi_isfolder === 'true') throw new NotFoundError(this.keyUrl(path));
      const body = await readAll(res.readableStreamBody);
      if (res.contentLength !== undefined && body.byteLength !== res.contentLength) {
        throw new StoreUnavailableError(`reading ${this.keyUrl(path)} returned ${body.byteLength} of ${res.contentLength} bytes; the connection broke, try again`);
      }
      return body;
    } catch (e) {
      // 416: the range starts at or past the end (or the blob is empty); like a file read, that is no bytes.
      if (range && statusOf(e) === 416) {
        await this.head(path);
        return new Uint8Array(0);
      }
      throw this.mapError(e, 'read', path);
    }
  }

  async head(path: string): Promise<ObjectMeta> {
    try {
      const p = await this.container.getBlobClient(this.blobName(path)).getProperties();
      // HNS accounts (ADLS Gen2, OneLake) show directories as empty blobs marked hdi_isfolder; they are not objects.
      if (p.metadata?.hdi_isfolder === 'true') throw new NotFoundError(this.keyUrl(path));
      return {
        path,
        size: p.contentLength ?? 0,
        lastModified: p.lastModified?.getTime() ?? 0,
        ...(p.etag !== undefined ? { etag: p.etag } : {}),
      };
    } catch (e) {
      throw this.mapError(e, 'read', path);
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const full = this.root === '' ? prefix : `${this.root}/${prefix}`;
    const strip = this.root === '' ? 0 : this.root.length + 1;
    const after = options.startAfter;
    let startFrom: string | undefined;
    if (after !== undefined && compareKeys(after, prefix) >= 0) {
      // Every key under `prefix` sorts before a startAfter that is past the prefix range.
      if (!after.startsWith(prefix)) return;
      startFrom = safeStartFrom(this.root === '' ? after : `${this.root}/${after}`);
      if (startFrom !== undefined && compareKeys(startFrom, full) <= 0) startFrom = undefined;
    }
    // Azure lists by UTF-8 bytes, Azurite by UTF-16 units; they differ only among keys holding characters
    // at or above U+D800, so such keys are held back and sorted until a key without them arrives
    // (which sorts the same either way, so everything held before it belongs before it too).
    let held: ObjectMeta[] = [];
    for await (const item of this.listItems(full, startFrom)) {
      if (item.metadata?.hdi_isfolder === 'true') continue;
      const key = item.name.slice(strip);
      if (after !== undefined && compareKeys(key, after) <= 0) continue;
      const meta: ObjectMeta = {
        path: key,
        size: item.properties.contentLength ?? 0,
        lastModified: item.properties.lastModified.getTime(),
        ...(item.properties.etag ? { etag: item.properties.etag } : {}),
      };
      if (hasHighUnits(key)) {
        held.push(meta);
        continue;
      }
      if (held.length > 0) {
        yield* held.sort((a, b) => compareKeys(a.path, b.path));
        held = [];
      }
      yield meta;
    }
    yield* held.sort((a, b) => compareKeys(a.path, b.path));
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    if (data.byteLength > this.blockSize) return this.putStream(path, single(data));
    try {
      // The SDK sends the bytes as given; copy so a caller mutating its buffer mid-request cannot tear the object.
      await this.container.getBlockBlobClient(this.blobName(path)).upload(data.slice(), data.byteLength);
    } catch (e) {
      throw this.mapError(e, 'write', path);
    }
  }

  async putStream(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const blob = this.container.getBlockBlobClient(this.blobName(path));
    // Block ids must have one length per blob; a random upload id keeps concurrent uploads' blocks apart.
    const uploadId = randomHex(16);
    const ids: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const stage = (block: Uint8Array): void => {
      const id = btoa(`${uploadId}-${String(ids.length).padStart(6, '0')}`);
      ids.push(id);
      const p: Promise<void> = blob
        .stageBlock(id, block, block.byteLength)
        .then(() => undefined)
        .catch((e: unknown) => {
          failure ??= e;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };

    // The block buffer grows on demand so that small streams do not each allocate a whole block.
    const initial = Math.min(this.blockSize, 64 * 1024);
    let buffer = new Uint8Array(initial);
    let filled = 0;
    try {
      for await (const chunk of chunks) {
        let offset = 0;
        while (offset < chunk.byteLength) {
          const n = Math.min(chunk.byteLength - offset, this.blockSize - filled);
          if (filled + n > buffer.byteLength) {
            const grown = new Uint8Array(Math.min(this.blockSize, Math.max(buffer.byteLength * 2, filled + n)));
            grown.set(buffer.subarray(0, filled));
            buffer = grown;
          }
          buffer.set(chunk.subarray(offset, offset + n), filled);
          filled += n;
          offset += n;
          if (filled === this.blockSize) {
            stage(buffer);
            buffer = new Uint8Array(this.blockSize);
            filled = 0;
            while (inFlight.size >= this.uploadConcurrency) await Promise.race(inFlight);
            if (failure !== undefined) throw this.mapError(failure, 'write', path);
          }
        }
      }
    } catch (e) {
      // The source (or a block) failed: nothing was committed, so the old object (if any) is untouched.
      // Staged blocks stay invisible and Azure discards uncommitted blocks after a week.
      await Promise.allSettled(inFlight);
      throw e;
    }

    if (ids.length === 0) {
      // Small enough for one request: no block list needed.
      try {
        await blob.upload(buffer.subarray(0, filled), filled);
      } catch (e) {
        throw this.mapError(e, 'write', path);
      }
      return;
    }
    if (filled > 0) stage(buffer.subarray(0, filled));
    await Promise.all(inFlight);
    if (failure !== undefined) throw this.mapError(failure, 'write', path);
    try {
      await blob.commitBlockList(ids);
    } catch (e) {
      throw this.mapError(e, 'write', path);
    }
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const blob = this.container.getBlockBlobClient(this.blobName(path));
    const body = data.slice();
    await putIfAbsentSafely({
      key: path,
      data: body,
      describe: this.keyUrl(path),
      attempt: async (): Promise<{ outcome: ConditionalPutOutcome; error?: unknown }> => {
        try {
          await blob.upload(body, body.byteLength, { conditions: { ifNoneMatch: '*' } });
          return { outcome: 'created' };
        } catch (e) {
          const status = statusOf(e);
          if (status === 409 || status === 412) {
            // 409 from Azurite (BlobAlreadyExists), 412 from Azure; a 409 lease/other conflict also means "taken".
            return { outcome: 'exists', error: e };
          }
          // Errors that prove the request was refused outright (auth, missing container, bad name) are final.
          if (status !== undefined && status >= 400 && status < 500 && status !== 408) throw this.mapError(e, 'write', path);
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
    }).catch((e: unknown) => {
      // putIfAbsentSafely phrases its own AlreadyExistsError; re-issue it with this key's URL as the object.
      if (e instanceof AlreadyExistsError) throw new AlreadyExistsError(this.keyUrl(path), { cause: e.cause });
      throw e;
    });
  }

  async delete(paths: readonly string[]): Promise<void> {
    // Per-blob deletes with bounded concurrency: Blob Batch needs shared-key or token auth and is not
    // offered by OneLake, while single deletes work with every credential and endpoint.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) {
        const path = paths[next++]!;
        try {
          await this.container.getBlobClient(this.blobName(path)).delete();
        } catch (e) {
          // A missing blob (or container) is already deleted.
          if (statusOf(e) === 404) continue;
          throw this.mapError(e, 'delete', path);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deleteConcurrency, paths.length) }, worker));
  }

  /** The full blob name of a key. */
  private blobName(path: string): string {
    return joinKey(this.root, path);
  }

  private keyUrl(path: string): string {
    return path === '' ? this.url : `${this.url}/${path}`;
  }

  /** Blob items under `full` in service order, one page at a time; drops `startFrom` if the service refuses it. */
  private async *listItems(full: string, startFrom: string | undefined): AsyncIterable<BlobItem> {
    let useStartFrom = startFrom !== undefined && this.startFromSupported;
    let first = true;
    for (;;) {
      try {
        const pages = this.container
          .listBlobsFlat({ prefix: full, includeMetadata: true, ...(useStartFrom ? { startFrom: startFrom! } : {}) })
          .byPage({ maxPageSize: this.listPageSize });
        for await (const page of pages as AsyncIterable<ContainerListBlobFlatSegmentResponse>) {
          first = false;
          yield* page.segment.blobItems;
        }
        return;
      } catch (e) {
        if (first && useStartFrom && statusOf(e) === 400) {
          // The service does not know startFrom: list from the prefix and filter here instead.
          this.startFromSupported = false;
          useStartFrom = false;
          continue;
        }
        throw this.mapError(e, 'list', full.slice(this.root === '' ? 0 : this.root.length + 1));
      }
    }
  }

  /** Turns an SDK failure into a duckrun error with one actionable line naming the URL. */
  private mapError(e: unknown, op: 'read' | 'write' | 'list' | 'delete', path: string): Error {
    if (e instanceof NotFoundError || e instanceof StoreConfigError || e instanceof StoreUnavailableError || e instanceof AlreadyExistsError) return e;
    const target = op === 'list' ? `${this.url}/${path}*` : this.keyUrl(path);
    const status = statusOf(e);
    const code = codeOf(e);
    const account = this.identity.account ?? 'the configured account';
    const reason = firstLine(e);
    if (status === 404 && (op === 'read' || code === 'BlobNotFound')) return new NotFoundError(this.keyUrl(path), { cause: e });
    if (code === 'ContainerNotFound') {
      return new StoreConfigError(
        `cannot ${op} ${target}: container ${this.identity.container} does not exist in storage account ${account}; create it first (az storage container create --name ${this.identity.container})`,
        { cause: e },
      );
    }
    if (status === 401 || status === 403) {
      return new StoreConfigError(
        `cannot ${op} ${target}: access denied (${status}${code ? ` ${code}` : ''}) using ${this.identity.auth}; check the credential and its permissions on account ${account}`,
        { cause: e },
      );
    }
    if (isCredentialError(e)) {
      return new StoreConfigError(
        `cannot ${op} ${target}: could not get an Azure AD token (${reason}); set azure_storage_account_key, azure_storage_sas_key, bearer_token or azure_client_id/azure_client_secret/azure_tenant_id, or sign in with az login`,
        { cause: e },
      );
    }
    if (status === 400 && code !== undefined && /^(InvalidResourceName|InvalidUri|OutOfRangeInput|InvalidQueryParameterValue|InvalidHeaderValue)$/.test(code)) {
      return new StoreConfigError(`cannot ${op} ${target}: the service rejected the request (${code}: ${reason})`, { cause: e });
    }
    return new StoreUnavailableError(
      `cannot ${op} ${target}: ${status !== undefined ? `HTTP ${status}${code ? ` ${code}` : ''}: ` : ''}${reason} (after retries); the store is unreachable or failing, try again`,
      { cause: e },
    );
  }
}

/** The HTTP status of an SDK RestError, if any. */
export function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

function codeOf(e: unknown): string | undefined {
  const details = (e as { details?: { errorCode?: unknown } } | null)?.details;
  if (typeof details?.errorCode === 'string') return details.errorCode;
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split('\n')[0] ?? '').trim() || (e instanceof Error ? e.name : 'unknown error');
}

function isCredentialError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^(CredentialUnavailableError|AuthenticationError|AggregateAuthenticationError)$/.test(name);
}

/**
 * A `startFrom` safe under both UTF-8 and UTF-16 listing orders: the part of `key` before its first
 * code unit ≥ U+D800 (the two orders agree on every key compared against such a prefix).
 */
function safeStartFrom(key: string): string | undefined {
  let i = 0;
  while (i < key.length && key.charCodeAt(i) < 0xd800) i++;
  return i === 0 ? undefined : key.slice(0, i);
}

function hasHighUnits(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) >= 0xd800) return true;
  return false;
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const b = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    parts.push(b);
    total += b.byteLength;
  }
  if (parts.length === 1) return new Uint8Array(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength).slice();
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

async function* single(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
