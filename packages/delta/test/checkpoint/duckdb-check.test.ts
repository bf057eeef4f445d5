import { afterAll, describe, expect, it } from 'vitest';
import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { LocalStore } from '@duckrun/storage/local';
import type { Action } from '../../src/kernel/actions/types.js';
import { commitTransaction } from '../../src/commit/transaction.js';
import { writeDataFiles } from '../../src/write/file-writer.js';
import { DeltaTable } from '../../src/table.js';
import { assertDeltaTable, closeDuckDB } from '../support/log-check.js';
import { tableHeader, tempDir } from '../helpers.js';
import { commitActions } from './table-builder.js';

const FIELDS = [
  { name: 'id', type: 'long' as const },
  { name: 'p', type: 'string' as const },
];
const SCHEMA = { type: 'struct' as const, fields: FIELDS.map((f) => ({ ...f, nullable: true, metadata: {} })) };

afterAll(closeDuckDB);

describe('automatic checkpoints of a table with real data', () => {
  it('lists exactly the live files of their version when DuckDB reads them', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const store = new LocalStore(dir);
      const header = tableHeader(FIELDS, { partitionColumns: ['p'], configuration: { 'delta.checkpointInterval': '3' } }) as Action[];
      await commitTransaction(store, store.url, undefined, { actions: header, operation: 'CREATE TABLE', operationParameters: {}, pinned: false, blindAppend: false });
      const checkpoints: number[] = [];
      for (let v = 1; v <= 7; v++) {
        let actions: object[];
        if (v === 5) {
          // Delete the files of partition "a" written so far.
          const live = (await (await DeltaTable.open(dir)).snapshot()).addFiles().filter((f) => f.partitionValues.p === 'a');
          actions = live.map((f) => ({ remove: { path: f.path, deletionTimestamp: Date.now(), dataChange: true, partitionValues: f.partitionValues, size: f.size } }));
        } else {
          const batch = new Table({
            id: vectorFromArray([v * 10, v * 10 + 1, v * 10 + 2].map(BigInt), new Int64()),
            p: vectorFromArray(['a', 'b', v % 2 === 0 ? 'a' : 'c'], new Utf8()),
          }).batches[0]!;
          actions = (await writeDataFiles(store, { schema: SCHEMA, partitionColumns: ['p'] }, [batch])).map((add) => ({ add }));
        }
        const r = await commitActions(store, actions);
        expect(r.postCommit.checkpointError).toBeUndefined();
        if (r.postCommit.checkpoint) checkpoints.push(r.postCommit.checkpoint.version);
      }
      expect(checkpoints).toEqual([3, 6]);
      const check = await assertDeltaTable(dir);
      expect([...check.checkpoints.keys()].sort()).toEqual([3, 6]);
      expect(check.rows.length).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  });
});
