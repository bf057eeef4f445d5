// The slice of the Workers R2 bucket binding that R2Store calls, declared structurally so that neither this
// package nor its users need @cloudflare/workers-types at runtime: a real `R2Bucket` (a Worker's `env.BUCKET`)
// and miniflare's `getR2Bucket()` proxy both satisfy it.

/** An object's metadata as an R2 binding returns it (`R2Object`). */
export interface R2ObjectLike {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly uploaded: Date;
}

/** An object with its body (`R2ObjectBody`). */
export interface R2ObjectBodyLike extends R2ObjectLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A byte range of an R2 read: `offset`+`length`, `offset` to the end, or the last `suffix` bytes. */
export type R2RangeLike = { offset: number; length?: number } | { offset?: number; length: number } | { suffix: number };

/** One page of an R2 listing. */
export interface R2ObjectsLike {
  readonly objects: readonly R2ObjectLike[];
  readonly truncated: boolean;
  readonly cursor?: string;
}

/** A part uploaded to an R2 multipart upload. */
export interface R2UploadedPartLike {
  readonly partNumber: number;
  readonly etag: string;
}

/** An R2 multipart upload in progress. */
export interface R2MultipartUploadLike {
  uploadPart(partNumber: number, value: ArrayBuffer | ArrayBufferView | string): Promise<R2UploadedPartLike>;
  complete(parts: R2UploadedPartLike[]): Promise<R2ObjectLike>;
  abort(): Promise<void>;
}

/**
 * The methods of a Workers R2 bucket binding (`env.BUCKET`) that R2Store uses. `put` with
 * `onlyIf: { etagDoesNotMatch: '*' }` resolves `null` when an object already exists at the key.
 */
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>;
  get(key: string, options?: { range?: R2RangeLike }): Promise<R2ObjectBodyLike | R2ObjectLike | null>;
  put(
    key: string,
    value: ArrayBuffer | ArrayBufferView | string | null,
    options?: { onlyIf?: { etagDoesNotMatch?: string; etagMatches?: string } },
  ): Promise<R2ObjectLike | null>;
  list(options?: { prefix?: string; cursor?: string; startAfter?: string; limit?: number }): Promise<R2ObjectsLike>;
  delete(keys: string | string[]): Promise<void>;
  createMultipartUpload(key: string): Promise<R2MultipartUploadLike>;
}
