// A small fake of the Google Cloud Storage JSON API on 127.0.0.1, serving only the calls the GCS adapter
// makes. No offline GCS emulator enforces `ifGenerationMatch` (see ../shared/object-stores.md), so this
// fake exists to test the adapter's requests and error mapping; it proves nothing about Google's servers.
//
// Answers follow the JSON API documentation: 412 `conditionNotMet` when a generation precondition fails,
// `startOffset` inclusive, names listed in UTF-8 byte order, 404 `notFound` bodies, 206 with Content-Range
// for ranges (suffix ranges included), 416 for a range past the end, resumable uploads answering 308 with a
// `Range` header until the last chunk. Every check-and-set runs inside one synchronous callback, after the
// body has been read, so concurrent writers are serialised exactly as a single-node store would.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Decoded path, e.g. `/upload/storage/v1/b/bkt/o` or `/storage/v1/b/bkt/o/a/b.json`. */
  readonly path: string;
  /** `media`, `multipart`, `resumable`, `resumable-chunk`, `download`, `metadata`, `list`, `delete` or `other`. */
  readonly kind: string;
  readonly bucket?: string;
  /** The object name the request addresses, when it addresses one. */
  readonly object?: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bodyLength: number;
  /** Status sent, or `dropped` when the fake cut the connection instead of answering. */
  status: number | 'dropped';
}

/** A fault injected into the next request(s) matching `match`. */
export interface Fault {
  readonly match: (r: RecordedRequest) => boolean;
  /**
   * `drop-after`: carry the request out, then cut the connection without answering (the client cannot
   * tell whether it landed). `drop-before`: cut it without carrying it out. A number: answer with that
   * status and a JSON error body, without carrying the request out.
   */
  readonly action: 'drop-after' | 'drop-before' | number;
  /** How many matching requests to affect (default 1). */
  times?: number;
}

interface StoredObject {
  readonly data: Buffer;
  readonly generation: number;
  readonly contentType: string;
  readonly created: Date;
}

interface Session {
  readonly bucket: string;
  readonly name: string;
  readonly ifGenerationMatch?: string;
  readonly contentType: string;
  chunks: Buffer[];
  received: number;
  done?: StoredObject;
}

export interface FakeGcs {
  /** `http://127.0.0.1:PORT`, for `apiEndpoint` / `google_storage_endpoint`. */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Creates an empty bucket (requests to any other bucket get 404 "bucket does not exist"). */
  createBucket(name: string): void;
  /** The live object, if any. */
  object(bucket: string, name: string): { data: Buffer; generation: number } | undefined;
  /** Names in a bucket, in listing order. */
  names(bucket: string): string[];
  inject(fault: Fault): void;
  /** When set, every request without `Authorization: Bearer <token>` gets 401, a wrong one 403. */
  requireToken: string | undefined;
  /** Caps list pages below the documented 1,000, so tests page without writing 1,000 objects. */
  maxPageSize: number;
  close(): Promise<void>;
}

