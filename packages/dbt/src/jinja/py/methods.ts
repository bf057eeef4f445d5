// Python methods of str, list and dict, looked up by the template runtime when a template calls
// `'a,b'.split(',')`, `xs.append(x)` or `d.items()` (JS has no such methods, or different ones).
import { arg, pyFunction, type Kwargs, type PyCallable } from './call.js';
import { strFormat } from './format.js';
import { pyStr } from './repr.js';
import { isStr, pyContains, pyEquals, pyIter, strValue, truthy } from './values.js';

type Method<T> = (self: T, args: unknown[], kwargs: Kwargs) => unknown;

/** The bound Python method `name` of `obj`, or undefined when Python has no such method. */
export function pyMethod(obj: unknown, name: string): PyCallable | undefined {
  let table: Record<string, Method<never>> | undefined;
  let self: unknown = obj;
  if (isStr(obj)) {
    table = STR_METHODS;
    self = strValue(obj);
  } else if (Array.isArray(obj)) table = LIST_METHODS;
  if (table === undefined || !Object.prototype.hasOwnProperty.call(table, name)) return undefined;
  const method = table[name] as Method<unknown>;
  return pyFunction(name, (args, kwargs) => method(self, args, kwargs));
}

/** The bound dict method `name` of a plain object, or undefined. */
export function pyDictMethod(obj: Record<string, unknown>, name: string): PyCallable | undefined {
  if (!Object.prototype.hasOwnProperty.call(DICT_METHODS, name)) return undefined;
  const method = DICT_METHODS[name] as Method<Record<string, unknown>>;
  return pyFunction(name, (args, kwargs) => method(obj, args, kwargs));
}

const WS = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? WS : pyStr(chars);
  let a = 0;
  let b = s.length;
  while (left && a < b && set.includes(s[a] as string)) a++;
  while (right && b > a && set.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

function split(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === undefined || sep === null) {
    const parts: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest !== '') {
      if (maxsplit >= 0 && parts.length === maxsplit) {
        parts.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return parts;
  }
  const d = pyStr(sep);
  if (d === '') throw new Error('ValueError: empty separator');
  const all = s.split(d);
  if (maxsplit < 0 || all.length <= maxsplit + 1) return all;
  return [...all.slice(0, maxsplit), all.slice(maxsplit).join(d)];
}

function rsplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (maxsplit < 0) return split(s, sep, -1);
  if (sep === undefined || sep === null) {
    const words = split(s, null, -1);
    if (words.length <= maxsplit + 1) return words;
    const keep = words.slice(words.length - maxsplit);
    const head = s.trimEnd();
    let cut = head.length;
    for (let i = keep.length - 1; i >= 0; i--) cut = head.lastIndexOf(keep[i] as string, cut - 1);
    return [head.slice(0, cut).trimEnd(), ...keep];
  }
  const d = pyStr(sep);
  const all = s.split(d);
  if (all.length <= maxsplit + 1) return all;
  return [all.slice(0, all.length - maxsplit).join(d), ...all.slice(all.length - maxsplit)];
}

function num(v: unknown, fallback: number): number {
  return v === undefined || v === null ? fallback : Number(v);
}

function prefixTest(s: string, p: unknown, fn: (s: string, x: string) => boolean): boolean {
  return Array.isArray(p) ? p.some((x) => fn(s, pyStr(x))) : fn(s, pyStr(p));
}

function title(s: string): string {
  return s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase());
}

