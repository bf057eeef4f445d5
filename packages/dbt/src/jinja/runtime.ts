// The `runtime` object compiled templates call (syntax/compiler.ts emits `runtime.<name>`): nunjucks'
// own runtime with Python semantics layered on top. One runtime exists per environment, so phase
// flags (lenient undefined at parse time) and the docs store stay per environment.
import { JinjaRenderError } from './errors.js';
import { LoopContext, type LoopState } from './loop.js';
import { callPy, isPyCallable, pyFunction, type Kwargs, type PyCallable } from './py/call.js';
import { getAttr, getItem, pyAdd, pyConcat, pyFloorDiv, pyMod, pyMul, pySlice, pySub } from './py/ops.js';
import { pyStr } from './py/repr.js';
import { isDict, isStr, pyContains, pyEquals, pyIter, pyTypeName, strValue, truthy } from './py/values.js';
import { ReturnSignal, SuspendSignal } from './signals.js';
import { baseRuntime } from './syntax/internals.js';
import type { Loose } from './syntax/internals.js';

/** What the runtime needs from its environment. */
export interface RuntimeHooks {
  /** True while rendering in the parse phase: calling an undefined name returns undefined. */
  lenient(): boolean;
  /** Stores a `{% docs %}` block. */
  defineDoc(name: string, text: string): void;
}

/** Sentinel for a macro parameter the caller did not pass. */
const MISSING: unique symbol = Symbol('missing');

/** A nunjucks Context, seen structurally. */
interface ContextLike {
  lookup(name: string): unknown;
}
/** A nunjucks Frame, seen structurally. */
interface FrameLike {
  lookup(name: string): unknown;
}

