// CSV of a result: a header line, then one line per row; RFC 4180 quoting; NULL is an empty field and
// the empty string is "" so the two stay distinguishable.
import type { RecordBatch, Schema, Table } from 'apache-arrow';
import { readCell } from './cells.js';
import { cellText } from './text.js';

/** The header line (with newline) for `schema`. */
export function csvHeader(schema: Schema): string {
  return `${schema.fields.map((f) => csvField(f.name)).join(',')}\n`;
}

/** The data lines (each with newline) of one batch. */
export function csvLines(batch: RecordBatch): string {
  const columns = batch.schema.fields.map((_, c) => batch.getChildAt(c)!);
  let out = '';
  for (let r = 0; r < batch.numRows; r++) {
    out += `${columns
      .map((col) => {
        const cell = readCell(col, r);
        return cell.kind === 'null' ? '' : csvField(cellText(cell));
      })
      .join(',')}\n`;
  }
  return out;
}

/** The whole table as CSV text. */
export function renderCsv(table: Table): string {
  return csvHeader(table.schema) + table.batches.map(csvLines).join('');
}

/** One field, quoted when it holds a comma, quote, line break, or is empty. */
export function csvField(text: string): string {
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
