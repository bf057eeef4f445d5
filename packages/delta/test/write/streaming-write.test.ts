// The data forms writeDeltaTable accepts, failure of a source part-way, file rolling, bounded memory over a
// large lazily generated input, and zstd data files.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { Binary, Field, Float64, Int32, Int64, RecordBatch, Schema, Table, Utf8, makeData, vectorFromArray, type Data } from 'apache-arrow';
import type { ObjectStore } from '@duckrun/storage';
import { DeltaTable, NotADeltaTableError, SchemaError, writeDeltaTable, type WriteData } from '../../src/index.js';
import { parquetWasm } from '../../src/parquet/wasm.js';
import { collectRows, freshMemoryStore, tempDir } from '../helpers.js';

type Row = Record<string, unknown>;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function localDir(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return dir;
}

async function keysOf(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.list('')) out.push(e.path);
  return out.sort();
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1)).sort();
}

async function rowsOf(uri: string, store?: ObjectStore): Promise<Row[]> {
  const snap = await (await DeltaTable.open(uri, store ? { store } : {})).snapshot();
  return (await collectRows(snap.scan())).sort((a, b) => Number(a.id) - Number(b.id));
}

/** Rows `start … start+n-1`: an int id, a string and a double. */
function people(start: number, n: number): RecordBatch {
  const ids = Array.from({ length: n }, (_, i) => start + i);
  return new RecordBatch({
    id: vectorFromArray(ids, new Int32()).data[0]!,
    name: vectorFromArray(ids.map((i) => (i % 7 === 0 ? null : `person-${i}-ü`)), new Utf8()).data[0]!,
    score: vectorFromArray(ids.map((i) => i * 0.25), new Float64()).data[0]!,
  });
}

const expectedPeople = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({ id: i, name: i % 7 === 0 ? null : `person-${i}-ü`, score: i * 0.25 }));

/** A cheap deterministic PRNG (xorshift32), so payloads do not compress away. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `n` rows of an int id and three incompressible numeric columns (28 bytes a row). */
function randomBatch(start: number, n: number): RecordBatch {
  const next = prng(start + 1);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const c = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = next() / 7;
    b[i] = next() * 1.000001;
    c[i] = (BigInt(next()) << 32n) | BigInt(next());
  }
  return new RecordBatch({
    id: vectorFromArray(Array.from({ length: n }, (_, i) => start + i), new Int32()).data[0]!,
    a: makeData({ type: new Float64(), length: n, data: a }),
    b: makeData({ type: new Float64(), length: n, data: b }),
    c: makeData({ type: new Int64(), length: n, data: c }),
  });
}

/** A forced full GC when the runtime lets us have one (for a stable RSS baseline). */
function gc(): void {
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // No gc available: the baseline is just noisier.
  }
}

// ---------------------------------------------------------------------------------------------------

