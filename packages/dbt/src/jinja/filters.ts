// Jinja2's built-in filters plus dbt's as_text/as_bool/as_number/as_native, with Python semantics
// and keyword arguments (`map(attribute='name')`, `sort(reverse=true)`, `selectattr('k', 'eq', 1)`).
import { arg, callPy, pyFunction, type Kwargs, type PyCallable } from './py/call.js';
import { strFormat, percentFormat } from './py/format.js';
import { pyJsonDumps } from './py/json.js';
import { compareValues, pyMethod } from './py/methods.js';
import { getItem } from './py/ops.js';
import { pyRepr, pyStr } from './py/repr.js';
import { isDict, isMapping, isStr, pyEquals, pyIter, strValue, truthy } from './py/values.js';
import type { Loose } from './syntax/internals.js';

/** A registered filter: receives the filtered value as args[0]. */
type FilterFn = (args: unknown[], kwargs: Kwargs, env: Loose) => unknown;

/** Filters by name; `createFilters(env)` binds the ones that need the environment (select/reject, map). */
export function createFilters(env: Loose): Record<string, PyCallable> {
  const out: Record<string, PyCallable> = {};
  for (const [name, fn] of Object.entries(FILTERS)) out[name] = pyFunction(name, (a, k) => fn(a, k, env));
  return out;
}

/** Jinja's attribute getter: dotted paths, integer parts as indexes. */
export function attrGetter(path: unknown, fallback?: unknown): (v: unknown) => unknown {
  const parts = typeof path === 'number' ? [path] : pyStr(path).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (v) => {
    let cur = v;
    for (const p of parts) cur = getItem(cur, p);
    return cur === undefined ? fallback : cur;
  };
}

function lower(v: unknown): unknown {
  return isStr(v) ? strValue(v).toLowerCase() : v;
}

function keyed(kwargs: Kwargs, caseSensitive: boolean, attribute: unknown): (v: unknown) => unknown {
  const get = attribute === undefined || attribute === null ? (v: unknown) => v : attrGetter(attribute);
  return caseSensitive ? get : (v) => lower(get(v));
}

/** `select('odd')`, `reject('none')`, `selectattr('a', 'equalto', 1)`, `rejectattr('a')`. */
function selectOrReject(args: unknown[], env: Loose, byAttr: boolean, keep: boolean): unknown[] {
  const items = pyIter(args[0]);
  let rest = args.slice(1);
  let get: (v: unknown) => unknown = (v) => v;
  if (byAttr) {
    get = attrGetter(rest[0]);
    rest = rest.slice(1);
  }
  let test: (v: unknown) => boolean = truthy;
  if (rest.length > 0) {
    const name = pyStr(rest[0]);
    const fn = env.getTest(name) as (...a: unknown[]) => unknown;
    const testArgs = rest.slice(1);
    test = (v) => truthy(fn(v, ...testArgs));
  }
  return items.filter((v) => test(get(v)) === keep);
}

function toNumber(v: unknown, fallback: number, asInt: boolean): number {
  if (typeof v === 'number') return asInt ? Math.trunc(v) : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(pyStr(v).trim().replace(/_/g, ''));
  if (pyStr(v).trim() === '' || Number.isNaN(n)) return fallback;
  return asInt ? Math.trunc(n) : n;
}

