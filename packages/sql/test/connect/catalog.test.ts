// conn.catalog: tables are folders holding _delta_log (at the root or one schema folder down); schemas hold tables.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDeltaTable } from '@duckrun/delta';
import { connect, type Connection } from '../../src/connect/connect.js';
import { ENGINES } from '../engines.js';
import { failure, tempRoot } from './helpers.js';

describe.each(ENGINES)('on the %s engine', (engine) => {
  let root: string;
  let cleanup: () => void;
  let conn: Connection;

  beforeAll(async () => {
    ({ root, cleanup } = tempRoot(`catalog-${engine}`));
    const data = tableFromArrays({ i: Int32Array.of(1, 2), s: ['a', 'b'] });
    await writeDeltaTable(join(root, 'orders'), data);
    await writeDeltaTable(join(root, 'sales', 'customers'), data);
    await writeDeltaTable(join(root, 'sales', 'invoices'), data, { partitionBy: ['i'] });
    await writeDeltaTable(join(root, 'staging', 'raw'), data);
    // Not tables: a folder of plain files, and an empty folder.
    mkdirSync(join(root, 'notes'));
    writeFileSync(join(root, 'notes', 'readme.txt'), 'hi');
    mkdirSync(join(root, 'empty'));
    conn = await connect(root, { engine });
  });
  afterAll(async () => {
    await conn?.stop();
    cleanup?.();
  });

  describe('catalog', () => {
    it('lists every table under the root, schema tables as schema.name', async () => {
      expect(await conn.catalog.listTables()).toEqual(['orders', 'sales.customers', 'sales.invoices', 'staging.raw']);
      expect(await conn.catalog.listTables('sales')).toEqual(['sales.customers', 'sales.invoices']);
    });

    it('lists the folders holding tables as schemas', async () => {
      expect(await conn.catalog.listSchemas()).toEqual(['sales', 'staging']);
    });

    it('tells whether a table exists', async () => {
      expect(await conn.catalog.tableExists('orders')).toBe(true);
      expect(await conn.catalog.tableExists('sales.invoices')).toBe(true);
      expect(await conn.catalog.tableExists('notes')).toBe(false);
      expect(await conn.catalog.tableExists('nothing.here')).toBe(false);
    });

    it('refuses names that leave the root', async () => {
      expect((await failure(conn.catalog.tableExists('..'))).code).toBe('SQL_TABLE_NAME');
    });

    it('stop() closes the connection; later calls fail clearly', async () => {
      const earlier = await conn.sql('SELECT 1 AS one');
      await conn.stop();
      await conn.stop();
      expect((await failure(conn.sql('SELECT 1'))).code).toBe('SQL_ENGINE_CLOSED');
      expect((await failure(earlier.collect())).code).toBe('SQL_ENGINE_CLOSED');
    });
  });
});
