// Arrow results → the plain rows templates (run_query, load_result) and `show` work with.
import type { Table } from 'apache-arrow';
import { readCell, type Cell } from '@duckrun/sql';
import type { QueryResult } from '../jinja/index.js';

/** Converts an Arrow table: integers become numbers (bigint beyond 2^53), dates and timestamps ISO-like text. */
export function tableToQueryResult(table: Table): QueryResult {
  const columns = table.schema.fields.map((f) => f.name);
  const columnTypes = table.schema.fields.map((f) => String(f.type));
  const vectors = columns.map((_c, i) => table.getChildAt(i));
  const rows: unknown[][] = [];
  for (let r = 0; r < table.numRows; r++) rows.push(vectors.map((v) => (v === null ? null : plainValue(readCell(v, r)))));
  return { columns, columnTypes, rows };
}

/** One cell as a plain JS value. */
export function plainValue(cell: Cell): unknown {
  switch (cell.kind) {
    case 'null': return null;
    case 'boolean': return cell.value;
    case 'integer': return cell.value >= BigInt(Number.MIN_SAFE_INTEGER) && cell.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cell.value) : cell.value;
    case 'float': return cell.value;
    case 'decimal': return Number(cell.text);
    case 'string': return cell.value;
    case 'binary': return cell.value;
    case 'date': return cell.text;
    case 'timestamp': return `${cell.date} ${cell.time}`;
    case 'time':
    case 'interval':
    case 'other': return cell.text;
    case 'list': return cell.items.map(plainValue);
    case 'struct': return Object.fromEntries(cell.fields.map(([k, v]) => [k, plainValue(v)]));
    case 'map': return cell.entries.map(([k, v]) => [plainValue(k), plainValue(v)]);
  }
}
