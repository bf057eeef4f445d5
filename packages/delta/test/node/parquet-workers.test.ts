// The worker-thread encoder of `@duckrun/delta/node`: the same table as the in-line encoder (rows, file
// layout), streaming files side by side; its stats come from the footers, so they are the row stats less
// what a footer cannot say (a float bound when ±Infinity is present, a list's own null count), never a
// different value. A failure part-way leaves no data file behind and the workers usable.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Binary,
  Bool,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  RecordBatch,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  vectorFromArray,
  tableFromArrays,
  type Table,
} from 'apache-arrow';
import { DataFileError, DeltaTable, writeDeltaTable, type AddFile, type WriteOptions } from '../../src/index.js';
import { parquetWorkers } from '../../src/node/index.js';
import { tempDir } from '../helpers.js';

const workers = parquetWorkers({ threads: 2 });
const LONG = 'λ'.repeat(300) + 'end';

/** `n` rows of flat and nested columns, nulls and awkward bounds included; `id` numbers the rows. */
function batch(n: number, offset = 0): RecordBatch {
  const ids = Array.from({ length: n }, (_, i) => offset + i);
  const pick = <T,>(values: T[]) => ids.map((i) => values[i % values.length]!);
  const table = tableFromArrays({
    id: Int32Array.from(ids),
    big: vectorFromArray(pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, null]), new Int64()),
    f: vectorFromArray(pick([Number.NaN, Infinity, -0, 1.5, null]), new Float64()),
    s: vectorFromArray(pick(['', 'héllo', LONG, '😀', null]), new Utf8()),
    bin: vectorFromArray(pick([Uint8Array.of(0, 255), new Uint8Array(0), null]), new Binary()),
    b: vectorFromArray(pick([true, false, null]), new Bool()),
    d: vectorFromArray(pick([new Date(Date.UTC(1969, 11, 31)), new Date(Date.UTC(2024, 1, 29)), null]), new DateDay()),
    ts: vectorFromArray(pick([new Date(Date.UTC(2001, 0, 1, 12)), null, new Date(0)]), new Timestamp(TimeUnit.MICROSECOND, 'UTC')),
    st: vectorFromArray(pick([{ x: 1, y: 'a' }, null, { x: null, y: 'b' }]), new Struct([new Field('x', new Int32(), true), new Field('y', new Utf8(), true)])),
    l: vectorFromArray(pick([[1, 2], [], null, [null, 3]]), new List(new Field('item', new Int32(), true))),
    p: vectorFromArray(pick(['a', 'b', null]), new Utf8()),
  } as never) as Table;
  return table.batches.length === 1 ? table.batches[0]! : new RecordBatch(table.schema, table.batches[0]!.data);
}

async function* batches(count: number, rows: number): AsyncIterable<RecordBatch> {
  for (let i = 0; i < count; i++) yield batch(rows, i * rows);
}

async function writeBoth(options: WriteOptions, count = 6, rows = 5_000): Promise<{ inline: DeltaTable; worker: DeltaTable }> {
  const a = await tempDir();
  const b = await tempDir();
  const inline = await writeDeltaTable(a.dir, batches(count, rows), options);
  const worker = await writeDeltaTable(b.dir, batches(count, rows), { ...options, encoder: workers });
  expect(inline.dataFiles).toEqual({ writer: 'arrow', encoder: 'parquet-wasm' });
  expect(worker.dataFiles).toEqual({ writer: 'arrow', encoder: 'parquet-wasm-workers' });
  expect(worker.rowsWritten).toBe(inline.rowsWritten);
  return { inline: await DeltaTable.open(a.dir), worker: await DeltaTable.open(b.dir) };
}

type Stats = { numRecords: number; minValues: Record<string, unknown>; maxValues: Record<string, unknown>; nullCount: Record<string, unknown> };

/** The files in id order: partition values and stats, whatever the file names. */
async function layout(table: DeltaTable): Promise<{ partition: string; stats: Stats }[]> {
  const snap = await table.snapshot();
  return snap
    .addFiles()
    .map((a: AddFile) => ({ partition: JSON.stringify(a.partitionValues), stats: JSON.parse(a.stats!) as Stats }))
    .sort((x, y) => (x.stats.minValues['id'] as number) - (y.stats.minValues['id'] as number));
}

/** `part` with only the entries of `whole`, recursively, that it holds (a footer leaves some out). */
function within(whole: Record<string, unknown>, part: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(whole)
      .filter(([k]) => k in part)
      .map(([k, v]) => [k, v !== null && typeof v === 'object' ? within(v as Record<string, unknown>, part[k] as Record<string, unknown>) : v]),
  );
}

