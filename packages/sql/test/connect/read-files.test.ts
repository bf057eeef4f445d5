// read.format('parquet' | 'csv') on the native engine (DuckDB reads the files itself); skipped without @duckdb/node-api.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../src/connect/connect.js';
import { nativeSkipReason } from '../engines.js';
import { tempRoot } from './helpers.js';

let root: string;
let cleanup: () => void;
let conn: Connection;

describe.skipIf(nativeSkipReason !== undefined)('reading files on the native engine', () => {
  beforeAll(async () => {
    ({ root, cleanup } = tempRoot('files'));
    writeFileSync(join(root, 'people.csv'), 'id;name\n1;ann\n2;bob\n');
    conn = await connect(root, { engine: 'native', readOnly: false });
    await conn.session.engine.query(`COPY (SELECT i AS id FROM range(3) t(i)) TO '${join(root, 'nums.parquet')}' (FORMAT parquet)`);
  });
  afterAll(async () => {
    await conn?.stop();
    cleanup?.();
  });

  it('reads a parquet file relative to the root', async () => {
    expect(await (await conn.read.format('parquet').load('nums.parquet')).count()).toBe(3);
  });

  it('reads a CSV file with header and delimiter options, and writes it to a Delta table', async () => {
    const df = await conn.read.format('csv').option('header', true).option('delimiter', ';').load(join(root, 'people.csv'));
    expect(await df.collect()).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
    ]);
    await df.write.saveAsTable('people');
    expect(await (await conn.table('people')).count()).toBe(2);
  });
});