export async function startFakeGcs(): Promise<FakeGcs> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const sessions = new Map<string, Session>();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  let nextGeneration = 1_700_000_000_000_000;
  let nextSession = 1;
  let endpoint = '';

  const fake: FakeGcs = {
    get endpoint() {
      return endpoint;
    },
    requests,
    requireToken: undefined,
    maxPageSize: 1000,
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    object(bucket, name) {
      const o = buckets.get(bucket)?.get(name);
      return o && { data: o.data, generation: o.generation };
    },
    names(bucket) {
      return [...(buckets.get(bucket)?.keys() ?? [])].sort(compareUtf8);
    },
    inject(fault) {
      faults.push({ ...fault, times: fault.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    // An aborted body (the client gave up mid-upload) is never carried out.
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', endpoint);
    const query = Object.fromEntries(url.searchParams);
    const route = parseRoute(req.method ?? 'GET', url.pathname, query);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: safeDecode(url.pathname),
      kind: route.kind,
      ...(route.bucket !== undefined ? { bucket: route.bucket } : {}),
      ...(route.object !== undefined ? { object: route.object } : {}),
      query,
      headers: { ...req.headers },
      bodyLength: body.length,
      status: 0,
    };
    requests.push(record);

    const send = (status: number, json?: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      const text = json === undefined ? '' : JSON.stringify(json);
      res.writeHead(status, { ...(json !== undefined ? { 'content-type': 'application/json; charset=UTF-8' } : {}), ...headers });
      res.end(text);
    };
    const fail = (status: number, reason: string, message: string): void =>
      send(status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } });
    const drop = (): void => {
      record.status = 'dropped';
      req.socket.destroy();
    };

    const fault = faults.find((f) => (f.times ?? 0) > 0 && f.match(record));
    if (fault) fault.times = (fault.times ?? 1) - 1;
    if (fault?.action === 'drop-before') return drop();
    if (typeof fault?.action === 'number') return fail(fault.action, fault.action === 429 ? 'rateLimitExceeded' : 'backendError', `injected ${fault.action}`);
    // With drop-after the request is carried out and its answer thrown away.
    const reply = fault?.action === 'drop-after' ? (() => drop()) : undefined;
    const answer = (status: number, json?: unknown, headers?: Record<string, string>): void => (reply ? reply() : send(status, json, headers));
    const error = (status: number, reason: string, message: string): void =>
      reply ? reply() : fail(status, reason, message);

    if (fake.requireToken !== undefined) {
      const auth = req.headers.authorization;
      if (auth === undefined) return fail(401, 'required', 'Anonymous caller does not have storage.objects access to the Google Cloud Storage object.');
      if (auth !== `Bearer ${fake.requireToken}`) return fail(403, 'forbidden', 'caller does not have storage.objects.get access to the Google Cloud Storage object.');
    }
    if (route.kind === 'other') return fail(501, 'notImplemented', `the fake GCS server does not implement ${req.method} ${url.pathname}`);
    const objects = route.bucket !== undefined ? buckets.get(route.bucket) : undefined;
    // Resumable chunks address the session, not the bucket, once it exists.
    if (!objects && route.kind !== 'resumable-chunk') return fail(404, 'notFound', 'The specified bucket does not exist.');
    const bucket = route.bucket!;

    /** Checks the generation preconditions of a write against the live object (synchronously). */
    const preconditionsHold = (name: string, q: Record<string, string | undefined>): boolean => {
      const current = objects!.get(name)?.generation ?? 0;
      if (q['ifGenerationMatch'] !== undefined && Number(q['ifGenerationMatch']) !== current) return false;
      if (q['ifGenerationNotMatch'] !== undefined && Number(q['ifGenerationNotMatch']) === current) return false;
      return true;
    };
    const conditionNotMet = (): void => error(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
    const commit = (name: string, data: Buffer, contentType: string): StoredObject => {
      const o: StoredObject = { data, generation: nextGeneration++, contentType, created: new Date() };
      objects!.set(name, o);
      return o;
    };

    switch (route.kind) {
      case 'media':
      case 'multipart': {
        let name = query['name'];
        let data = body;
        let contentType = String(req.headers['content-type'] ?? 'application/octet-stream');
        if (route.kind === 'multipart') {
          const parts = parseMultipart(body, String(req.headers['content-type'] ?? ''));
          if (!parts || parts.length !== 2) return fail(400, 'invalid', 'Multipart upload needs exactly a metadata part and a media part.');
          const meta = JSON.parse(parts[0]!.body.toString('utf8') || '{}') as { name?: string; contentType?: string };
          name = meta.name ?? name;
          data = parts[1]!.body;
          contentType = meta.contentType ?? parts[1]!.contentType ?? 'application/octet-stream';
        }
        if (!name) return fail(400, 'required', 'Required parameter: name');
        if (!checksumsMatch(req, data)) return fail(400, 'invalid', 'Provided CRC32C "…" doesn\'t match calculated CRC32C.');
        if (!preconditionsHold(name, query)) return conditionNotMet();
        return answer(200, resource(bucket, name, commit(name, data, contentType)));
      }
      case 'resumable': {
        const name = query['name'];
        if (!name) return fail(400, 'required', 'Required parameter: name');
        // Checked here and again when the session is finalised; the final check is what makes the create atomic.
        if (!preconditionsHold(name, query)) return conditionNotMet();
        const id = `session-${nextSession++}`;
        sessions.set(id, {
          bucket,
          name,
          ...(query['ifGenerationMatch'] !== undefined ? { ifGenerationMatch: query['ifGenerationMatch'] } : {}),
          contentType: String(req.headers['x-upload-content-type'] ?? 'application/octet-stream'),
          chunks: [],
          received: 0,
        });
        const location = `${endpoint}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
        return answer(200, undefined, { location });
      }
      case 'resumable-chunk': {
        const session = sessions.get(query['upload_id'] ?? '');
        if (!session) return fail(404, 'notFound', 'No such upload session.');
        const target = buckets.get(session.bucket)!;
        if (session.done) return answer(200, resource(session.bucket, session.name, session.done));
        const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\*|\d+)$/.exec(String(req.headers['content-range'] ?? ''));
        if (!range) return fail(400, 'invalid', 'Invalid Content-Range header.');
        const total = range[4] === '*' ? undefined : Number(range[4]);
        if (range[1] !== '*') {
          const first = Number(range[2]);
          if (first !== session.received) return fail(400, 'invalid', `Content-Range starts at ${first}, but ${session.received} bytes were received.`);
          if (range[3] !== '*' && Number(range[3]) - first + 1 !== body.length) return fail(400, 'invalid', 'Content-Range does not match the body length.');
          session.chunks.push(body);
          session.received += body.length;
        }
        // `bytes N-*/*` sends the rest in one request; otherwise the total says when the object is complete.
        const complete = (total !== undefined && session.received === total) || (range[3] === '*' && range[1] !== '*');
        if (!complete) {
          return answer(308, undefined, session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {});
        }
        const data = Buffer.concat(session.chunks);
        if (!checksumsMatch(req, data)) return fail(400, 'invalid', 'Provided CRC32C doesn\'t match calculated CRC32C.');
        const current = target.get(session.name)?.generation ?? 0;
        if (session.ifGenerationMatch !== undefined && Number(session.ifGenerationMatch) !== current) {
          sessions.delete(query['upload_id']!);
          return conditionNotMet();
        }
        const o: StoredObject = { data, generation: nextGeneration++, contentType: session.contentType, created: new Date() };
        target.set(session.name, o);
        session.done = o;
        session.chunks = [];
        return answer(200, resource(session.bucket, session.name, o));
      }
      case 'download':
      case 'metadata': {
        const o = objects!.get(route.object!);
        if (!o) return error(404, 'notFound', `No such object: ${bucket}/${route.object}`);
        if (route.kind === 'metadata') return answer(200, resource(bucket, route.object!, o));
        const headers: Record<string, string> = {
          'content-type': o.contentType,
          'x-goog-generation': String(o.generation),
          'x-goog-metageneration': '1',
          'x-goog-stored-content-length': String(o.data.length),
          'x-goog-stored-content-encoding': 'identity',
          'x-goog-hash': `crc32c=${crc32cBase64(o.data)},md5=${md5Base64(o.data)}`,
        };
        const spec = req.headers.range;
        if (spec === undefined) return reply ? reply() : sendBytes(res, record, 200, o.data, headers);
        const r = parseRange(spec, o.data.length);
        if (r === 'unsatisfiable') return error(416, 'requestedRangeNotSatisfiable', 'The requested range cannot be satisfied.');
        if (r === undefined) return reply ? reply() : sendBytes(res, record, 200, o.data, headers); // an unparsable Range is ignored (RFC 9110)
        headers['content-range'] = `bytes ${r.start}-${r.end}/${o.data.length}`;
        return reply ? reply() : sendBytes(res, record, 206, o.data.subarray(r.start, r.end + 1), headers);
      }
      case 'list': {
        const prefix = query['prefix'] ?? '';
        const startOffset = query['startOffset'];
        const max = Math.min(Math.max(Number(query['maxResults'] ?? 1000) || 1000, 1), fake.maxPageSize);
        const after = query['pageToken'] !== undefined ? Buffer.from(query['pageToken'], 'base64url').toString('utf8') : undefined;
        const names = [...objects!.keys()]
          .filter((n) => n.startsWith(prefix))
          .filter((n) => startOffset === undefined || compareUtf8(n, startOffset) >= 0) // inclusive, as documented
          .filter((n) => after === undefined || compareUtf8(n, after) > 0)
          .sort(compareUtf8);
        const page = names.slice(0, max);
        const more = names.length > max;
        return answer(200, {
          kind: 'storage#objects',
          ...(page.length > 0 ? { items: page.map((n) => resource(bucket, n, objects!.get(n)!)) } : {}),
          ...(more ? { nextPageToken: Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url') } : {}),
        });
      }
      case 'delete': {
        const name = route.object!;
        if (!objects!.has(name)) return error(404, 'notFound', `No such object: ${bucket}/${name}`);
        if (!preconditionsHold(name, query)) return conditionNotMet();
        objects!.delete(name);
        if (reply) return reply();
        record.status = 204;
        res.writeHead(204).end();
        return;
      }
    }
  }

  function resource(bucket: string, name: string, o: StoredObject): Record<string, unknown> {
    const id = encodeURIComponent(name);
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${o.generation}`,
      selfLink: `${endpoint}/storage/v1/b/${bucket}/o/${id}`,
      mediaLink: `${endpoint}/download/storage/v1/b/${bucket}/o/${id}?generation=${o.generation}&alt=media`,
      name,
      bucket,
      generation: String(o.generation),
      metageneration: '1',
      contentType: o.contentType,
      storageClass: 'STANDARD',
      size: String(o.data.length),
      md5Hash: md5Base64(o.data),
      crc32c: crc32cBase64(o.data),
      etag: Buffer.from(String(o.generation)).toString('base64'),
      timeCreated: o.created.toISOString(),
      updated: o.created.toISOString(),
    };
  }

  return fake;
}

type Route = { kind: string; bucket?: string; object?: string };

function parseRoute(method: string, rawPath: string, query: Record<string, string>): Route {
  // Object names arrive percent-encoded as one path segment (`/` as %2F); decode only after splitting.
  let m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(rawPath);
  if (m) {
    const bucket = safeDecode(m[1]!);
    const type = query['uploadType'];
    if (method === 'POST' && (type === 'media' || type === 'multipart' || type === 'resumable')) return { kind: type, bucket, ...(query['name'] ? { object: query['name'] } : {}) };
    if (method === 'PUT' && type === 'resumable' && query['upload_id']) return { kind: 'resumable-chunk', bucket, ...(query['name'] ? { object: query['name'] } : {}) };
    return { kind: 'other' };
  }
  m = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(rawPath);
  if (m) {
    const bucket = safeDecode(m[1]!);
    const object = safeDecode(m[2]!);
    if (method === 'GET') return { kind: query['alt'] === 'media' ? 'download' : 'metadata', bucket, object };
    if (method === 'DELETE') return { kind: 'delete', bucket, object };
    return { kind: 'other' };
  }
  m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(rawPath);
  if (m && method === 'GET') return { kind: 'list', bucket: safeDecode(m[1]!) };
  return { kind: 'other' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sendBytes(res: ServerResponse, record: RecordedRequest, status: number, data: Buffer, headers: Record<string, string>): void {
  record.status = status;
  res.writeHead(status, { ...headers, 'content-length': String(data.length) });
  res.end(data);
}

/** `bytes=a-b`, `bytes=a-` or the suffix form `bytes=-n`, clamped to the object. */
function parseRange(spec: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(spec.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** Parses a `multipart/related` body into parts (binary-safe). */
function parseMultipart(body: Buffer, contentType: string): { contentType?: string; body: Buffer }[] | undefined {
  const b = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!b) return undefined;
  const delimiter = Buffer.from(`--${b}`);
  const parts: { contentType?: string; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) return undefined;
    const raw = body.subarray(start, next);
    const headerEnd = raw.indexOf('\r\n\r\n');
    if (headerEnd === -1) return undefined;
    const headers = raw.subarray(0, headerEnd).toString('utf8');
    let content = raw.subarray(headerEnd + 4);
    if (content.subarray(content.length - 2).toString() === '\r\n') content = content.subarray(0, content.length - 2);
    const ct = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
    parts.push({ ...(ct !== undefined ? { contentType: ct.trim() } : {}), body: content });
    at = next;
  }
  return parts;
}

/** When the client sends `X-Goog-Hash`, GCS checks it against the bytes it received; so does the fake. */
function checksumsMatch(req: IncomingMessage, data: Buffer): boolean {
  const header = req.headers['x-goog-hash'];
  if (header === undefined) return true;
  for (const pair of String(header).split(',')) {
    const eq = pair.indexOf('=');
    const type = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (type === 'crc32c' && value !== crc32cBase64(data)) return false;
    if (type === 'md5' && value !== md5Base64(data)) return false;
  }
  return true;
}

function md5Base64(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC32C (Castagnoli), big-endian, base64: the form of GCS's `crc32c` field and `x-goog-hash`. */
function crc32cBase64(data: Buffer): string {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

/** Byte order of UTF-8 encodings, the order GCS lists names in. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
