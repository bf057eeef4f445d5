// A connection rooted at a schema folder of a warehouse (`<warehouse>/main`): `schema.name` reaches the
// sibling schema folders, and the root's own schema name reaches its own tables.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDeltaTable } from '@duckrun/delta';
import { connect, type Connection } from '../../src/connect/connect.js';
import { DeltaTable } from '../../src/connect/delta-table.js';
import { tempRoot } from './helpers.js';

let warehouse: string;
let cleanup: () => void;
let conn: Connection;

beforeAll(async () => {
  ({ root: warehouse, cleanup } = tempRoot('schema-root'));
  mkdirSync(join(warehouse, 'main'));
  await writeDeltaTable(join(warehouse, 'main', 'orders'), tableFromArrays({ id: Int32Array.of(1, 2) }));
  await writeDeltaTable(join(warehouse, 'raw', 'customers'), tableFromArrays({ id: Int32Array.of(7) }));
  conn = await connect(join(warehouse, 'main'));
});
afterAll(async () => {
  await conn?.stop();
  cleanup?.();
});

describe('a root that is a schema folder', () => {
  it('reads name and main.name from the root, and other.name from the sibling schema folder', async () => {
    expect(await (await conn.sql('SELECT count(*)::INTEGER AS n FROM orders')).collect()).toEqual([{ n: 2 }]);
    expect(await (await conn.sql('SELECT count(*)::INTEGER AS n FROM main.orders')).collect()).toEqual([{ n: 2 }]);
    expect(await (await conn.sql('SELECT o.id FROM raw.customers o')).collect()).toEqual([{ id: 7 }]);
    expect(await (await conn.table('raw.customers')).count()).toBe(1);
    expect(await (await DeltaTable.forName(conn, 'raw.customers')).version()).toBe(0);
  });

  it('still prefers a schema folder under the root when one exists', async () => {
    await writeDeltaTable(join(warehouse, 'main', 'raw', 'customers'), tableFromArrays({ id: Int32Array.of(8, 9) }));
    expect(await (await conn.table('raw.customers')).count()).toBe(2);
  });
});
