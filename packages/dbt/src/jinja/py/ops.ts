// Python operators and lookups for compiled templates: attribute vs item lookup, negative indexes,
// slices, `+`, `*`, `%` and `~` with Python meaning instead of JS coercion.
import { percentFormat } from './format.js';
import { pyDictMethod, pyMethod } from './methods.js';
import { pyStr } from './repr.js';
import { isDict, isStr, strValue } from './values.js';

/** `obj.name`: Python attributes (methods) first, then items, as Jinja's getattr does. */
export function getAttr(obj: unknown, name: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (typeof name !== 'string') return getItem(obj, name);
  if (isStr(obj) || Array.isArray(obj)) {
    const m = pyMethod(obj, name);
    if (m !== undefined) return m;
    return Array.isArray(obj) ? ownMember(obj, name) : undefined;
  }
  if (isDict(obj)) {
    const m = pyDictMethod(obj, name);
    if (m !== undefined) return m;
    return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
  }
  return ownMember(obj, name);
}

/** `obj[key]`: items first, then attributes, as Jinja's getitem does. */
export function getItem(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (Array.isArray(obj) && typeof key === 'string' && Object.prototype.hasOwnProperty.call(obj, key)) return (obj as unknown as Record<string, unknown>)[key];
  if (typeof key === 'number') {
    if (isStr(obj)) return strValue(obj).at(key);
    if (Array.isArray(obj)) return Number.isInteger(key) ? obj.at(key) : undefined;
  }
  if (isDict(obj)) {
    const k = pyStr(key);
    if (Object.prototype.hasOwnProperty.call(obj, k)) return obj[k];
    return pyDictMethod(obj, k);
  }
  if (typeof obj === 'object') {
    const getitem = (obj as { __getitem__?: unknown }).__getitem__;
    if (typeof getitem === 'function') return (getitem as (k: unknown) => unknown).call(obj, key);
  }
  return getAttr(obj, key);
}

/** A JS property of a class instance; methods come back bound to the instance. */
function ownMember(obj: object, name: string): unknown {
  if (!(name in obj)) return undefined;
  const v = (obj as Record<string, unknown>)[name];
  return typeof v === 'function' ? bindMethod(v, obj) : v;
}

function bindMethod(fn: Function, self: object): unknown {
  const bound = fn.bind(self) as Function & Record<symbol, unknown>;
  // Keep the Python calling convention marker of methods declared with pyFunction.
  for (const sym of Object.getOwnPropertySymbols(fn)) Object.defineProperty(bound, sym, { value: (fn as unknown as Record<symbol, unknown>)[sym] });
  const pyName = (fn as { pyName?: unknown }).pyName;
  if (pyName !== undefined) Object.defineProperty(bound, 'pyName', { value: pyName });
  return bound;
}

/** `obj[start:stop:step]` for lists and strings. */
export function pySlice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  const seq: unknown[] = isStr(obj) ? Array.from(strValue(obj)) : Array.isArray(obj) ? obj : [];
  const st = step === undefined || step === null ? 1 : Number(step);
  if (st === 0) throw new Error('ValueError: slice step cannot be zero');
  const n = seq.length;
  const norm = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === undefined || v === null) return dflt;
    let i = Number(v);
    if (i < 0) i += n;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, n);
    const b = norm(stop, n, 0, n);
    for (let i = a; i < b; i += st) out.push(seq[i]);
  } else {
    const a = norm(start, n - 1, -1, n - 1);
    const b = norm(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += st) out.push(seq[i]);
  }
  return isStr(obj) ? out.join('') : out;
}

/** Python `a + b`: lists concatenate, strings concatenate, numbers add, objects use `__add__`. */
export function pyAdd(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  let custom = dunder(a, '__add__', b);
  if (custom === NOT_IMPLEMENTED) custom = dunder(b, '__radd__', a);
  if (custom !== NOT_IMPLEMENTED) return custom;
  if (isStr(a) && isStr(b)) return strValue(a) + strValue(b);
  return (a as number) + (b as number);
}

/** Python `a - b`; objects (dates, timedeltas) use `__sub__`. */
export function pySub(a: unknown, b: unknown): unknown {
  const custom = dunder(a, '__sub__', b);
  if (custom !== NOT_IMPLEMENTED) return custom;
  return (a as number) - (b as number);
}

/** Returned by a dunder method that does not handle the other operand. */
export const NOT_IMPLEMENTED: unique symbol = Symbol('NotImplemented');

function dunder(obj: unknown, name: string, other: unknown): unknown {
  if (typeof obj !== 'object' || obj === null) return NOT_IMPLEMENTED;
  const f = (obj as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as (o: unknown) => unknown).call(obj, other) : NOT_IMPLEMENTED;
}

/** Python `a * b`: `'-' * 3` and `[0] * 3` repeat. */
export function pyMul(a: unknown, b: unknown): unknown {
  if (isStr(a) && typeof b === 'number') return strValue(a).repeat(Math.max(0, b));
  if (typeof a === 'number' && isStr(b)) return strValue(b).repeat(Math.max(0, a));
  if (Array.isArray(a) && typeof b === 'number') return Array.from({ length: Math.max(0, b) }, () => a).flat();
  return (a as number) * (b as number);
}

/** Python `a % b`: printf formatting for strings, floor modulo (sign of the divisor) for numbers. */
export function pyMod(a: unknown, b: unknown): unknown {
  if (isStr(a)) return percentFormat(strValue(a), b);
  const x = a as number;
  const y = b as number;
  return ((x % y) + y) % y;
}

/** Python `a // b`. */
export function pyFloorDiv(a: unknown, b: unknown): number {
  return Math.floor((a as number) / (b as number));
}

/** Jinja `a ~ b`: both sides as Python `str()`, undefined as ''. */
export function pyConcat(a: unknown, b: unknown): string {
  return pyStr(a) + pyStr(b);
}
