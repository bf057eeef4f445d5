import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalStore } from '@duckrun/storage/local';
import type { ObjectStore } from '@duckrun/storage';
import { DeltaTable } from '../../src/table.js';
import type { Action } from '../../src/kernel/actions/types.js';
import { commitTransaction } from '../../src/commit/transaction.js';
import { checkpointTable } from '../../src/checkpoint/table-checkpoint.js';
import { readParquetTable } from '../../src/parquet/read.js';
import { freshMemoryStore, tableHeader, tempDir } from '../helpers.js';
import { commitActions } from './table-builder.js';

type Fields = Parameters<typeof tableHeader>[0];

async function create(store: ObjectStore, fields: Fields, partitionColumns: string[], configuration: Record<string, string> = {}): Promise<void> {
  const actions = tableHeader(fields, { partitionColumns, configuration }) as Action[];
  await commitTransaction(store, store.url, undefined, { actions, operation: 'CREATE TABLE', operationParameters: {}, pinned: false, blindAppend: false });
}

const add = (path: string, partitionValues: Record<string, string | null>) => ({ add: { path, partitionValues, size: 1, modificationTime: 0, dataChange: true } });

async function checkpointAddColumn(store: ObjectStore, file: string): Promise<{ names: string[]; rows: Record<string, unknown>[] }> {
  const table = await readParquetTable(await store.get(file));
  const addType = table.schema.fields.find((f) => f.name === 'add')!.type as { children: { name: string }[] };
  const rows = table
    .toArray()
    .map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON().add as { toJSON(): Record<string, unknown> } | null)
    .filter((a) => a !== null)
    .map((a) => a!.toJSON());
  return { names: addType.children.map((c) => c.name), rows };
}

let duck: DuckDBInstance | undefined;
afterAll(() => duck?.closeSync());

describe('partitionValues_parsed in checkpoints', () => {
  it('writes the partition values typed under their physical names, nulls included, and DuckDB reads them typed', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = new LocalStore(dir);
      const fields: Fields = [
        { name: 'id', type: 'long' },
        { name: 's', type: 'string' },
        { name: 'd', type: 'date' },
        { name: 'n', type: 'long' },
        { name: 'i', type: 'integer' },
        { name: 'b', type: 'boolean' },
      ];
      await create(store, fields, ['s', 'd', 'n', 'i', 'b']);
      await commitActions(store, [
        add('one.parquet', { s: 'x y', d: '2024-02-29', n: '9007199254740993', i: '-7', b: 'true' }),
        add('two.parquet', { s: null, d: '', n: null, i: null, b: null }),
      ]);
      const info = await checkpointTable(await DeltaTable.open(dir));
      const { names, rows } = await checkpointAddColumn(store, info.files[0]!);
      expect(names.at(-1)).toBe('partitionValues_parsed');
      const byPath = Object.fromEntries(rows.map((r) => [r.path, (r.partitionValues_parsed as { toJSON(): Record<string, unknown> }).toJSON()]));
      expect(byPath['one.parquet']).toEqual({ s: 'x y', d: Date.UTC(2024, 1, 29), n: 9007199254740993n, i: -7, b: true });
      expect(byPath['two.parquet']).toEqual({ s: null, d: null, n: null, i: null, b: null });

      duck ??= await DuckDBInstance.create(':memory:');
      const conn = await duck.connect();
      const reader = await conn.runAndReadAll(
        `SELECT typeof("add".partitionValues_parsed) AS t, CAST("add".partitionValues_parsed.d AS VARCHAR) AS d FROM read_parquet('${dir}/${info.files[0]}') WHERE "add".path = 'one.parquet'`,
      );
      expect(reader.getRowObjects()).toEqual([{ t: 'STRUCT(s VARCHAR, d DATE, n BIGINT, i INTEGER, b BOOLEAN)', d: '2024-02-29' }]);
      conn.closeSync();
      // Our own reader still loads the table from the checkpoint.
      expect((await (await DeltaTable.open(dir)).snapshot()).files().map((f) => f.partitionValues.d)).toEqual([19782, null]);
    } finally {
      await cleanup();
    }
  });

  it('uses the physical names of a column-mapped table', async () => {
    const store = freshMemoryStore();
    const fields: Fields = [
      { name: 'id', type: 'long', metadata: { 'delta.columnMapping.id': 1, 'delta.columnMapping.physicalName': 'col-aaa' } },
      { name: 'region', type: 'string', metadata: { 'delta.columnMapping.id': 2, 'delta.columnMapping.physicalName': 'col-bbb' } },
    ];
    const actions = tableHeader(fields, {
      partitionColumns: ['region'],
      configuration: { 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '2' },
      protocol: { minReaderVersion: 2, minWriterVersion: 5 },
    }) as Action[];
    await commitTransaction(store, store.url, undefined, { actions, operation: 'CREATE TABLE', operationParameters: {}, pinned: false, blindAppend: false });
    await commitActions(store, [add('r.parquet', { 'col-bbb': 'eu' })]);
    const info = await checkpointTable(await DeltaTable.open(store.url, { store }));
    const { rows } = await checkpointAddColumn(store, info.files[0]!);
    expect((rows[0]!.partitionValues_parsed as { toJSON(): unknown }).toJSON()).toEqual({ 'col-bbb': 'eu' });
  });

  it('leaves the column out for unpartitioned tables and for partition types it does not write typed', async () => {
    for (const [fields, partitionColumns] of [
      [[{ name: 'id', type: 'long' }], []],
      [[{ name: 'id', type: 'long' }, { name: 'p', type: 'string' }, { name: 'ts', type: 'timestamp' }], ['p', 'ts']],
    ] as [Fields, string[]][]) {
      const store = freshMemoryStore();
      await create(store, fields, partitionColumns);
      const values = Object.fromEntries(partitionColumns.map((c) => [c, c === 'ts' ? '2024-01-01 00:00:00' : 'v']));
      await commitActions(store, [add('f.parquet', values)]);
      const info = await checkpointTable(await DeltaTable.open(store.url, { store }));
      const { names, rows } = await checkpointAddColumn(store, info.files[0]!);
      expect(names).not.toContain('partitionValues_parsed');
      expect(rows.map((r) => r.path)).toEqual(['f.parquet']);
    }
  });
});
