import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { openWasmEngine } from '../src/engine/wasm.js';
import { openSession } from '../src/session.js';

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
