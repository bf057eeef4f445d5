// Whether a statement treats each row of one table on its own: then running it over the table's rows in
// chunks gives exactly the rows of one run over them all (see scan/chunked-scan.ts). Decided from DuckDB's
// own plan of the statement, unoptimised so that no operator is folded away by the data's statistics.
import type { Engine } from '../engine/engine.js';
import { mentionsRowid } from '../sql/rowid.js';

/** Operators that pass each input row on (or drop it, or expand it) without looking at other rows. */
const ROW_WISE = new Set(['PROJECTION', 'FILTER', 'UNNEST', 'STREAMING_SAMPLE', 'CTE', 'CTE_SCAN']);
const SCANS = new Set(['SEQ_SCAN', 'TABLE_SCAN']);

/**
 * Functions whose value is fixed for one statement (DuckDB's current time is its transaction's start):
 * runs over chunks would give each chunk its own. rowid, numbering a table's rows, would restart per chunk.
 */
const CURRENT_TIME =
  /\b(now|current_timestamp|current_date|current_time|get_current_timestamp|get_current_time|transaction_timestamp|today|localtimestamp|localtime|current_localtimestamp)\b/i;

interface PlanNode {
  readonly name: string;
  readonly children?: readonly PlanNode[];
  readonly extra_info?: { readonly Table?: string };
}

/** True when `sql` reads table `table` once, through row-wise operators only, and reads no other table. */
export async function isRowWise(engine: Engine, sql: string, table: string): Promise<boolean> {
  if (CURRENT_TIME.test(sql) || mentionsRowid(sql)) return false;
  let plan: PlanNode[];
  await engine.query('PRAGMA disable_optimizer');
  try {
    const explained = await engine.query(`EXPLAIN (FORMAT JSON) ${sql}`);
    plan = JSON.parse(String(explained.getChildAt(1)?.get(0))) as PlanNode[];
  } catch {
    // A plan DuckDB cannot explain or we cannot read: run the statement over every row at once.
    return false;
  } finally {
    await engine.query('PRAGMA enable_optimizer');
  }
  let scans = 0;
  const rowWise = (node: PlanNode): boolean => {
    const name = node.name.trim();
    if (SCANS.has(name)) {
      scans++;
      // DuckDB-WASM names the table as written, native DuckDB qualifies it (memory.main.t).
      const scanned = node.extra_info?.Table;
      return scanned === table || scanned?.endsWith(`.${table}`) === true;
    }
    return ROW_WISE.has(name) && (node.children ?? []).every(rowWise);
  };
  return plan.every(rowWise) && scans === 1;
}