const STR_METHODS: Record<string, Method<string>> = {
  capitalize: (s) => (s === '' ? s : (s[0] as string).toUpperCase() + s.slice(1).toLowerCase()),
  casefold: (s) => s.toLowerCase(),
  center: (s, a, k) => {
    const w = num(arg(a, k, 0, 'width'), 0);
    const fill = pyStr(arg(a, k, 1, 'fillchar', ' '));
    const n = Math.max(0, w - s.length);
    const left = Math.floor(n / 2) + (n % 2 && w % 2 ? 1 : 0);
    return fill.repeat(left) + s + fill.repeat(n - left);
  },
  count: (s, a) => (pyStr(a[0]) === '' ? s.length + 1 : s.split(pyStr(a[0])).length - 1),
  endswith: (s, a) => prefixTest(s, a[0], (x, p) => x.endsWith(p)),
  find: (s, a) => s.indexOf(pyStr(a[0]), num(a[1], 0)),
  format: (s, a, k) => strFormat(s, a, k),
  index: (s, a) => {
    const i = s.indexOf(pyStr(a[0]), num(a[1], 0));
    if (i < 0) throw new Error('ValueError: substring not found');
    return i;
  },
  isalnum: (s) => /^[\p{L}\p{N}]+$/u.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isdecimal: (s) => /^\p{Nd}+$/u.test(s),
  isdigit: (s) => /^\p{Nd}+$/u.test(s),
  isnumeric: (s) => /^\p{N}+$/u.test(s),
  islower: (s) => /\p{Ll}/u.test(s) && s === s.toLowerCase(),
  isupper: (s) => /\p{Lu}/u.test(s) && s === s.toUpperCase(),
  isspace: (s) => /^\s+$/.test(s),
  istitle: (s) => /[a-zA-Z]/.test(s) && s === title(s),
  join: (s, a) => pyIter(a[0]).map((x) => pyStr(x)).join(s),
  ljust: (s, a) => s.padEnd(num(a[0], 0), pyStr(a[1] ?? ' ')),
  lower: (s) => s.toLowerCase(),
  lstrip: (s, a) => stripChars(s, a[0], true, false),
  partition: (s, a) => {
    const sep = pyStr(a[0]);
    const i = s.indexOf(sep);
    return i < 0 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  },
  removeprefix: (s, a) => (s.startsWith(pyStr(a[0])) ? s.slice(pyStr(a[0]).length) : s),
  removesuffix: (s, a) => (pyStr(a[0]) !== '' && s.endsWith(pyStr(a[0])) ? s.slice(0, s.length - pyStr(a[0]).length) : s),
  replace: (s, a, k) => {
    const count = num(arg(a, k, 2, 'count'), -1);
    const from = pyStr(a[0]);
    const to = pyStr(a[1]);
    if (count < 0) return s.split(from).join(to);
    const parts = s.split(from);
    return parts.slice(0, count + 1).join(to) + (parts.length > count + 1 ? from + parts.slice(count + 1).join(from) : '');
  },
  rfind: (s, a) => s.lastIndexOf(pyStr(a[0])),
  rindex: (s, a) => {
    const i = s.lastIndexOf(pyStr(a[0]));
    if (i < 0) throw new Error('ValueError: substring not found');
    return i;
  },
  rjust: (s, a) => s.padStart(num(a[0], 0), pyStr(a[1] ?? ' ')),
  rpartition: (s, a) => {
    const sep = pyStr(a[0]);
    const i = s.lastIndexOf(sep);
    return i < 0 ? ['', '', s] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  },
  rsplit: (s, a, k) => rsplit(s, arg(a, k, 0, 'sep'), num(arg(a, k, 1, 'maxsplit'), -1)),
  rstrip: (s, a) => stripChars(s, a[0], false, true),
  split: (s, a, k) => split(s, arg(a, k, 0, 'sep'), num(arg(a, k, 1, 'maxsplit'), -1)),
  splitlines: (s, a, k) => {
    const keep = truthy(arg(a, k, 0, 'keepends', false));
    const lines = s.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
    return keep ? lines : lines.map((l) => l.replace(/(\r\n|\r|\n)$/, ''));
  },
  startswith: (s, a) => prefixTest(s, a[0], (x, p) => x.startsWith(p)),
  strip: (s, a) => stripChars(s, a[0], true, true),
  swapcase: (s) => Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (s) => title(s),
  upper: (s) => s.toUpperCase(),
  zfill: (s, a) => {
    const w = num(a[0], 0);
    const sign = /^[+-]/.test(s) ? (s[0] as string) : '';
    return sign + s.slice(sign.length).padStart(w - sign.length, '0');
  },
};

function listIndex(xs: unknown[], v: unknown): number {
  return xs.findIndex((x) => pyEquals(x, v));
}

const LIST_METHODS: Record<string, Method<unknown[]>> = {
  append: (xs, a) => {
    xs.push(a[0]);
    return null;
  },
  extend: (xs, a) => {
    xs.push(...pyIter(a[0]));
    return null;
  },
  insert: (xs, a) => {
    let i = num(a[0], 0);
    if (i < 0) i = Math.max(0, xs.length + i);
    xs.splice(i, 0, a[1]);
    return null;
  },
  pop: (xs, a) => {
    if (xs.length === 0) throw new Error('IndexError: pop from empty list');
    let i = num(a[0], xs.length - 1);
    if (i < 0) i += xs.length;
    if (i < 0 || i >= xs.length) throw new Error('IndexError: pop index out of range');
    return xs.splice(i, 1)[0];
  },
  remove: (xs, a) => {
    const i = listIndex(xs, a[0]);
    if (i < 0) throw new Error('ValueError: list.remove(x): x not in list');
    xs.splice(i, 1);
    return null;
  },
  index: (xs, a) => {
    const i = listIndex(xs, a[0]);
    if (i < 0) throw new Error(`ValueError: ${pyStr(a[0])} is not in list`);
    return i;
  },
  count: (xs, a) => xs.filter((x) => pyEquals(x, a[0])).length,
  reverse: (xs) => {
    xs.reverse();
    return null;
  },
  sort: (xs, _a, k) => {
    xs.sort(compareValues);
    if (truthy(k.reverse)) xs.reverse();
    return null;
  },
  copy: (xs) => xs.slice(),
  clear: (xs) => {
    xs.length = 0;
    return null;
  },
};

/** Python ordering for sort, min and max over numbers and strings. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = isStr(a) ? strValue(a) : a;
  const y = isStr(b) ? strValue(b) : b;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compareValues(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

const DICT_METHODS: Record<string, Method<Record<string, unknown>>> = {
  get: (d, a) => (Object.prototype.hasOwnProperty.call(d, pyStr(a[0])) ? d[pyStr(a[0])] : (a[1] ?? null)),
  items: (d) => Object.entries(d),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  copy: (d) => ({ ...d }),
  update: (d, a, k) => {
    const other = a[0];
    if (Array.isArray(other)) for (const pair of other) d[pyStr((pair as unknown[])[0])] = (pair as unknown[])[1];
    else if (other !== undefined && other !== null) Object.assign(d, other);
    Object.assign(d, k);
    return null;
  },
  pop: (d, a) => {
    const key = pyStr(a[0]);
    if (Object.prototype.hasOwnProperty.call(d, key)) {
      const v = d[key];
      delete d[key];
      return v;
    }
    if (a.length > 1) return a[1];
    throw new Error(`KeyError: '${key}'`);
  },
  setdefault: (d, a) => {
    const key = pyStr(a[0]);
    if (!Object.prototype.hasOwnProperty.call(d, key)) d[key] = a[1] ?? null;
    return d[key];
  },
  clear: (d) => {
    for (const key of Object.keys(d)) delete d[key];
    return null;
  },
  has_key: (d, a) => pyContains(d, a[0]),
};
