// MERGE, UPDATE and DELETE on a table written by Spark with deletion vectors: rows a deletion vector
// removed must neither match nor come back, and live rows must be told apart by position, on both engines
// (the native engine reads each file through a view over read_parquet, the wasm engine through Arrow).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../src/connect/connect.js';
import { DeltaTable } from '../../src/connect/delta-table.js';
import { ENGINES } from '../engines.js';
import { copyGoldenTables, goldenSkipReason } from '../fixtures.js';
import { failure } from './helpers.js';

const TABLE = 'dv-partitioned-with-checkpoint';
type Row = { part: number; col1: number; col2: string };

if (goldenSkipReason !== undefined) console.warn(`DML on deletion-vector tables skipped: ${goldenSkipReason}`);

describe.skipIf(goldenSkipReason !== undefined).each(ENGINES)('row-level changes on a table with deletion vectors (%s engine)', (engine) => {
  let conn: Connection;
  let cleanup: () => void;
  let live: Row[];

  const table = async (): Promise<Row[]> =>
    ((await (await conn.sql(`SELECT part, col1, col2 FROM delta_scan('${TABLE}') ORDER BY col1`)).collect()) as Row[]).map((r) => ({
      part: Number(r.part),
      col1: Number(r.col1),
      col2: String(r.col2),
    }));

  beforeEach(async () => {
    let root: string;
    ({ root, cleanup } = copyGoldenTables([TABLE]));
    conn = await connect(root, { readOnly: false, engine });
    live = await table();
  });
  afterEach(async () => {
    await conn?.stop();
    cleanup?.();
  });

  /** A col1 value some deletion vector removed (the table's live values have gaps). */
  function deletedValue(): number {
    const present = new Set(live.map((r) => r.col1));
    const gap = [...Array(Math.max(...present)).keys()].find((v) => !present.has(v));
    if (gap === undefined) throw new Error(`${TABLE} has no deleted col1 value: the fixture changed`);
    return gap;
  }

  it('MERGE updates live rows and inserts keys whose rows a deletion vector removed', async () => {
    expect(live.length).toBeGreaterThan(0);
    const kept = live[0]!;
    const gone = deletedValue();
    const source = `SELECT * FROM (VALUES (${kept.part}, ${kept.col1}, 'merged'), (${kept.part}, ${gone}, 'revived')) s(part, col1, col2)`;
    const r = await (await DeltaTable.forName(conn, TABLE)).merge(source, 'target.col1 = source.col1').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
    expect(r).toMatchObject({ committed: true, numTargetRowsUpdated: 1, numTargetRowsInserted: 1, numTargetRowsDeleted: 0 });
    const expected = [...live.map((row) => (row.col1 === kept.col1 ? { ...row, col2: 'merged' } : row)), { part: kept.part, col1: gone, col2: 'revived' }];
    expect(await table()).toEqual(expected.sort((a, b) => a.col1 - b.col1));
  });

  it('MERGE still refuses two source rows matching one live row', async () => {
    const kept = live[live.length - 1]!;
    const source = `SELECT * FROM (VALUES (${kept.part}, ${kept.col1}, 'a'), (${kept.part}, ${kept.col1}, 'b')) s(part, col1, col2)`;
    const e = await failure((await DeltaTable.forName(conn, TABLE)).merge(source, 'target.col1 = source.col1').whenMatchedUpdateAll().execute());
    expect(e.code).toBe('SQL_MERGE_CARDINALITY');
    expect(await table()).toEqual(live);
  });

  it('UPDATE and DELETE change live rows only; deleted rows stay deleted', async () => {
    const part = live[0]!.part;
    await conn.sql(`UPDATE ${quoted(TABLE)} SET col2 = 'touched' WHERE part = ${part}`);
    await conn.sql(`DELETE FROM ${quoted(TABLE)} WHERE col1 % 2 = 0`);
    const expected = live.filter((r) => r.col1 % 2 !== 0).map((r) => (r.part === part ? { ...r, col2: 'touched' } : r));
    expect(await table()).toEqual(expected);
  });
});

function quoted(name: string): string {
  return `"${name}"`;
}
