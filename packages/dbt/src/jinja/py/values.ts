// Python value semantics over JS values: which JS values count as str, list, dict, None; truthiness;
// equality. The template runtime, filters and tests all classify values through these helpers.

/** Opt-in marker: a class instance carrying this symbol answers `is mapping` like a Python Mapping. */
export const JINJA_MAPPING: unique symbol = Symbol.for('duckrun.jinja.mapping');

/** nunjucks' SafeString, seen structurally (a String-like wrapper holding `val`). */
interface SafeStringLike {
  val: string;
}

/** True for JS strings and nunjucks SafeStrings (Markup in Jinja). */
export function isStr(v: unknown): v is string {
  return typeof v === 'string' || isSafeString(v);
}

/** The plain string behind a str-like value. */
export function strValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isSafeString(v)) return v.val;
  return String(v);
}

function isSafeString(v: unknown): v is SafeStringLike {
  return typeof v === 'object' && v !== null && v instanceof String && typeof (v as Partial<SafeStringLike>).val === 'string';
}

/** A plain object literal: what a Jinja dict becomes in JS. */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Python `isinstance(v, Mapping)`: dicts, plus class instances that carry JINJA_MAPPING. */
export function isMapping(v: unknown): boolean {
  return isDict(v) || (typeof v === 'object' && v !== null && JINJA_MAPPING in v);
}

/** Python truthiness: empty str/list/dict, 0, None and undefined are false. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (isSafeString(v)) return v.val.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  return true;
}

/** Python `==`: structural for lists and dicts, by value for str-likes. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isStr(a) && isStr(b)) return strValue(a) === strValue(b);
  // None and Undefined differ in Python, but both are absent values here.
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEquals(a[k], b[k]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const eq = (a as { __eq__?: unknown }).__eq__;
    if (typeof eq === 'function') return Boolean((eq as (o: unknown) => unknown).call(a, b));
  }
  return false;
}

/** Python `x in container`. */
export function pyContains(container: unknown, item: unknown): boolean {
  if (container === undefined || container === null) return false;
  if (isStr(container)) return strValue(container).includes(isStr(item) ? strValue(item) : String(item));
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (container instanceof Set) return container.has(item);
  if (container instanceof Map) return container.has(item);
  if (typeof container === 'object') {
    const contains = (container as { __contains__?: unknown }).__contains__;
    if (typeof contains === 'function') return Boolean((contains as (x: unknown) => unknown).call(container, item));
    return isStr(item) && Object.prototype.hasOwnProperty.call(container, strValue(item));
  }
  throw new TypeError(`argument of type '${pyTypeName(container)}' is not iterable`);
}

/** Python's type name for messages (`'int'`, `'list'`, `'NoneType'`). */
export function pyTypeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v === undefined) return 'Undefined';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (isStr(v)) return 'str';
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  if (typeof v === 'function') return 'function';
  return (v as object).constructor?.name ?? 'object';
}

/** Items of an iterable the way Python's `for` sees them: dicts yield keys, strings characters. */
export function pyIter(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (isStr(v)) return Array.from(strValue(v));
  if (isDict(v)) return Object.keys(v);
  if (typeof v === 'object' && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  if (typeof v === 'object') {
    const keys = (v as { keys?: unknown }).keys;
    if (typeof keys === 'function') return pyIter((keys as () => unknown).call(v));
  }
  throw new TypeError(`'${pyTypeName(v)}' object is not iterable`);
}
