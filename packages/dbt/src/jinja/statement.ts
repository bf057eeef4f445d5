// Database calls from templates: run_query, the statement call block, load_result and store_result.
// All run through the replay state, so a synchronous template can wait for an async engine.
import type { ActiveRender } from './active-render.js';
import { arg, callPy, pyFunction } from './py/call.js';
import { AgateTable, type QueryResult } from './query-result.js';
import { pyStr } from './py/repr.js';
import { truthy } from './py/values.js';

/** Reads the active render or explains that there is none. */
export type SlotReader = () => ActiveRender | undefined;

function runSql(slot: ActiveRender, sql: string): QueryResult {
  const runQuery = slot.runQuery;
  if (runQuery === undefined) {
    throw new Error('this template runs SQL (run_query/statement), but the render was started without a runQuery callback; render it with render(…, { runQuery })');
  }
  return slot.replay.awaitSync(`sql:${sql}`, () => runQuery(sql));
}

function adapterResponse(result: QueryResult): Record<string, unknown> {
  return { _message: 'OK', code: 'OK', rows_affected: result.rowsAffected ?? result.rows.length };
}

/** Builds run_query, statement, load_result, store_result and store_raw_result. */
export function createStatementGlobals(active: SlotReader): Record<string, unknown> {
  const current = (what: string): ActiveRender => {
    const a = active();
    if (a === undefined) throw new Error(`${what} can only be called while a node renders`);
    return a;
  };
  return {
    run_query: pyFunction('run_query', (a, k) => {
      const slot = current('run_query');
      if (!slot.execute) return null;
      return new AgateTable(runSql(slot, pyStr(arg(a, k, 0, 'sql'))));
    }),
    statement: pyFunction('statement', (a, k) => {
      const slot = current('statement');
      if (!slot.execute) return '';
      const name = arg(a, k, 0, 'name', null);
      const fetch = truthy(arg(a, k, 1, 'fetch_result', false));
      const sql = pyStr(callPy(k.caller, []));
      const result = runSql(slot, sql);
      if (name !== null && name !== undefined) {
        const table = new AgateTable(fetch ? result : { columns: [], rows: [] });
        slot.results.set(pyStr(name), { response: adapterResponse(result), data: table.rows.map((r) => [...r]), table });
      }
      return '';
    }),
    load_result: pyFunction('load_result', (a) => current('load_result').results.get(pyStr(a[0])) ?? null),
    store_result: pyFunction('store_result', (a, k) => {
      const table = arg(a, k, 2, 'agate_table', null) ?? new AgateTable({ columns: [], rows: [] });
      const t = table as AgateTable;
      current('store_result').results.set(pyStr(arg(a, k, 0, 'name')), { response: arg(a, k, 1, 'response', null), data: t.rows?.map((r) => [...r]) ?? [], table });
      return '';
    }),
    store_raw_result: pyFunction('store_raw_result', (a, k) => {
      const table = arg(a, k, 4, 'agate_table', null) ?? new AgateTable({ columns: [], rows: [] });
      const response = { _message: arg(a, k, 1, 'message', 'OK'), code: arg(a, k, 2, 'code', 'OK'), rows_affected: arg(a, k, 3, 'rows_affected', null) };
      const t = table as AgateTable;
      current('store_raw_result').results.set(pyStr(arg(a, k, 0, 'name')), { response, data: t.rows?.map((r) => [...r]) ?? [], table });
      return '';
    }),
  };
}
