// An aligned, box-drawn text table of a result (numbers right-aligned, NULL shown as NULL), as DuckDB's CLI prints.
import type { Schema, Table } from 'apache-arrow';
import { readCell, type Cell } from './cells.js';
import { cellText } from './text.js';

/** Renders `table` as an aligned text table followed by a row count line. */
export function renderTextTable(table: Table): string {
  const names = table.schema.fields.map((f) => printable(f.name));
  const rows: { text: string; right: boolean }[][] = [];
  for (const batch of table.batches) {
    const columns = batch.schema.fields.map((_, c) => batch.getChildAt(c)!);
    for (let r = 0; r < batch.numRows; r++) {
      rows.push(columns.map((col) => cellView(readCell(col, r))));
    }
  }
  return renderGrid(table.schema, names, rows);
}

function renderGrid(schema: Schema, names: string[], rows: { text: string; right: boolean }[][]): string {
  const count = `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})\n`;
  if (schema.fields.length === 0) return count;
  const widths = names.map((n, c) => Math.max(width(n), ...rows.map((row) => width(row[c]!.text))));
  const line = (l: string, m: string, r: string): string => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}\n`;
  const cells = (values: { text: string; right: boolean }[]): string =>
    `│${values.map((v, c) => ` ${pad(v.text, widths[c]!, v.right)} `).join('│')}│\n`;
  let out = line('┌', '┬', '┐');
  out += cells(names.map((n) => ({ text: n, right: false })));
  out += line('├', '┼', '┤');
  for (const row of rows) out += cells(row);
  out += line('└', '┴', '┘');
  return out + count;
}

function cellView(cell: Cell): { text: string; right: boolean } {
  const right = cell.kind === 'integer' || cell.kind === 'float' || cell.kind === 'decimal';
  return { text: printable(cellText(cell)), right };
}

/** Control characters would break the grid: show them escaped. */
function printable(text: string): string {
  return text.replace(/[\n\r\t]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c);
}

function width(text: string): number {
  let n = 0;
  for (const ch of text) n += isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
  return n;
}

function pad(text: string, w: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - width(text)));
  return right ? fill + text : text + fill;
}

/** East Asian wide and fullwidth ranges, plus emoji: two terminal columns each. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}