describe('data forms', () => {
  const parts = (): RecordBatch[] => [people(0, 100), people(100, 250), people(350, 50)];
  const forms: [string, () => WriteData][] = [
    ['an Arrow Table', () => new Table(parts())],
    ['a single RecordBatch', () => people(0, 400)],
    ['an array of RecordBatches', () => parts()],
    [
      'a sync generator',
      () =>
        (function* () {
          yield* parts();
        })(),
    ],
    [
      'an async generator',
      () =>
        (async function* () {
          for (const b of parts()) {
            await new Promise((r) => setTimeout(r, 1));
            yield b;
          }
        })(),
    ],
    [
      'a Web ReadableStream',
      () => {
        const queue = parts();
        return new ReadableStream<RecordBatch>({
          pull(controller) {
            const next = queue.shift();
            if (next === undefined) controller.close();
            else controller.enqueue(next);
          },
        });
      },
    ],
  ];

  for (const [label, make] of forms) {
    it(`writes the same rows from ${label}`, async () => {
      const store = freshMemoryStore();
      const r = await writeDeltaTable(store.url, make(), { store });
      expect(r).toMatchObject({ committed: true, created: true, version: 0, rowsWritten: 400 });
      expect(await rowsOf(store.url, store)).toEqual(expectedPeople(400));
      const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
      expect(snap.schema.fields.map((f) => [f.name, f.type])).toEqual([
        ['id', 'integer'],
        ['name', 'string'],
        ['score', 'double'],
      ]);
    });
  }

  it('writes the same rows from every form to a local folder given as a plain path', async () => {
    for (const [label, make] of forms) {
      const dir = await localDir();
      await writeDeltaTable(dir, make(), { mode: 'error' });
      expect({ label, rows: await rowsOf(dir) }).toEqual({ label, rows: expectedPeople(400) });
    }
  });

  it('refuses to create a table from a stream without batches with a SchemaError, and leaves the location empty', async () => {
    const empties: [string, () => WriteData][] = [
      ['async generator', () => (async function* (): AsyncGenerator<RecordBatch> {})()],
      ['sync generator', () => (function* (): Generator<RecordBatch> {})()],
      ['empty array', () => []],
      ['ReadableStream', () => new ReadableStream<RecordBatch>({ start: (c) => c.close() })],
    ];
    for (const [label, make] of empties) {
      const store = freshMemoryStore();
      const err = await writeDeltaTable(store.url, make(), { store }).catch((e: unknown) => e);
      expect({ label, isSchemaError: err instanceof SchemaError }).toEqual({ label, isSchemaError: true });
      expect((err as Error).message).toMatch(/without batches.*schema is unknown.*Arrow Table.*DeltaTable\.create/);
      expect(await keysOf(store)).toEqual([]);
    }
  });

  it('creates an empty table from an empty Arrow Table, which carries a schema', async () => {
    const schema = new Schema([new Field('id', new Int32(), false), new Field('name', new Utf8(), true), new Field('score', new Float64(), true)]);
    for (const dir of [await localDir(), undefined]) {
      const store = dir === undefined ? freshMemoryStore() : undefined;
      const uri = dir ?? store!.url;
      const r = await writeDeltaTable(uri, new Table(schema), store ? { store } : {});
      expect(r).toMatchObject({ committed: true, created: true, version: 0, rowsWritten: 0, filesAdded: 0 });
      const snap = await (await DeltaTable.open(uri, store ? { store } : {})).snapshot();
      expect(snap.schema.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
        ['id', 'integer', false],
        ['name', 'string', true],
        ['score', 'double', true],
      ]);
      expect(snap.addFiles()).toEqual([]);
      expect(await collectRows(snap.scan())).toEqual([]);
      // Appending to it then works like any table.
      await writeDeltaTable(uri, people(0, 3), { ...(store ? { store } : {}), mode: 'append' });
      expect((await rowsOf(uri, store)).map((x) => x.id)).toEqual([0, 1, 2]);
    }
  });
});

