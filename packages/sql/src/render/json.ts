// JSON of a result: one array of row objects. 64-bit integers and decimals are numbers while exactly
// representable as a JavaScript number and strings beyond; dates and timestamps are ISO-8601 strings.
import type { RecordBatch, Table } from 'apache-arrow';
import { readCell, type Cell } from './cells.js';
import { blobText } from './text.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The JSON object text of each row of `batch`. */
export function jsonRows(batch: RecordBatch): string[] {
  const names = batch.schema.fields.map((f) => JSON.stringify(f.name));
  const columns = batch.schema.fields.map((_, c) => batch.getChildAt(c)!);
  const rows: string[] = [];
  for (let r = 0; r < batch.numRows; r++) {
    rows.push(`{${columns.map((col, c) => `${names[c]}:${cellJson(readCell(col, r))}`).join(',')}}`);
  }
  return rows;
}

/** The whole table as a JSON array, one row object per line. */
export function renderJson(table: Table): string {
  const rows = table.batches.flatMap(jsonRows);
  return rows.length === 0 ? '[]\n' : `[\n${rows.join(',\n')}\n]\n`;
}

/** The JSON text of one cell. */
export function cellJson(cell: Cell): string {
  switch (cell.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return cell.value ? 'true' : 'false';
    case 'integer':
      return safe(cell.value) ? cell.value.toString() : JSON.stringify(cell.value.toString());
    case 'float':
      return Number.isFinite(cell.value) ? JSON.stringify(cell.value) : JSON.stringify(cell.text);
    case 'decimal':
      return safe(cell.unscaled) ? cell.text : JSON.stringify(cell.text);
    case 'string':
      return JSON.stringify(cell.value);
    case 'binary':
      return JSON.stringify(blobText(cell.value));
    case 'date':
    case 'time':
    case 'interval':
    case 'other':
      return JSON.stringify(cell.text);
    case 'timestamp':
      return JSON.stringify(`${cell.date}T${cell.time}${cell.utc ? 'Z' : ''}`);
    case 'list':
      return `[${cell.items.map(cellJson).join(',')}]`;
    case 'struct':
      return `{${cell.fields.map(([k, v]) => `${JSON.stringify(k)}:${cellJson(v)}`).join(',')}}`;
    case 'map':
      return cell.entries.every(([k]) => k.kind === 'string')
        ? `{${cell.entries.map(([k, v]) => `${JSON.stringify(k.kind === 'string' ? k.value : '')}:${cellJson(v)}`).join(',')}}`
        : `[${cell.entries.map(([k, v]) => `{"key":${cellJson(k)},"value":${cellJson(v)}}`).join(',')}]`;
  }
}

function safe(v: bigint): boolean {
  return v <= MAX_SAFE && v >= -MAX_SAFE;
}
