import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { openWasmEngine } from '../src/engine/wasm.js';
import { openSession } from '../src/session.js';
import { nativeSkipReason } from './engines.js';

describe('SqlSession', () => {
  it('runs plain SQL, keeps session state between statements, and leaves a borrowed engine open on close', async () => {
    const engine = await openWasmEngine();
    try {
      const session = await openSession({ engine, root: 'memory://lake' });
      expect(session.root).toBe('memory://lake');
      await session.sql('CREATE TEMP TABLE t AS SELECT * FROM (VALUES (1), (2)) v(x)');
      expect(Number((await session.sql('SELECT sum(x) AS s FROM t')).getChild('s')!.get(0))).toBe(3);
      await session.close();
      let error: unknown;
      try {
        await session.sql('SELECT 1');
      } catch (e) {
        error = e;
      }
      expect(isDuckrunError(error, 'SQL_ENGINE_CLOSED')).toBe(true);
      expect((await engine.query('SELECT count(*) AS n FROM t')).getChild('n')!.get(0)).toBe(2n);
    } finally {
      await engine.close();
    }
  });

  it('rejects a malformed delta_scan call before touching any table', async () => {
    const engine = await openWasmEngine();
    try {
      const session = await openSession({ engine });
      await expect(session.sql("SELECT * FROM delta_scan('t', version => 'latest')")).rejects.toMatchObject({
        code: 'SQL_DELTA_SCAN_ARGUMENT',
      });
    } finally {
      await engine.close();
    }
  });
});

describe('engine selection', () => {
  it.skipIf(nativeSkipReason !== undefined)("opens and owns a native engine for engine: 'native'", async () => {
    const session = await openSession({ engine: 'native' });
    expect(session.engine.capabilities).toMatchObject({ name: 'duckdb-native', parquet: true });
    expect((await session.sql('SELECT 41 + 1 AS x')).getChild('x')!.get(0)).toBe(42);
    await session.close();
    await expect(session.engine.query('SELECT 1')).rejects.toMatchObject({ code: 'SQL_ENGINE_CLOSED' });
  });

  it('refuses an unknown engine name with the names it knows', async () => {
    await expect(openSession({ engine: 'spark' as never })).rejects.toMatchObject({
      code: 'SQL_ENGINE_START',
      message: 'unknown engine "spark"; choose one of wasm, native',
    });
  });
});