async function expectSameFiles(inline: DeltaTable, worker: DeltaTable): Promise<number> {
  const a = await layout(inline);
  const b = await layout(worker);
  expect(b.map((f) => [f.partition, f.stats.numRecords])).toEqual(a.map((f) => [f.partition, f.stats.numRecords]));
  a.forEach((f, i) => {
    const w = b[i]!.stats;
    for (const key of ['minValues', 'maxValues', 'nullCount'] as const) expect(w[key]).toEqual(within(f.stats[key], w[key]));
    // Only what a footer cannot give is missing: f's max (it holds +Infinity) and the list's own null count.
    expect(Object.keys(w.maxValues).sort()).toEqual(Object.keys(f.stats.maxValues).filter((k) => k !== 'f').sort());
    expect(Object.keys(w.nullCount).sort()).toEqual(Object.keys(f.stats.nullCount).filter((k) => k !== 'l').sort());
    expect(Object.keys(w.minValues).sort()).toEqual(Object.keys(f.stats.minValues).sort());
  });
  return a.length;
}

async function rows(table: DeltaTable): Promise<string[]> {
  const out: string[] = [];
  for await (const b of (await table.snapshot()).scan()) {
    for (const r of b.toArray()) out.push(JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)));
  }
  return out.sort();
}

describe('parquetWorkers() encoder', () => {
  it('writes the same rows and files as the in-line encoder, with the stats its footers give', async () => {
    // A small target size makes several files, so files stream and close side by side.
    const { inline, worker } = await writeBoth({ mode: 'overwrite', targetFileSize: 256 * 1024 });
    expect(await expectSameFiles(inline, worker)).toBeGreaterThan(3);
    expect(await rows(worker)).toEqual(await rows(inline));
  });

  it('writes partitioned tables the same way (interleaved partitions, buffered and streaming files)', async () => {
    const { inline, worker } = await writeBoth({ mode: 'overwrite', partitionBy: ['p'], targetFileSize: 128 * 1024 });
    expect(await expectSameFiles(inline, worker)).toBeGreaterThan(3);
    expect(new Set((await layout(worker)).map((f) => f.partition)).size).toBe(3);
    expect(await rows(worker)).toEqual(await rows(inline));
  });

  it('does not wait on itself when partitions outnumber the encoder slots (one worker, interleaved partitions)', async () => {
    // One slot, held by the first partition's streaming file; the others buffer until they must be encoded.
    const one = parquetWorkers({ threads: 1 });
    const t = await tempDir();
    const r = await writeDeltaTable(t.dir, batches(6, 5_000), { mode: 'overwrite', partitionBy: ['p'], targetFileSize: 1024 * 1024, encoder: one });
    expect(r.rowsWritten).toBe(30_000);
    const snap = await (await DeltaTable.open(t.dir)).snapshot();
    expect(snap.addFiles().reduce((n, a) => n + (JSON.parse(a.stats!) as Stats).numRecords, 0)).toBe(30_000);
  }, 30_000);

  it('leaves no data file behind when the source fails part-way, and the workers still write afterwards', async () => {
    const t = await tempDir();
    async function* failing(): AsyncIterable<RecordBatch> {
      yield* batches(4, 5_000);
      throw new Error('source broke');
    }
    await expect(writeDeltaTable(t.dir, failing(), { mode: 'overwrite', targetFileSize: 128 * 1024, encoder: workers })).rejects.toThrow('source broke');
    const left = (await readdir(t.dir, { recursive: true })).filter((f) => f.endsWith('.parquet'));
    expect(left).toEqual([]);
    const ok = await writeDeltaTable(join(t.dir, 'again'), batches(2, 1_000), { mode: 'overwrite', encoder: workers });
    expect(ok.rowsWritten).toBe(2_000);
  });

  it('decodes scans in a worker, one file ahead, with the same rows; a missing file fails when its turn comes', async () => {
    const t = await tempDir();
    await writeDeltaTable(t.dir, batches(6, 5_000), { mode: 'overwrite', partitionBy: ['p'], targetFileSize: 128 * 1024 });
    const snap = await (await DeltaTable.open(t.dir)).snapshot();
    const read = async (options: Parameters<typeof snap.scan>[0]): Promise<string[]> => {
      const out: string[] = [];
      for await (const b of snap.scan(options)) for (const r of b.toArray()) out.push(JSON.stringify(r.toJSON(), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)));
      return out.sort();
    };
    expect(await read({ decoder: workers })).toEqual(await read({}));
    expect(await read({ decoder: workers, columns: ['p', 'id'] })).toEqual(await read({ columns: ['p', 'id'] }));

    const files = snap.files();
    expect(files.length).toBeGreaterThan(2);
    await rm(join(t.dir, decodeURIComponent(files[1]!.path)));
    const seen: number[] = [];
    const failed = await (async () => {
      for await (const b of snap.scan({ decoder: workers, files: files.slice(0, 3) })) seen.push(b.numRows);
    })().catch((e: unknown) => e);
    expect(seen.reduce((a, n) => a + n, 0)).toBe(files[0]!.numRecords);
    expect(failed).toBeInstanceOf(DataFileError);
    expect((failed as Error).message).toMatch(/is missing/);
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => parquetWorkers({ threads: 0 })).toThrow(/threads is 0/);
  });
});
