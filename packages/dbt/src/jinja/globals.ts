// Globals that do not depend on the node: Python builtins Jinja and dbt offer (range, dict, zip,
// namespace, return), serialisation helpers, `exceptions` and `modules`.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CompilerError } from './errors.js';
import { createModules } from './modules/index.js';
import type { Clock } from './modules/datetime.js';
import { arg, pyFunction, type Kwargs } from './py/call.js';
import { pyJsonDumps } from './py/json.js';
import { pyStr } from './py/repr.js';
import { isDict, pyEquals, pyIter, truthy } from './py/values.js';
import { ReturnSignal } from './signals.js';

/** `namespace(...)`: a mutable attribute bag for `{% set ns.x = … %}` across loop scopes. */
export class Namespace {
  constructor(init: Kwargs) {
    Object.assign(this, init);
  }
  __str__(): string {
    return `<Namespace ${Object.entries(this).map(([k, v]) => `${k}=${pyStr(v)}`).join(', ')}>`;
  }
}

/** Where log()/print()/warn output goes. */
export type LogSink = (message: string, level: 'info' | 'debug' | 'warn') => void;

/** Builds the node-independent globals. */
export function createStaticGlobals(clock: Clock, log: LogSink): Record<string, unknown> {
  const raise = (msg: unknown): never => {
    throw new CompilerError(pyStr(msg));
  };
  return {
    return: pyFunction('return', (a) => {
      throw new ReturnSignal(a[0]);
    }),
    namespace: pyFunction('namespace', (a, k) => new Namespace({ ...(isDict(a[0]) ? a[0] : {}), ...k })),
    dict: pyFunction('dict', (a, k) => {
      const d: Record<string, unknown> = {};
      if (isDict(a[0])) Object.assign(d, a[0]);
      else if (a[0] !== undefined) for (const pair of pyIter(a[0])) d[pyStr((pair as unknown[])[0])] = (pair as unknown[])[1];
      return Object.assign(d, k);
    }),
    range: pyFunction('range', (a) => {
      const [start, stop, step] = a.length === 1 ? [0, Number(a[0]), 1] : [Number(a[0]), Number(a[1]), Number(a[2] ?? 1)];
      if (step === 0) throw new Error('ValueError: range() arg 3 must not be zero');
      const out: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
      return out;
    }),
    zip: pyFunction('zip', (a) => {
      const lists = a.map((x) => pyIter(x));
      const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_x, i) => lists.map((l) => l[i]));
    }),
    enumerate: pyFunction('enumerate', (a, k) => pyIter(a[0]).map((v, i) => [i + Number(arg(a, k, 1, 'start', 0)), v])),
    set: pyFunction('set', (a) => dedupe(pyIter(a[0] ?? []))),
    set_strict: pyFunction('set_strict', (a) => dedupe(pyIter(a[0]))),
    tojson: pyFunction('tojson', (a, k) => {
      try {
        return pyJsonDumps(a[0], { sortKeys: truthy(arg(a, k, 2, 'sort_keys', false)) });
      } catch {
        return arg(a, k, 1, 'default', null);
      }
    }),
    fromjson: pyFunction('fromjson', (a, k) => {
      try {
        return JSON.parse(pyStr(a[0])) as unknown;
      } catch {
        return arg(a, k, 1, 'default', null);
      }
    }),
    toyaml: pyFunction('toyaml', (a) => stringifyYaml(a[0])),
    fromyaml: pyFunction('fromyaml', (a, k) => {
      try {
        return parseYaml(pyStr(a[0])) as unknown;
      } catch {
        return arg(a, k, 1, 'default', null);
      }
    }),
    print: pyFunction('print', (a) => {
      log(a.map((x) => pyStr(x)).join(' '), 'info');
      return '';
    }),
    log: pyFunction('log', (a, k) => {
      log(pyStr(a[0]), truthy(arg(a, k, 1, 'info', false)) ? 'info' : 'debug');
      return '';
    }),
    exceptions: {
      raise_compiler_error: pyFunction('raise_compiler_error', (a) => raise(a[0])),
      raise_not_implemented: pyFunction('raise_not_implemented', (a) => raise(a[0])),
      raise_fail_fast_error: pyFunction('raise_fail_fast_error', (a) => raise(a[0])),
      column_type_missing: pyFunction('column_type_missing', (a) => raise(`Contracted models require data_type to be defined for each column: ${pyStr(a[0])}`)),
      warn: pyFunction('warn', (a) => {
        log(pyStr(a[0]), 'warn');
        return '';
      }),
    },
    modules: createModules(clock),
  };
}

function dedupe(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of items) if (!out.some((o) => pyEquals(o, v))) out.push(v);
  return out;
}
