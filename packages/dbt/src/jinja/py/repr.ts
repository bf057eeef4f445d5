// Python `str()` and `repr()` of template values, so `{{ none }}`, `{{ [1, 'a'] }}` and `'%s' % x`
// print what Jinja2 prints (None, True, ['a', 1], {'a': 1}).
import { isDict, isStr, strValue } from './values.js';

/** Python `str(v)`; undefined (Jinja's Undefined) prints as the empty string. */
export function pyStr(v: unknown): string {
  if (v === undefined) return '';
  if (isStr(v)) return strValue(v);
  return pyRepr(v);
}

/** Python `repr(v)`: strings quoted, containers recursive. */
export function pyRepr(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return reprNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (isStr(v)) return reprString(strValue(v));
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isDict(v)) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${reprString(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  if (v instanceof Set) return v.size === 0 ? 'set()' : `{${[...v].map(pyRepr).join(', ')}}`;
  if (typeof v === 'function') return `<function ${v.name || 'anonymous'}>`;
  if (typeof v === 'object') {
    const custom = (v as { __str__?: unknown }).__str__;
    if (typeof custom === 'function') return String((custom as () => unknown).call(v));
    if (v.toString !== Object.prototype.toString) return String(v);
    return `<${v.constructor?.name ?? 'object'}>`;
  }
  return String(v);
}

function reprNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Python picks single quotes unless the text holds a single quote and no double quote. */
function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return quote + out + quote;
}
