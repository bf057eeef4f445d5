// Jinja2's tests (`x is none`, `x is sequence`, `x is in [...]`, `x is divisibleby 3`) with Python
// type semantics; registered on the environment, used by `is` and by select/reject.
import { isMapping, isStr, pyContains, pyEquals, strValue } from './py/values.js';

type TestFn = (value: unknown, ...args: unknown[]) => boolean;

const isNumber = (v: unknown): boolean => typeof v === 'number' || typeof v === 'boolean';

/** Tests by name. */
export const TESTS: Record<string, TestFn> = {
  boolean: (v) => typeof v === 'boolean',
  callable: (v) => typeof v === 'function',
  defined: (v) => v !== undefined,
  divisibleby: (v, n) => Number(v) % Number(n) === 0,
  eq: (v, o) => pyEquals(v, o),
  escaped: () => false,
  even: (v) => Number(v) % 2 === 0,
  false: (v) => v === false,
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  ge: (v, o) => (v as number) >= (o as number),
  gt: (v, o) => (v as number) > (o as number),
  in: (v, seq) => pyContains(seq, v),
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  iterable: (v) => isStr(v) || Array.isArray(v) || isMapping(v) || (typeof v === 'object' && v !== null && Symbol.iterator in v),
  le: (v, o) => (v as number) <= (o as number),
  lower: (v) => isStr(v) && strValue(v) === strValue(v).toLowerCase(),
  lt: (v, o) => (v as number) < (o as number),
  mapping: (v) => isMapping(v),
  ne: (v, o) => !pyEquals(v, o),
  none: (v) => v === null,
  number: isNumber,
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  sameas: (v, o) => v === o,
  sequence: (v) => isStr(v) || Array.isArray(v) || isMapping(v),
  string: (v) => isStr(v),
  true: (v) => v === true,
  undefined: (v) => v === undefined,
  upper: (v) => isStr(v) && strValue(v) === strValue(v).toUpperCase(),
};
for (const [alias, name] of [
  ['==', 'eq'],
  ['equalto', 'eq'],
  ['!=', 'ne'],
  ['>', 'gt'],
  ['greaterthan', 'gt'],
  ['>=', 'ge'],
  ['<', 'lt'],
  ['lessthan', 'lt'],
  ['<=', 'le'],
  ['null', 'none'],
  ['None', 'none'],
  ['True', 'true'],
  ['False', 'false'],
] as const) {
  TESTS[alias] = TESTS[name] as TestFn;
}