/** dbt's as_native/as_bool/as_number: Python literal syntax back to values. */
export function parsePythonLiteral(v: unknown): unknown {
  if (!isStr(v)) return v;
  const s = strValue(v).trim();
  if (s === 'True' || s === 'true') return true;
  if (s === 'False' || s === 'false') return false;
  if (s === 'None') return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Number(s);
  if (/^[[{]/.test(s)) {
    try {
      return JSON.parse(s.replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null').replace(/'/g, '"')) as unknown;
    } catch {
      return strValue(v);
    }
  }
  return strValue(v);
}

function minmax(args: unknown[], kwargs: Kwargs, sign: 1 | -1): unknown {
  const items = pyIter(args[0]);
  if (items.length === 0) return undefined;
  const key = keyed(kwargs, truthy(arg(args, kwargs, 1, 'case_sensitive', false)), arg(args, kwargs, 2, 'attribute'));
  return items.reduce((best, x) => (sign * compareValues(key(x), key(best)) < 0 ? x : best));
}

function length(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (isStr(v)) return strValue(v).length;
  if (Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  if (v instanceof Map || v instanceof Set) return v.size;
  const len = (v as { __len__?: unknown }).__len__;
  if (typeof len === 'function') return Number((len as () => unknown).call(v));
  return pyIter(v).length;
}

const FILTERS: Record<string, FilterFn> = {
  abs: (a) => Math.abs(Number(a[0])),
  attr: (a) => getItem(a[0], a[1]),
  batch: (a, k) => {
    const items = pyIter(a[0]);
    const size = Number(arg(a, k, 1, 'linecount'));
    const fill = arg(a, k, 2, 'fill_with');
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    const lastBatch = out[out.length - 1];
    if (fill !== undefined && lastBatch) while (lastBatch.length < size) lastBatch.push(fill);
    return out;
  },
  capitalize: (a) => callPy(pyMethod(pyStr(a[0]), 'capitalize'), []),
  center: (a, k) => callPy(pyMethod(pyStr(a[0]), 'center'), [arg(a, k, 1, 'width', 80)]),
  count: (a) => length(a[0]),
  default: (a, k) => {
    const v = a[0];
    const dflt = arg(a, k, 1, 'default_value', '');
    return truthy(arg(a, k, 2, 'boolean', false)) ? (truthy(v) ? v : dflt) : v === undefined ? dflt : v;
  },
  dictsort: (a, k) => {
    const byValue = pyStr(arg(a, k, 2, 'by', 'key')) === 'value';
    const cs = truthy(arg(a, k, 1, 'case_sensitive', false));
    const entries = Object.entries(a[0] as Record<string, unknown>);
    const key = (e: [string, unknown]): unknown => (cs ? e[byValue ? 1 : 0] : lower(e[byValue ? 1 : 0]));
    entries.sort((x, y) => compareValues(key(x), key(y)));
    if (truthy(arg(a, k, 3, 'reverse', false))) entries.reverse();
    return entries;
  },
  escape: (a) => pyStr(a[0]).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] as string),
  first: (a) => pyIter(a[0])[0],
  float: (a, k) => toNumber(a[0], Number(arg(a, k, 1, 'default', 0)), false),
  format: (a, k) => (Object.keys(k).length > 0 && a.length === 1 ? strFormat(pyStr(a[0]), [], k) : percentFormat(pyStr(a[0]), a.slice(1))),
  groupby: (a, k) => {
    const get = attrGetter(arg(a, k, 1, 'attribute'), arg(a, k, 2, 'default'));
    const groups = new Map<string, { grouper: unknown; list: unknown[] }>();
    for (const item of pyIter(a[0])) {
      const g = get(item);
      const key = pyRepr(g);
      if (!groups.has(key)) groups.set(key, { grouper: g, list: [] });
      groups.get(key)?.list.push(item);
    }
    return [...groups.values()].sort((x, y) => compareValues(x.grouper, y.grouper)).map((g) => Object.assign([g.grouper, g.list], g));
  },
  indent: (a, k) => {
    const width = arg(a, k, 1, 'width', 4);
    const pad = typeof width === 'number' ? ' '.repeat(width) : pyStr(width);
    const first = truthy(arg(a, k, 2, 'first', false));
    const blank = truthy(arg(a, k, 3, 'blank', false));
    const lines = pyStr(a[0]).split('\n');
    return lines.map((l, i) => ((i === 0 && !first) || (!blank && l.trim() === '') ? l : pad + l)).join('\n');
  },
  int: (a, k) => toNumber(a[0], Number(arg(a, k, 1, 'default', 0)), true),
  items: (a) => (a[0] === undefined || a[0] === null ? [] : Object.entries(a[0] as object)),
  join: (a, k) => {
    const attr = arg(a, k, 2, 'attribute');
    const get = attr === undefined || attr === null ? (v: unknown) => v : attrGetter(attr);
    return pyIter(a[0]).map((v) => pyStr(get(v))).join(pyStr(arg(a, k, 1, 'd', '')));
  },
  last: (a) => pyIter(a[0]).at(-1),
  length: (a) => length(a[0]),
  list: (a) => [...pyIter(a[0])],
  lower: (a) => pyStr(a[0]).toLowerCase(),
  map: (a, k, env) => {
    const items = pyIter(a[0]);
    if (k.attribute !== undefined) {
      const get = attrGetter(k.attribute, k.default);
      return items.map(get);
    }
    const name = pyStr(a[1]);
    const f = env.getFilter(name) as unknown;
    return items.map((v) => callPy(f, [v, ...a.slice(2)], k));
  },
  max: (a, k) => minmax(a, k, -1),
  min: (a, k) => minmax(a, k, 1),
  pprint: (a) => pyRepr(a[0]),
  reject: (a, _k, env) => selectOrReject(a, env, false, false),
  rejectattr: (a, _k, env) => selectOrReject(a, env, true, false),
  replace: (a, k) => callPy(pyMethod(pyStr(a[0]), 'replace'), [a[1], a[2], ...(arg(a, k, 3, 'count') === undefined ? [] : [arg(a, k, 3, 'count')])]),
  reverse: (a) => (isStr(a[0]) ? Array.from(strValue(a[0])).reverse().join('') : [...pyIter(a[0])].reverse()),
  round: (a, k) => {
    const precision = Number(arg(a, k, 1, 'precision', 0));
    const method = pyStr(arg(a, k, 2, 'method', 'common'));
    const f = 10 ** precision;
    const x = Number(a[0]) * f;
    const r = method === 'ceil' ? Math.ceil(x) : method === 'floor' ? Math.floor(x) : Math.sign(x) * Math.round(Math.abs(x));
    return r / f;
  },
  safe: (a) => a[0],
  select: (a, _k, env) => selectOrReject(a, env, false, true),
  selectattr: (a, _k, env) => selectOrReject(a, env, true, true),
  slice: (a, k) => {
    const items = pyIter(a[0]);
    const n = Number(a[1]);
    const fill = arg(a, k, 2, 'fill_with');
    const per = Math.floor(items.length / n);
    const extra = items.length % n;
    const out: unknown[][] = [];
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const size = per + (i < extra ? 1 : 0);
      const part = items.slice(offset, offset + size);
      offset += size;
      if (fill !== undefined && i >= extra && extra > 0) part.push(fill);
      out.push(part);
    }
    return out;
  },
  sort: (a, k) => {
    const key = keyed(k, truthy(arg(a, k, 2, 'case_sensitive', false)), arg(a, k, 3, 'attribute'));
    const out = [...pyIter(a[0])].sort((x, y) => compareValues(key(x), key(y)));
    return truthy(arg(a, k, 1, 'reverse', false)) ? out.reverse() : out;
  },
  string: (a) => pyStr(a[0]),
  striptags: (a) => pyStr(a[0]).replace(/<!--[\s\S]*?-->|<[^>]*>/g, '').replace(/\s+/g, ' ').trim(),
  sum: (a, k) => {
    const attr = arg(a, k, 1, 'attribute');
    const get = attr === undefined || attr === null ? (v: unknown) => v : attrGetter(attr);
    return pyIter(a[0]).reduce((s: number, v) => s + Number(get(v)), Number(arg(a, k, 2, 'start', 0)));
  },
  title: (a) => callPy(pyMethod(pyStr(a[0]), 'title'), []),
  tojson: (a, k) => pyJsonDumps(a[0], { sortKeys: true, indent: arg(a, k, 1, 'indent') as number | undefined, htmlSafe: true }),
  trim: (a, k) => callPy(pyMethod(pyStr(a[0]), 'strip'), [arg(a, k, 1, 'chars')]),
  truncate: (a, k) => {
    const s = pyStr(a[0]);
    const len = Number(arg(a, k, 1, 'length', 255));
    const killwords = truthy(arg(a, k, 2, 'killwords', false));
    const end = pyStr(arg(a, k, 3, 'end', '...'));
    const leeway = Number(arg(a, k, 4, 'leeway', 5));
    if (s.length <= len + leeway) return s;
    if (killwords) return s.slice(0, len - end.length) + end;
    const cut = s.slice(0, len - end.length);
    const space = cut.lastIndexOf(' ');
    return (space > 0 ? cut.slice(0, space) : cut) + end;
  },
  unique: (a, k) => {
    const key = keyed(k, truthy(arg(a, k, 1, 'case_sensitive', false)), arg(a, k, 2, 'attribute'));
    const seen: unknown[] = [];
    const out: unknown[] = [];
    for (const v of pyIter(a[0])) {
      const kv = key(v);
      if (!seen.some((s) => pyEquals(s, kv))) {
        seen.push(kv);
        out.push(v);
      }
    }
    return out;
  },
  upper: (a) => pyStr(a[0]).toUpperCase(),
  urlencode: (a) => (isMapping(a[0]) ? Object.entries(a[0] as object).map(([x, y]) => `${encodeURIComponent(x)}=${encodeURIComponent(pyStr(y))}`).join('&') : encodeURIComponent(pyStr(a[0]))),
  wordcount: (a) => (pyStr(a[0]).match(/\w+/g) ?? []).length,
  as_text: (a) => pyStr(a[0]),
  as_bool: (a) => parsePythonLiteral(a[0]),
  as_number: (a) => parsePythonLiteral(a[0]),
  as_native: (a) => parsePythonLiteral(a[0]),
};
FILTERS.d = FILTERS.default as FilterFn;
FILTERS.e = FILTERS.escape as FilterFn;