/** Builds the runtime object for one environment. */
export function createRuntime(hooks: RuntimeHooks): Loose {
  const rt = Object.create(baseRuntime) as Record<string, unknown>;
  Object.assign(rt, {
    MISSING,
    truthy,
    getAttr,
    getItem,
    slice: pySlice,
    add: pyAdd,
    sub: pySub,
    concat: pyConcat,
    mul: pyMul,
    mod: pyMod,
    floorDiv: pyFloorDiv,
    contains: pyContains,
    suppressValue: (v: unknown) => pyStr(v),

    lookup(context: ContextLike, frame: FrameLike, name: string): unknown {
      const v = frame.lookup(name);
      return v !== undefined ? v : context.lookup(name);
    },

    and: (a: unknown, b: () => unknown) => (truthy(a) ? b() : a),
    or: (a: unknown, b: () => unknown) => (truthy(a) ? a : b()),

    compare(first: unknown, ops: string[], operands: unknown[]): boolean {
      let left = first;
      for (let i = 0; i < ops.length; i++) {
        const right = operands[i];
        if (!compareOne(left, ops[i] as string, right)) return false;
        left = right;
      }
      return true;
    },

    makeDict(pairs: [unknown, unknown][]): Record<string, unknown> {
      const d: Record<string, unknown> = {};
      for (const [k, v] of pairs) d[isStr(k) ? strValue(k) : pyStr(k)] = v;
      return d;
    },

    setAttr(obj: unknown, key: unknown, value: unknown): void {
      if (typeof obj !== 'object' || obj === null) throw new TypeError(`cannot assign attribute '${pyStr(key)}' on ${pyTypeName(obj)}`);
      (obj as Record<string, unknown>)[pyStr(key)] = value;
    },

    unpack(v: unknown, n: number): unknown[] {
      const items = Array.isArray(v) ? v : pyIter(v);
      if (items.length !== n) throw new TypeError(`cannot unpack ${items.length} values into ${n} names`);
      return items;
    },

    /** Dicts iterate keys, except with two loop names where nunjucks' key/value form is kept. */
    iterate(v: unknown, names: number): unknown[] {
      if (names === 2 && isDict(v)) return Object.entries(v);
      return pyIter(v);
    },

    loopState: (): LoopState => ({}),
    makeLoop: (items: unknown[], i: number, state: LoopState) => new LoopContext(items, i, state),

    call(fn: unknown, name: string, _context: unknown, args: unknown[], kwargs: Kwargs | null, star: unknown, starKw: unknown): unknown {
      if (fn === undefined || fn === null) {
        if (hooks.lenient()) return undefined;
        throw new TypeError(`'${name}' is undefined`);
      }
      if (typeof fn !== 'function') throw new TypeError(`'${name}' is not callable (it is ${pyTypeName(fn)})`);
      const allArgs = star === null || star === undefined ? args : [...args, ...pyIter(star)];
      const allKwargs = starKw === null || starKw === undefined ? (kwargs ?? {}) : { ...(starKw as Kwargs), ...(kwargs ?? {}) };
      return callPy(fn, allArgs, allKwargs);
    },

    filter(env: Loose, name: string, context: unknown, args: unknown[], kwargs: Kwargs | null, star: unknown, starKw: unknown): unknown {
      const f = env.getFilter(name) as unknown;
      const allArgs = star === null || star === undefined ? args : [...args, ...pyIter(star)];
      const allKwargs = starKw === null || starKw === undefined ? (kwargs ?? {}) : { ...(starKw as Kwargs), ...(kwargs ?? {}) };
      if (isPyCallable(f)) return f(allArgs, allKwargs);
      return callPy(f, allArgs, allKwargs, context);
    },

    test(env: Loose, name: string, context: unknown, args: unknown[]): boolean {
      const t = env.getTest(name) as unknown;
      if (typeof t !== 'function') throw new Error(`no test named '${name}'`);
      return truthy(t.apply(context, args));
    },

    makeMacro(name: string, argNames: string[], isCaller: boolean, body: (bound: unknown[], varargs: unknown[], kwargs: Kwargs, caller: unknown) => unknown): PyCallable {
      return pyFunction(name, (args, kwargs) => {
        const bound: unknown[] = argNames.map(() => MISSING);
        const varargs: unknown[] = [];
        const extra: Kwargs = {};
        let caller: unknown;
        args.forEach((v, i) => (i < bound.length ? (bound[i] = v) : varargs.push(v)));
        for (const [k, v] of Object.entries(kwargs)) {
          const at = argNames.indexOf(k);
          if (k === 'caller' && at < 0) caller = v;
          else if (at >= 0) bound[at] = v;
          else extra[k] = v;
        }
        try {
          return body(bound, varargs, extra, caller);
        } catch (e) {
          // A caller block is not a dbt macro: return() inside it ends the enclosing macro.
          if (e instanceof ReturnSignal && !isCaller) return e.value;
          throw e;
        }
      });
    },

    annotateError(e: unknown, template: string | undefined, macro: string, lineno: number): unknown {
      if (e instanceof ReturnSignal || e instanceof SuspendSignal || e instanceof JinjaRenderError) return e;
      return new JinjaRenderError(messageOf(e), { template, macro, line: lineno + 1 }, { cause: e });
    },

    handleError(e: unknown, lineno: number): unknown {
      if (e instanceof ReturnSignal || e instanceof SuspendSignal || e instanceof JinjaRenderError) return e;
      return new JinjaRenderError(messageOf(e), { line: lineno + 1 }, { cause: e });
    },

    defineDoc: (name: string, text: string) => hooks.defineDoc(name, text),
  });
  return rt;
}

function compareOne(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    default: {
      const x = isStr(a) ? strValue(a) : a;
      const y = isStr(b) ? strValue(b) : b;
      if (op === '<') return (x as number) < (y as number);
      if (op === '>') return (x as number) > (y as number);
      if (op === '<=') return (x as number) <= (y as number);
      return (x as number) >= (y as number);
    }
  }
}

/** The message of anything thrown, without nunjucks' "Error: " prefixes. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

