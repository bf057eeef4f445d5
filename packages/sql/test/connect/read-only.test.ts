// A read-only connection (the default) refuses every write path with ReadOnlySessionError and writes nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable, writeDeltaTable } from '@duckrun/delta';
import { connect, type Connection } from '../../src/connect/connect.js';
import type { DataFrame } from '../../src/connect/data-frame.js';
import { ENGINES } from '../engines.js';
import { failure, tempRoot } from './helpers.js';

describe.each(ENGINES)('on the %s engine', (engine) => {
  let root: string;
  let cleanup: () => void;
  let conn: Connection;
  let df: DataFrame;

  beforeAll(async () => {
    ({ root, cleanup } = tempRoot(`read-only-${engine}`));
    await writeDeltaTable(join(root, 't'), tableFromArrays({ i: Int32Array.of(1) }));
    conn = await connect(root, { engine });
    df = await conn.sql('SELECT 2::INTEGER AS i');
  });
  afterAll(async () => {
    await conn?.stop();
    cleanup?.();
  });

  async function expectRefused(p: Promise<unknown>, operation: string): Promise<void> {
    const e = await failure(p);
    expect(e.code).toBe('SQL_READ_ONLY');
    expect(e.message).toContain(operation);
    expect(e.message).toContain('{ readOnly: false }');
  }

  describe('read-only connection', () => {
    it('refuses SQL write statements', async () => {
      await expectRefused(conn.sql('CREATE TABLE made AS SELECT 1 AS i'), 'CREATE TABLE');
      await expectRefused(conn.sql('INSERT INTO t VALUES (5)'), 'INSERT INTO');
    });

    it('refuses every DataFrame writer call and mode', async () => {
      await expectRefused(df.write.saveAsTable('made'), "saveAsTable('made')");
      await expectRefused(df.write.mode('overwrite').saveAsTable('t'), "saveAsTable('t')");
      await expectRefused(df.write.mode('append').saveAsTable('t'), "saveAsTable('t')");
      await expectRefused(df.write.mode('ignore').saveAsTable('t'), "saveAsTable('t')");
      await expectRefused(df.write.mode('safeappend').saveAsTable('t'), "saveAsTable('t')");
      await expectRefused(df.write.insertInto('t'), "insertInto('t')");
      await expectRefused(df.write.save(join(root, 'saved')), 'save(');
    });

    it('left the tables untouched', async () => {
      expect(existsSync(join(root, 'made'))).toBe(false);
      expect(existsSync(join(root, 'saved'))).toBe(false);
      expect((await (await DeltaTable.open(join(root, 't'))).snapshot()).version).toBe(0);
      expect(await (await conn.table('t')).collect()).toEqual([{ i: 1 }]);
    });
  });
});
