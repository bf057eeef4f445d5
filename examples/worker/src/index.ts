// A Cloudflare Worker that keeps an append-only Delta table of events (partitioned by kind) in an R2 bucket,
// with @duckrun/delta only.
//
//   POST /events   body: [{ "id": 1, "kind": "click", "value": 0.5, "at": "2025-01-01T00:00:00Z" }, …]
//                  appends the rows as one Delta commit; answers { version, rowsWritten }
//   GET  /events   answers { version, rows, files, valueSum, latest } of the latest snapshot, from a full scan
//
// Concurrent POSTs are safe: each commit is created with R2's `onlyIf: { etagDoesNotMatch: '*' }`, and a writer
// that loses the race rebases its append onto the winner's commit.

import { CommitConflictError, DeltaTable, NotADeltaTableError, writeDeltaTable } from '@duckrun/delta';
import { R2Store, type R2BucketLike } from '@duckrun/storage/r2';
import { Float64, Int64, Table, TimestampMillisecond, Utf8, makeData, makeVector, type Data } from 'apache-arrow';

/** The Worker's bindings (wrangler.toml `[[r2_buckets]] binding = "BUCKET"`). */
export interface Env {
  readonly BUCKET: R2BucketLike;
}

/** One event as POSTed. */
interface EventRow {
  readonly id: number;
  readonly kind: string;
  readonly value: number | null;
  readonly at: string;
}

const TABLE_URI = 'r2://BUCKET/tables/events';
const TABLE_PREFIX = 'tables/events';
const MAX_ROWS = 100_000;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname !== '/events') return json({ error: 'not found: use POST /events or GET /events' }, 404);
    try {
      if (request.method === 'POST') return await append(request, env);
      if (request.method === 'GET') return await describe(env);
      return json({ error: `method ${request.method} not allowed: use POST or GET` }, 405);
    } catch (e) {
      if (e instanceof BadRequest) return json({ error: e.message }, 400);
      if (e instanceof CommitConflictError) return json({ error: e.message, code: e.code }, 409);
      const code = (e as { code?: unknown }).code;
      return json({ error: e instanceof Error ? e.message : String(e), ...(typeof code === 'string' ? { code } : {}) }, 500);
    }
  },
};

/** The table's store: the bucket binding, rooted at the table's key prefix. */
function tableStore(env: Env): R2Store {
  return new R2Store(env.BUCKET, TABLE_PREFIX, { name: 'BUCKET' });
}

async function append(request: Request, env: Env): Promise<Response> {
  const rows = parseRows(await request.json().catch(() => undefined));
  // Partitioned by kind: a scan then rebuilds `kind` from the partition folders, inside workerd too.
  const result = await writeDeltaTable(TABLE_URI, toArrow(rows), { mode: 'append', partitionBy: ['kind'], store: tableStore(env) });
  return json({ version: result.version, rowsWritten: result.rowsWritten, attempts: result.attempts }, result.created ? 201 : 200);
}

async function describe(env: Env): Promise<Response> {
  let table: DeltaTable;
  try {
    table = await DeltaTable.open(TABLE_URI, { store: tableStore(env) });
  } catch (e) {
    if (e instanceof NotADeltaTableError) return json({ version: null, rows: 0, files: 0, valueSum: 0, latest: null });
    throw e;
  }
  const snapshot = await table.snapshot();
  let rows = 0;
  let valueSum = 0;
  let latest = -Infinity;
  for await (const batch of snapshot.scan()) {
    rows += batch.numRows;
    for (const v of batch.getChild('value') ?? []) valueSum += v ?? 0;
    // apache-arrow hands out timestamps of any unit as epoch milliseconds.
    for (const at of batch.getChild('at') ?? []) if (at !== null) latest = Math.max(latest, Number(at));
  }
  return json({ version: snapshot.version, rows, files: snapshot.numFiles, valueSum, latest: rows > 0 ? new Date(latest).toISOString() : null });
}

/**
 * The rows as Arrow columns with explicit types, built from typed arrays. apache-arrow's builders
 * (`vectorFromArray`, `tableFromArrays`, `makeBuilder` with `nullValues`) compile their null check with
 * `new Function`, which Workers forbid ("Code generation from strings disallowed"), so they are not used here.
 */
function toArrow(rows: readonly EventRow[]): Table {
  const valid = rows.map((r) => r.value !== null);
  return new Table({
    id: makeVector(makeData({ type: new Int64(), data: BigInt64Array.from(rows, (r) => BigInt(r.id)) })),
    kind: makeVector(utf8(rows.map((r) => r.kind))),
    value: makeVector(
      makeData({ type: new Float64(), data: Float64Array.from(rows, (r) => r.value ?? 0), nullBitmap: bitmap(valid), nullCount: valid.filter((v) => !v).length }),
    ),
    at: makeVector(makeData({ type: new TimestampMillisecond('UTC'), data: BigInt64Array.from(rows, (r) => BigInt(Date.parse(r.at))) })),
  });
}

/** A UTF-8 string column: offsets into one byte buffer. */
function utf8(values: readonly string[]): Data<Utf8> {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => encoder.encode(v));
  const valueOffsets = new Int32Array(values.length + 1);
  const bytes = new Uint8Array(encoded.reduce((n, e) => n + e.byteLength, 0));
  encoded.forEach((e, i) => {
    bytes.set(e, valueOffsets[i]!);
    valueOffsets[i + 1] = valueOffsets[i]! + e.byteLength;
  });
  return makeData({ type: new Utf8(), data: bytes, valueOffsets });
}

/** Arrow's validity bitmap: bit i set when row i is not null. */
function bitmap(valid: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(valid.length / 8));
  valid.forEach((v, i) => {
    if (v) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

function parseRows(body: unknown): EventRow[] {
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_ROWS) {
    throw new BadRequest(`the body must be a JSON array of 1 to ${MAX_ROWS} events like {"id":1,"kind":"click","value":0.5,"at":"2025-01-01T00:00:00Z"}`);
  }
  return body.map((row: unknown, i) => {
    const r = (row ?? {}) as Record<string, unknown>;
    if (!Number.isSafeInteger(r.id)) throw new BadRequest(`event ${i}: id must be an integer`);
    if (typeof r.kind !== 'string') throw new BadRequest(`event ${i}: kind must be a string`);
    if (r.value !== undefined && r.value !== null && typeof r.value !== 'number') throw new BadRequest(`event ${i}: value must be a number or null`);
    if (typeof r.at !== 'string' || Number.isNaN(Date.parse(r.at))) throw new BadRequest(`event ${i}: at must be an ISO-8601 timestamp`);
    return { id: r.id as number, kind: r.kind, value: (r.value as number | null | undefined) ?? null, at: r.at };
  });
}

class BadRequest extends Error {}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
