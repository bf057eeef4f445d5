// The Engine contract on every backend (DuckDB-WASM and native): results, streaming, Arrow registration, errors, busy, close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Field, Int32, Schema, Utf8, tableFromArrays, tableToIPC, type RecordBatch } from 'apache-arrow';
import { isDuckrunError } from '@duckrun/storage';
import type { Engine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/open-engine.js';
import { openWasmEngine } from '../../src/engine/wasm.js';
import { ENGINES } from '../engines.js';

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe.each(ENGINES)('%s engine contract', (kind) => {
  let engine: Engine;
  let startupMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    engine = await openEngine(kind);
    startupMs = performance.now() - t0;
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('starts offline from the installed package files within a few seconds', () => {
    expect(startupMs).toBeLessThan(15_000);
    expect(engine.capabilities).toMatchObject(
      kind === 'wasm'
        ? { name: 'duckdb-wasm', parquet: false, json: false, threads: 1 }
        : { name: 'duckdb-native', parquet: true, json: true },
    );
    expect(engine.capabilities.threads).toBeGreaterThanOrEqual(1);
    expect(engine.capabilities.version).toMatch(/^v1\./);
  });

  it('returns query results as apache-arrow 21 tables with exact 64-bit integers', async () => {
    const t = await engine.query('SELECT 9007199254740993::BIGINT AS big, \'x\' AS s UNION ALL SELECT 1, NULL');
    expect(t.numRows).toBe(2);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['big', 's']);
    expect(t.getChild('big')!.get(0)).toBe(9007199254740993n);
    expect(t.getChild('s')!.get(1)).toBeNull();
  });

  it('runs VALUES lists and multi-statement text, returning the last result', async () => {
    const t = await engine.query('CREATE TEMP TABLE v AS SELECT * FROM (VALUES (1, \'a\'), (2, \'b\')) t(n, s); SELECT sum(n) AS total FROM v');
    expect(Number(t.getChild('total')!.get(0))).toBe(3);
    await engine.dropTable('v');
  });

  it('reports DuckDB errors as QueryError with a one-paragraph message and the full detail', async () => {
    const e = await caught(engine.query('SELECT * FROM no_such_table'));
    expect(isDuckrunError(e, 'SQL_QUERY')).toBe(true);
    expect((e as Error).message).toMatch(/^Catalog Error: Table with name no_such_table does not exist/);
    expect((e as Error).message).not.toContain('\n');
    expect((e as { detail: string }).detail).toContain('LINE 1');
  });

  it.runIf(kind === 'wasm')('fails fast, not by hanging on a download, when SQL needs an extension that is not built in', async () => {
    const t0 = performance.now();
    const e = await caught(engine.query("SELECT * FROM read_parquet('x.parquet')"));
    expect(isDuckrunError(e, 'SQL_QUERY')).toBe(true);
    expect((e as Error).message).toContain('parquet');
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('streams a large result in batches without materialising it', async () => {
    let rows = 0;
    let batches = 0;
    let sum = 0n;
    const stream = await engine.stream('SELECT range AS i FROM range(100000)');
    expect(stream.schema.fields.map((f) => f.name)).toEqual(['i']);
    for await (const batch of stream) {
      batches++;
      rows += batch.numRows;
      for (const v of batch.getChild('i')!) sum += v as bigint;
    }
    expect(rows).toBe(100_000);
    expect(batches).toBeGreaterThan(1);
    expect(sum).toBe(4_999_950_000n);
  });

  it('gives the schema of an empty streamed result', async () => {
    const stream = await engine.stream("SELECT 1 AS a, 'x' AS b WHERE false");
    expect(stream.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
    const batches = [];
    for await (const batch of stream) batches.push(batch);
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(0);
  });

  it('refuses a statement while a stream is open, and works again once the stream is abandoned or closed', async () => {
    const stream = await engine.stream('SELECT range FROM range(10000)');
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    expect(isDuckrunError(await caught(engine.query('SELECT 1')), 'SQL_ENGINE_BUSY')).toBe(true);
    await it.return?.();
    expect((await engine.query('SELECT 42 AS x')).getChild('x')!.get(0)).toBe(42);
    const unread = await engine.stream('SELECT range FROM range(10000)');
    expect(isDuckrunError(await caught(engine.query('SELECT 1')), 'SQL_ENGINE_BUSY')).toBe(true);
    await unread.close();
    expect((await engine.query('SELECT 43 AS x')).getChild('x')!.get(0)).toBe(43);
  });

  it('registers Arrow data from a table, from IPC bytes, and from a schema plus batches', async () => {
    const table = tableFromArrays({ n: Int32Array.from([1, 2, 3]), s: ['a', null, 'c'] });
    await engine.registerArrow('from_table', table);
    const batches: RecordBatch[] = table.batches;
    await engine.registerArrow('from_batches', { schema: table.schema, batches: (async function* () { yield* batches; yield* batches; })() });
    await engine.registerArrow('from_ipc', tableToIPC(table, 'stream'));
    const t = await engine.query(
      "SELECT (SELECT count(*) FROM from_table) a, (SELECT count(*) FROM from_batches) b, (SELECT string_agg(s, ',' ORDER BY n) FROM from_ipc) c",
    );
    expect(t.toArray()[0].toJSON()).toEqual({ a: 3n, b: 6n, c: 'a,c' });
    await engine.dropTable('from_table');
    await engine.dropTable('from_ipc');
    await engine.dropTable('from_batches');
  });

  it('creates an empty table with the right column types when no batches arrive', async () => {
    const schema = new Schema([new Field('n', new Int32(), true), new Field('s', new Utf8(), true)]);
    await engine.registerArrow('empty_one', { schema, batches: [] });
    const t = await engine.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'empty_one' ORDER BY ordinal_position");
    expect(t.toArray().map((r) => [r.column_name, r.data_type])).toEqual([['n', 'INTEGER'], ['s', 'VARCHAR']]);
    expect(Number((await engine.query('SELECT count(*) c FROM empty_one')).getChild('c')!.get(0))).toBe(0);
    await engine.dropTable('empty_one');
    await engine.dropTable('empty_one'); // dropping twice is fine
  });

  it('drops the half-built table when a batch source fails', async () => {
    const schema = new Schema([new Field('n', new Int32(), true)]);
    const failing = (async function* (): AsyncIterable<RecordBatch> {
      yield* tableFromArrays({ n: Int32Array.from([1]) }).batches;
      throw new Error('source broke');
    })();
    await expect(engine.registerArrow('broken', { schema, batches: failing })).rejects.toThrow('source broke');
    const t = await engine.query("SELECT count(*) c FROM duckdb_tables() WHERE table_name = 'broken'");
    expect(Number(t.getChild('c')!.get(0))).toBe(0);
  });

  it("registers a batch source inside the caller's open transaction without committing it", async () => {
    const table = tableFromArrays({ n: Int32Array.from([1, 2, 3]) });
    await engine.query('BEGIN TRANSACTION; CREATE TABLE mine AS SELECT 1 AS a');
    await engine.registerArrow('theirs', { schema: table.schema, batches: table.batches });
    const t = await engine.query('SELECT (SELECT count(*) FROM mine) AS a, (SELECT sum(n)::BIGINT FROM theirs) AS b');
    expect(t.toArray()[0].toJSON()).toEqual({ a: 1n, b: 6n });
    await engine.query('ROLLBACK');
    const left = await engine.query("SELECT count(*) c FROM duckdb_tables() WHERE table_name IN ('mine', 'theirs')");
    expect(Number(left.getChild('c')!.get(0))).toBe(0);
  });

  it('rejects every call after close()', async () => {
    const other = await openEngine(kind);
    await other.close();
    await other.close();
    expect(isDuckrunError(await caught(other.query('SELECT 1')), 'SQL_ENGINE_CLOSED')).toBe(true);
    expect(isDuckrunError(await caught(other.stream('SELECT 1')), 'SQL_ENGINE_CLOSED')).toBe(true);
    expect(isDuckrunError(await caught(other.registerArrow('t', tableFromArrays({ n: Int32Array.from([1]) }))), 'SQL_ENGINE_CLOSED')).toBe(true);
    expect(isDuckrunError(await caught(other.dropTable('t')), 'SQL_ENGINE_CLOSED')).toBe(true);
  });

  it('refuses to register Arrow data under a name that is taken', async () => {
    await engine.registerArrow('taken', tableFromArrays({ n: Int32Array.from([1]) }));
    const e = await caught(engine.registerArrow('taken', tableFromArrays({ n: Int32Array.from([2]) })));
    expect(isDuckrunError(e, 'SQL_QUERY')).toBe(true);
    expect((e as Error).message).toContain('taken');
    await engine.dropTable('taken');
  });

  it('reports a failure midway through execution as QueryError, not as a shorter result', async () => {
    const sql = "SELECT CASE WHEN i = 150000 THEN error('boom') ELSE i END AS i FROM range(200000) r(i)";
    expect((await caught(engine.query(sql)) as Error).message).toContain('boom');
    const e = await caught(
      (async () => {
        for await (const _ of await engine.stream(sql)) void _;
      })(),
    );
    expect(isDuckrunError(e, 'SQL_QUERY')).toBe(true);
    expect((await engine.query('SELECT 1 AS ok')).getChild('ok')!.get(0)).toBe(1);
  });
});

describe('WasmEngine Arrow registration errors', () => {
  it('turns duckdb-wasm JSON error objects into a readable QueryError message', async () => {
    const other = await openWasmEngine();
    try {
      await other.registerArrow('dup', tableFromArrays({ n: Int32Array.from([1]) }));
      const e = await caught(other.registerArrow('dup', tableFromArrays({ n: Int32Array.from([2]) })));
      expect(isDuckrunError(e, 'SQL_QUERY')).toBe(true);
      expect((e as Error).message).not.toMatch(/^\{/);
      expect((e as Error).message).toContain('dup');
    } finally {
      await other.close();
    }
  });
});

describe('WasmEngine registration of large batch sources', () => {
  const rows = 400_000;
  const source = (fail: boolean): AsyncIterable<RecordBatch> =>
    (async function* () {
      for (let start = 0; start < rows; start += 50_000) {
        yield* tableFromArrays({ n: Int32Array.from({ length: 50_000 }, (_, i) => start + i) }).batches;
      }
      if (fail) throw new Error('source broke late');
    })();
  const schema = new Schema([new Field('n', new Int32(), true)]);

  it.each([0, 1, 128 * 2 ** 20])('keeps every row whatever part goes in uncompressed (budget %d bytes)', async (budget) => {
    const engine = await openWasmEngine({ uncompressedInsertBytes: budget });
    try {
      await engine.registerArrow('big', { schema, batches: source(false) });
      const t = await engine.query('SELECT count(*) AS c, sum(n)::BIGINT AS s, count(DISTINCT n) AS d FROM big');
      expect(t.toArray()[0].toJSON()).toEqual({ c: BigInt(rows), s: BigInt((rows * (rows - 1)) / 2), d: BigInt(rows) });
    } finally {
      await engine.close();
    }
  });

  it('drops the table when the source fails after its first rows were committed', async () => {
    const engine = await openWasmEngine({ uncompressedInsertBytes: 1 });
    try {
      await expect(engine.registerArrow('late', { schema, batches: source(true) })).rejects.toThrow('source broke late');
      const t = await engine.query("SELECT count(*) c FROM duckdb_tables() WHERE table_name = 'late'");
      expect(Number(t.getChild('c')!.get(0))).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('refuses a negative budget', async () => {
    await expect(openWasmEngine({ uncompressedInsertBytes: -1 })).rejects.toThrow(/uncompressedInsertBytes is -1/);
  });
});
