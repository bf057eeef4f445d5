// The example Worker end to end: bundled by build.mjs exactly as it would be deployed, run by miniflare in real
// workerd with an R2 bucket, fed rows over HTTP; then the table is read back from Node through the same bucket.
// If workerd cannot start here, the tests are skipped with the reason printed, never passed.

import { DeltaTable } from '@duckrun/delta';
import { R2Store, type R2BucketLike } from '@duckrun/storage/r2';
import { Miniflare } from 'miniflare';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error build.mjs is plain JavaScript
import { build, formatSizes } from '../build.mjs';

interface SizeReport {
  files: { name: string; type: 'ESModule' | 'CompiledWasm'; path: string; bytes: number; gzipBytes: number }[];
  total: { bytes: number; gzipBytes: number };
}

interface Event {
  id: number;
  kind: string;
  value: number | null;
  at: string;
}

const outdir = await mkdtemp(join(tmpdir(), 'duckrun-worker-'));
const report = (await build({ outdir })) as SizeReport;
console.log(`[worker example] bundle size (esbuild, minified):\n${formatSizes(report)}`);

async function startWorker(): Promise<{ mf?: Miniflare; skip?: string }> {
  let mf: Miniflare | undefined;
  try {
    mf = new Miniflare({
      modulesRoot: outdir,
      modules: report.files.map((f) => ({ type: f.type, path: f.path })),
      compatibilityDate: '2025-01-01',
      r2Buckets: ['BUCKET'],
    });
    await mf.ready;
    return { mf };
  } catch (e) {
    await mf?.dispose().catch(() => undefined);
    const reason = `miniflare/workerd could not start on this machine: ${e instanceof Error ? e.message : String(e)}`;
    console.warn(`[worker example] skipping: ${reason}`);
    return { skip: reason };
  }
}

const { mf, skip } = await startWorker();

afterAll(async () => {
  await mf?.dispose();
  await rm(outdir, { recursive: true, force: true });
});

const describeWorker = skip === undefined ? describe : describe.skip;