describe('a source that fails part-way', () => {
  it('leaves no commit and no table when the generator throws mid-way, after its finally block ran', async () => {
    for (const kind of ['memory', 'local'] as const) {
      const store = kind === 'memory' ? freshMemoryStore() : undefined;
      const dir = kind === 'local' ? await localDir() : undefined;
      const uri = dir ?? store!.url;
      let finallyRan = false;
      let produced = 0;
      const source = (async function* () {
        try {
          for (let i = 0; i < 10; i++) {
            if (i === 6) throw new Error('upstream query failed at batch 6');
            produced++;
            yield randomBatch(i * 1000, 1000);
          }
        } finally {
          finallyRan = true;
        }
      })();
      // A small target so that files were already flushed when the source fails.
      const err = await writeDeltaTable(uri, source, { ...(store ? { store } : {}), targetFileSize: 16 * 1024 }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('upstream query failed at batch 6');
      expect({ kind, finallyRan, produced }).toEqual({ kind, finallyRan: true, produced: 6 });
      const keys = store ? await keysOf(store) : await filesUnder(dir!);
      expect(keys.filter((k) => k.startsWith('_delta_log'))).toEqual([]);
      await expect(DeltaTable.open(uri, store ? { store } : {})).rejects.toThrow(NotADeltaTableError);
      // Files of a write that never committed are removed, like those of a write whose commit failed.
      expect({ kind, leftover: keys }).toEqual({ kind, leftover: [] });
      // The location is still usable.
      await writeDeltaTable(uri, people(0, 3), store ? { store } : {});
      expect((await rowsOf(uri, store)).map((x) => x.id)).toEqual([0, 1, 2]);
    }
  });

  it('stops the producer (its finally runs, nothing more is pulled) when the write fails on a later batch', async () => {
    const store = freshMemoryStore();
    let finallyRan = false;
    let pulled = 0;
    const source = (function* () {
      try {
        for (let i = 0; i < 100; i++) {
          pulled++;
          // Batch 3 has a string where the table has an int.
          yield i === 3
            ? new RecordBatch({ id: vectorFromArray(['x'], new Utf8()).data[0]!, name: vectorFromArray(['y'], new Utf8()).data[0]!, score: vectorFromArray([1], new Float64()).data[0]! })
            : people(i * 10, 10);
        }
      } finally {
        finallyRan = true;
      }
    })();
    // A tiny target: the first batches are already in data files when batch 3 fails.
    await expect(writeDeltaTable(store.url, source, { store, targetFileSize: 100 })).rejects.toThrow(SchemaError);
    expect({ finallyRan, pulled }).toEqual({ finallyRan: true, pulled: 4 });
    expect(await keysOf(store)).toEqual([]);

    // A ReadableStream source is cancelled.
    let cancelled: unknown = 'not cancelled';
    let i = 0;
    const stream = new ReadableStream<RecordBatch>({
      pull(controller) {
        controller.enqueue(i++ === 2 ? new RecordBatch({ id: vectorFromArray([1n], new Int64()).data[0]!, other: vectorFromArray([1], new Int32()).data[0]! }) : people(i * 10, 10));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const store2 = freshMemoryStore();
    await expect(writeDeltaTable(store2.url, stream, { store: store2, targetFileSize: 100 })).rejects.toThrow(SchemaError);
    expect(cancelled).not.toBe('not cancelled');
    expect(await keysOf(store2)).toEqual([]);
  });
});

describe('file rolling and bounded memory', () => {
  it('rolls files at targetFileSize: a 64 KiB target over ~1.4 MB gives many files, each at most about the target plus one batch', async () => {
    const store = freshMemoryStore();
    const target = 64 * 1024;
    const batchRows = 1000;
    const batchBytes = batchRows * 28;
    const nBatches = 50;
    const r = await writeDeltaTable(
      store.url,
      (function* () {
        for (let i = 0; i < nBatches; i++) yield randomBatch(i * batchRows, batchRows);
      })(),
      { store, targetFileSize: target },
    );
    const inputBytes = nBatches * batchBytes;
    expect(r.rowsWritten).toBe(nBatches * batchRows);
    const adds = (await (await DeltaTable.open(store.url, { store })).snapshot()).addFiles();
    expect(adds.length).toBe(r.filesAdded);
    // ~1.4 MB / 64 KiB ≈ 21 files; allow for parquet being a little smaller or larger than Arrow.
    expect(adds.length).toBeGreaterThanOrEqual(Math.floor(inputBytes / target / 2));
    expect(adds.length).toBeLessThanOrEqual(Math.ceil((inputBytes / target) * 2) + 1);
    for (const add of adds) expect(add.size).toBeLessThanOrEqual(target + batchBytes + 8 * 1024);
    const numRecords = adds.map((a) => (JSON.parse(a.stats!) as { numRecords: number }).numRecords);
    expect(numRecords.reduce((x, y) => x + y, 0)).toBe(nBatches * batchRows);
    // Files are filled up to the target before rolling: all but the last hold about the same rows.
    const full = numRecords.slice(0, -1);
    expect(Math.min(...full)).toBeGreaterThan(0.8 * (target / 28));
    const ids = (await rowsOf(store.url, store)).map((x) => x.id);
    expect(ids).toEqual(Array.from({ length: nBatches * batchRows }, (_, i) => i));
  });

  it('keeps peak RSS growth well below the input size, and flat once warmed up, while writing ~480 MiB generated lazily', async () => {
    const dir = await localDir();
    const batches = 320;
    const rows = 512;
    const valueBytes = 3 * 1024;
    const batchBytes = rows * (valueBytes + 8 + 4);
    const inputBytes = batches * batchBytes; // ≈ 480 MiB
    const pool = new Uint8Array(8 * 1024 * 1024);
    const next = prng(42);
    const pool32 = new Uint32Array(pool.buffer);
    for (let i = 0; i < pool32.length; i++) pool32[i] = next();

    gc();
    const baseline = process.memoryUsage().rss;
    // Peak RSS over the first and the second half of the batches.
    const peaks = [baseline, baseline];
    const sample = (half: 0 | 1): void => {
      peaks[half] = Math.max(peaks[half]!, process.memoryUsage().rss);
    };
    const started = Date.now();
    const source = (async function* () {
      for (let b = 0; b < batches; b++) {
        sample(b < batches / 2 ? 0 : 1);
        // Fresh buffers per batch (a writer holding on to batches would show up in RSS).
        const payload = new Uint8Array(rows * valueBytes);
        const from = (b * 104_729) % (pool.length - payload.length);
        payload.set(pool.subarray(from, from + payload.length));
        payload[0] = b & 0xff;
        const offsets = Int32Array.from({ length: rows + 1 }, (_, i) => i * valueBytes);
        const ids = BigInt64Array.from({ length: rows }, (_, i) => BigInt(b * rows + i));
        yield new RecordBatch({
          id: makeData({ type: new Int64(), length: rows, data: ids }),
          payload: makeData({ type: new Binary(), length: rows, valueOffsets: offsets, data: payload }) as Data<Binary>,
        });
      }
      sample(1);
    })();
    const r = await writeDeltaTable(dir, source, { targetFileSize: 8 * 1024 * 1024 });
    sample(1);
    const seconds = (Date.now() - started) / 1000;
    const MiB = (n: number): number => Math.round(n / 2 ** 20);
    const growth = Math.max(...peaks) - baseline;
    const report = { inputMiB: MiB(inputBytes), growthMiB: MiB(growth), firstHalfMiB: MiB(peaks[0]! - baseline), secondHalfMiB: MiB(peaks[1]! - baseline), seconds };
    console.log(`bounded-memory write: ${JSON.stringify(report)}`);
    expect(r.rowsWritten).toBe(batches * rows);
    // ~480 MiB / 8 MiB ≈ 60 files.
    expect(r.filesAdded).toBeGreaterThanOrEqual(50);
    expect(r.bytesWritten).toBeGreaterThan(inputBytes * 0.9);
    // Bounded by the target file size (plus parquet-wasm's heap and not-yet-collected garbage; ~110 MiB
    // measured), not by the input: well under 40% of it, and no climb in the second half.
    expect({ ...report, ok: growth < 0.4 * inputBytes }).toMatchObject({ ok: true });
    expect({ ...report, flat: peaks[1]! - peaks[0]! < 0.1 * inputBytes }).toMatchObject({ flat: true });
    // The table is complete: every row is counted in the stats.
    const snap = await (await DeltaTable.open(dir)).snapshot();
    const n = snap.addFiles().reduce((s, a) => s + (JSON.parse(a.stats!) as { numRecords: number }).numRecords, 0);
    expect(n).toBe(batches * rows);
  }, 120_000);
});

describe('zstd compression', () => {
  it("writes zstd data files named *.zstd.parquet whose footer says ZSTD and that read back; the default is snappy", async () => {
    const pw = await parquetWasm();
    const codecsOf = async (bytes: Uint8Array): Promise<number[]> => {
      const file = await pw.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      try {
        const meta = file.metadata();
        return meta.rowGroups().flatMap((g) => g.columns().map((c) => c.compression()));
      } finally {
        file.free();
      }
    };
    for (const [compression, suffix, codec] of [
      ['zstd', '.zstd.parquet', pw.Compression.ZSTD],
      [undefined, '.snappy.parquet', pw.Compression.SNAPPY],
    ] as const) {
      const dir = await localDir();
      const batch = people(0, 2000);
      const part = new RecordBatch({ ...Object.fromEntries(batch.schema.fields.map((f, i) => [f.name, batch.data.children[i]!])), p: vectorFromArray(Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 'even' : 'odd')), new Utf8()).data[0]! });
      const r = await writeDeltaTable(dir, part, { partitionBy: ['p'], ...(compression ? { compression } : {}) });
      expect(r.filesAdded).toBe(2);
      const snap = await (await DeltaTable.open(dir)).snapshot();
      for (const add of snap.addFiles()) {
        expect(add.path.endsWith(suffix)).toBe(true);
        const bytes = new Uint8Array(await readFile(join(dir, decodeURIComponent(add.path))));
        expect(bytes.byteLength).toBe(add.size);
        const codecs = await codecsOf(bytes);
        expect(codecs.length).toBeGreaterThan(0);
        expect(new Set(codecs)).toEqual(new Set([codec]));
      }
      const rows = (await collectRows(snap.scan())).sort((a, b) => Number(a.id) - Number(b.id));
      expect(rows).toEqual(expectedPeople(2000).map((row) => ({ ...row, p: Number(row.id) % 2 === 0 ? 'even' : 'odd' })));
    }
  });

  it("refuses an unknown codec, naming the supported ones, before writing anything", async () => {
    const store = freshMemoryStore();
    await expect(writeDeltaTable(store.url, people(0, 3), { store, compression: 'gzip' as never })).rejects.toThrow(/compression "gzip".*'snappy'.*'zstd'/);
    expect(await keysOf(store)).toEqual([]);
  });
});
