// Cells as DuckDB prints them: NULL, 2024-01-02 03:04:05.5, [1, 2], {'a': 1}, {k=1}, \xFF for bytes.
import type { Cell } from './cells.js';

/** The DuckDB-style text of a cell (top level: NULL for null). */
export function cellText(cell: Cell): string {
  switch (cell.kind) {
    case 'null':
      return 'NULL';
    case 'boolean':
      return cell.value ? 'true' : 'false';
    case 'integer':
      return cell.value.toString();
    case 'float':
    case 'decimal':
    case 'date':
    case 'time':
    case 'interval':
    case 'other':
      return cell.text;
    case 'string':
      return cell.value;
    case 'binary':
      return blobText(cell.value);
    case 'timestamp':
      return `${cell.date} ${cell.time}${cell.utc ? '+00' : ''}`;
    case 'list':
      return `[${cell.items.map(cellText).join(', ')}]`;
    case 'struct':
      return `{${cell.fields.map(([k, v]) => `'${k.replace(/'/g, "''")}': ${cellText(v)}`).join(', ')}}`;
    case 'map':
      return `{${cell.entries.map(([k, v]) => `${cellText(k)}=${cellText(v)}`).join(', ')}}`;
  }
}

/** Bytes as DuckDB prints a BLOB: printable ASCII as is, everything else as `\xHH`. */
export function blobText(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
