// The calling convention between templates and JS: functions marked as Python callables receive
// positional arguments and keyword arguments separately, as Jinja passes them.

/** Keyword arguments of one call. */
export type Kwargs = Record<string, unknown>;

/** Marks a function that takes `(args, kwargs)` instead of spread JS arguments. */
export const PY_CALL: unique symbol = Symbol.for('duckrun.jinja.pycall');

/** A template-callable function with Python argument passing. */
export interface PyCallable {
  (args: unknown[], kwargs: Kwargs): unknown;
  readonly [PY_CALL]: true;
  /** Name shown in error messages. */
  readonly pyName: string;
}

/** Wraps `(args, kwargs) => …` so templates pass it keyword arguments by name. */
export function pyFunction(name: string, fn: (args: unknown[], kwargs: Kwargs) => unknown): PyCallable {
  const f = ((args: unknown[], kwargs: Kwargs) => fn(args, kwargs)) as PyCallable;
  Object.defineProperty(f, PY_CALL, { value: true });
  Object.defineProperty(f, 'pyName', { value: name });
  return f;
}

/** True when `fn` takes `(args, kwargs)`. */
export function isPyCallable(fn: unknown): fn is PyCallable {
  return typeof fn === 'function' && (fn as Partial<PyCallable>)[PY_CALL] === true;
}

/**
 * Calls any callable the way a template would. Plain JS functions get the positional arguments,
 * plus the keyword arguments as one trailing object when there are any (the JS idiom for options).
 */
export function callPy(fn: unknown, args: unknown[], kwargs: Kwargs = {}, thisArg?: unknown): unknown {
  if (isPyCallable(fn)) return fn(args, kwargs);
  if (typeof fn !== 'function') throw new TypeError(`'${typeof fn}' object is not callable`);
  return Object.keys(kwargs).length > 0 ? fn.apply(thisArg, [...args, kwargs]) : fn.apply(thisArg, args);
}

/** Reads a parameter given by position or by keyword, as Python binds `def f(a, b=…)`. */
export function arg(args: readonly unknown[], kwargs: Kwargs, index: number, name: string, fallback?: unknown): unknown {
  if (index < args.length) return args[index];
  if (Object.prototype.hasOwnProperty.call(kwargs, name)) return kwargs[name];
  return fallback;
}
