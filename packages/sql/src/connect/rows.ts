// Arrow results → plain JavaScript row objects for DataFrame.collect(), with the same value rules as --format json.
import type { Table } from 'apache-arrow';
import { readCell, type Cell } from '../render/cells.js';

/** One collected row: column name → plain value (see {@link plainValue}). */
export type Row = Record<string, unknown>;

/** The rows of `table` as plain objects keyed by column name. */
export function tableRows(table: Table): Row[] {
  const names = table.schema.fields.map((f) => f.name);
  const rows: Row[] = [];
  for (const batch of table.batches) {
    const columns = names.map((_, c) => batch.getChildAt(c)!);
    for (let r = 0; r < batch.numRows; r++) {
      const row: Row = {};
      names.forEach((name, c) => {
        row[name] = plainValue(readCell(columns[c]!, r));
      });
      rows.push(row);
    }
  }
  return rows;
}

/**
 * A cell as a plain value. Exactness wins over convenience: integers beyond 2^53 stay bigint, decimals are
 * their exact text, dates/timestamps are ISO text (a JS Date would drop microseconds and time zones).
 */
export function plainValue(cell: Cell): unknown {
  switch (cell.kind) {
    case 'null':
      return null;
    case 'boolean':
    case 'string':
    case 'binary':
      return cell.value;
    case 'integer':
      return cell.value >= BigInt(Number.MIN_SAFE_INTEGER) && cell.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cell.value) : cell.value;
    case 'float':
      return cell.value;
    case 'decimal':
    case 'date':
    case 'time':
    case 'interval':
    case 'other':
      return cell.text;
    case 'timestamp':
      return `${cell.date}T${cell.time}${cell.utc ? 'Z' : ''}`;
    case 'list':
      return cell.items.map(plainValue);
    case 'struct':
      return Object.fromEntries(cell.fields.map(([k, v]) => [k, plainValue(v)]));
    case 'map':
      return cell.entries.every(([k]) => k.kind === 'string')
        ? Object.fromEntries(cell.entries.map(([k, v]) => [k.kind === 'string' ? k.value : '', plainValue(v)]))
        : cell.entries.map(([k, v]) => ({ key: plainValue(k), value: plainValue(v) }));
  }
}