describeWorker(`the example Worker${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const batches: Event[][] = [
    [
      { id: 1, kind: 'click', value: 0.5, at: '2025-01-01T00:00:00.000Z' },
      { id: 2, kind: 'view', value: null, at: '2025-01-01T00:00:01.250Z' },
      { id: 3, kind: 'cliqué ✓', value: -3.75, at: '2025-01-02T12:30:00.000Z' },
    ],
    [
      { id: 4, kind: 'click', value: 1e9, at: '2025-02-01T00:00:00.000Z' },
      { id: 5, kind: 'purchase', value: 19.99, at: '2025-02-01T00:00:00.001Z' },
    ],
  ];
  const concurrent: Event[][] = [
    [{ id: 6, kind: 'a', value: 6, at: '2025-03-01T00:00:00.000Z' }],
    [{ id: 7, kind: 'b', value: 7, at: '2025-03-01T00:00:00.000Z' }],
  ];

  async function post(rows: Event[]): Promise<{ status: number; body: { version: number; rowsWritten: number; attempts: number } }> {
    const res = await mf!.dispatchFetch('http://worker/events', { method: 'POST', body: JSON.stringify(rows), headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as { version: number; rowsWritten: number; attempts: number } };
  }

  async function get(): Promise<{ version: number | null; rows: number; files: number; valueSum: number; latest: string | null }> {
    const res = await mf!.dispatchFetch('http://worker/events');
    expect(res.status).toBe(200);
    return (await res.json()) as { version: number | null; rows: number; files: number; valueSum: number; latest: string | null };
  }

  it('answers an empty table before the first POST', async () => {
    expect(await get()).toEqual({ version: null, rows: 0, files: 0, valueSum: 0, latest: null });
  });

  it('appends each POST as one commit and reads every column back by scanning the table inside workerd', async () => {
    const first = await post(batches[0]!);
    expect(first).toMatchObject({ status: 201, body: { version: 0, rowsWritten: 3 } });
    const second = await post(batches[1]!);
    expect(second).toMatchObject({ status: 200, body: { version: 1, rowsWritten: 2 } });
    expect(await get()).toEqual({ version: 1, rows: 5, files: 5, valueSum: 0.5 - 3.75 + 1e9 + 19.99, latest: '2025-02-01T00:00:00.001Z' });
  });

  it('lands two concurrent POSTs exactly once each (R2 conditional put, rebased append)', async () => {
    const results = await Promise.all(concurrent.map((rows) => post(rows)));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.body.version).sort()).toEqual([2, 3]);
    expect(await get()).toMatchObject({ version: 3, rows: 7, files: 7, latest: '2025-03-01T00:00:00.000Z' });
  });

  it('rejects a malformed body with 400 and commits nothing', async () => {
    const res = await mf!.dispatchFetch('http://worker/events', { method: 'POST', body: '[{"id":"x"}]' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/id must be an integer/);
    expect((await get()).version).toBe(3);
  });

  it('wrote a table that Node reads back row for row through the same R2 bucket', async () => {
    const bucket = (await mf!.getR2Bucket('BUCKET')) as unknown as R2BucketLike;
    const table = await DeltaTable.open('r2://BUCKET/tables/events', { store: new R2Store(bucket, 'tables/events', { name: 'BUCKET' }) });
    const snapshot = await table.snapshot();
    expect(snapshot.version).toBe(3);
    expect(snapshot.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'long'],
      ['kind', 'string'],
      ['value', 'double'],
      ['at', 'timestamp'],
    ]);
    const rows: Event[] = [];
    for await (const batch of snapshot.scan()) {
      for (const row of batch) {
        const r = row.toJSON() as { id: bigint; kind: string; value: number | null; at: number | bigint };
        rows.push({ id: Number(r.id), kind: r.kind, value: r.value, at: new Date(toMillis(r.at)).toISOString() });
      }
    }
    rows.sort((a, b) => a.id - b.id);
    expect(rows).toEqual([...batches.flat(), ...concurrent.flat()]);
    const history = await table.history();
    expect(history.map((h) => h.version)).toEqual([3, 2, 1, 0]);
    // Data files are parquet (written by parquet-wasm's web build inside workerd), in the table's prefix.
    const files = snapshot.files().map((f) => f.path);
    expect(files).toHaveLength(7);
    for (const f of files) expect(f).toMatch(/^kind=[^/]+\/part-\d+-[0-9a-f-]{36}(\.c\d+)?\.snappy\.parquet$/);
    const keys: string[] = [];
    for (const o of (await bucket.list({ prefix: 'tables/events/' })).objects) keys.push(o.key);
    expect(keys.filter((k) => k.startsWith('tables/events/_delta_log/'))).toEqual([0, 1, 2, 3].map((v) => `tables/events/_delta_log/${String(v).padStart(20, '0')}.json`));
    expect(keys.filter((k) => k.endsWith('.parquet')).sort()).toEqual(files.map((f) => `tables/events/${decodeURIComponent(f)}`).sort());
  });

  it('reports its bundle size: one ES module plus the parquet-wasm module', () => {
    expect(report.files.map((f) => f.name)).toEqual(['index.js', 'parquet_wasm_bg.wasm']);
    // Regression guard for the JS side (Node built-ins or a cloud SDK creeping into the bundle would blow it up).
    expect(report.files[0]!.bytes).toBeLessThan(1024 * 1024);
    // Cloudflare's limits apply to the compressed upload: 3 MB (Free) / 10 MB (Paid).
    expect(report.total.gzipBytes).toBeLessThan(3 * 1000 * 1000);
  });
});

/** apache-arrow hands out timestamps as epoch milliseconds (a bigint would be microseconds). */
function toMillis(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(v / 1000n) : v;
}
