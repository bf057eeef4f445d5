// Python `json.dumps` output (", " and ": " separators, optional sorted keys and indent), which
// Jinja's `tojson` and dbt's `tojson()` produce.
import { isDict, isStr, strValue } from './values.js';

/** Options of `json.dumps` that templates use. */
export interface JsonDumpOptions {
  readonly sortKeys?: boolean;
  readonly indent?: number | undefined;
  /** Escape `<`, `>`, `&` and `'` as Jinja's HTML-safe `tojson` filter does. */
  readonly htmlSafe?: boolean;
}

/** Serialises a template value as Python's json.dumps would. */
export function pyJsonDumps(value: unknown, opts: JsonDumpOptions = {}): string {
  const out = dump(value, opts, 0);
  return opts.htmlSafe ? out.replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : out;
}

function dump(v: unknown, opts: JsonDumpOptions, depth: number): string {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (isStr(v)) return JSON.stringify(strValue(v)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const indent = opts.indent;
  const open = (items: string[], l: string, r: string): string => {
    if (items.length === 0) return l + r;
    if (indent === undefined) return l + items.join(', ') + r;
    const pad = ' '.repeat(indent * (depth + 1));
    return `${l}\n${pad}${items.join(`,\n${pad}`)}\n${' '.repeat(indent * depth)}${r}`;
  };
  if (Array.isArray(v)) return open(v.map((x) => dump(x, opts, depth + 1)), '[', ']');
  if (isDict(v) || typeof v === 'object') {
    const toJson = (v as { toJSON?: unknown }).toJSON;
    if (!isDict(v) && typeof toJson === 'function') return dump((toJson as () => unknown).call(v), opts, depth);
    let keys = Object.keys(v as object);
    if (opts.sortKeys) keys = keys.sort();
    return open(
      keys.map((k) => `${JSON.stringify(k)}: ${dump((v as Record<string, unknown>)[k], opts, depth + 1)}`),
      '{',
      '}',
    );
  }
  return JSON.stringify(String(v));
}
