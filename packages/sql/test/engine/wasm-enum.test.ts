import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWasmEngine, QueryError, type Engine } from '../../src/index.js';

// duckdb-wasm's streamed Arrow carries no dictionary batches, so ENUM results would read as nulls.
describe('duckdb-wasm ENUM results', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openWasmEngine();
  });
  afterAll(async () => {
    await engine.close();
  });

  it('streams ENUM values, not nulls', async () => {
    const stream = await engine.stream("SELECT * FROM (VALUES ('a'::ENUM('a', 'b')), ('b'::ENUM('a', 'b')), (NULL)) t(k)");
    const values: unknown[] = [];
    for await (const b of stream) for (const v of b.getChild('k')!) values.push(v);
    expect(values).toEqual(['a', 'b', null]);
    expect((await engine.query("SELECT 'b'::ENUM('a', 'b') AS k")).getChild('k')!.get(0)).toBe('b');
  });

  it('refuses to stream ENUM columns after other statements rather than run them twice', async () => {
    await engine.query('CREATE TEMP TABLE runs (n INTEGER)');
    const err = await engine.stream("INSERT INTO runs VALUES (1); SELECT 'a'::ENUM('a', 'b') AS k").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as Error).message).toMatch(/CAST them to VARCHAR/);
    expect(Number((await engine.query('SELECT count(*) AS c FROM runs')).getChild('c')!.get(0))).toBe(1);
  });
});
