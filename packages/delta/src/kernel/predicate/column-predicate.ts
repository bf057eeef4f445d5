// A SQL predicate over a table's primitive columns (`replaceWhere`), parsed and evaluated with SQL
// three-valued logic against typed values (the PartitionScalar forms). Literals are read with the column's
// type, so `day = '2024-05-01'` and `day = DATE '2024-05-01'` mean the same.

import { InvalidOptionError } from '../../errors.js';
import { parsePartitionValue, type PartitionScalar } from '../partitions/values.js';
import { typeToString, type StructField } from '../schema/types.js';

/** A compiled predicate: true, false or null (unknown) for one row's values (logical names). */
export interface ColumnPredicate {
  /** The predicate text as given. */
  readonly text: string;
  /** Logical names of the columns it references. */
  readonly columns: readonly string[];
  evaluate(values: Readonly<Record<string, PartitionScalar>>): boolean | null;
  /**
   * False only when no row whose `known` columns hold `values` can satisfy the predicate, whatever its
   * other columns hold (e.g. a file whose partition values fail a partition conjunct); true otherwise.
   */
  mayMatch(values: Readonly<Record<string, PartitionScalar>>, known: ReadonlySet<string>): boolean;
}

/** Which columns a predicate may reference. */
export interface PredicateScope {
  /** The columns it may use (primitive types only). */
  readonly fields: readonly StructField[];
  /** How to name them in the error for any other column, e.g. "partition column". */
  readonly noun: string;
  /** What to suggest when another column is used. */
  readonly hint: string;
}

type Expr =
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'cmp'; op: string; col: string; lit: string | null }
  | { k: 'isnull'; col: string; negate: boolean }
  | { k: 'in'; col: string; lits: (string | null)[]; negate: boolean }
  | { k: 'const'; v: boolean };

type Token = { t: 'id' | 'qid' | 'str' | 'num' | 'op' | 'punct'; v: string };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'BETWEEN', 'TRUE', 'FALSE', 'DATE', 'TIMESTAMP', 'TIMESTAMP_NTZ']);

/**
 * Compiles `text` over the columns of `scope`. Throws InvalidOptionError naming `table` when the text does
 * not parse, references another column, or holds a literal the column's type cannot take.
 */
export function compileColumnPredicate(text: string, scope: PredicateScope, table: string, what = 'replaceWhere'): ColumnPredicate {
  const partitionFields = scope.fields;
  const fail = (why: string): never => {
    throw new InvalidOptionError(`${what} "${text}" for ${table}: ${why}`);
  };
  const tokens = tokenize(text, fail);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isKw = (kw: string): boolean => {
    const t = peek();
    return t !== undefined && t.t === 'id' && t.v.toUpperCase() === kw;
  };
  const expect = (v: string): void => {
    const t = tokens[pos++];
    if (t === undefined || t.v.toUpperCase() !== v) fail(`expected ${v} ${t === undefined ? 'at the end' : `before "${t.v}"`}`);
  };
  const columns = new Set<string>();
  const column = (): string => {
    const t = tokens[pos++];
    if (t === undefined || (t.t !== 'id' && t.t !== 'qid') || (t.t === 'id' && KEYWORDS.has(t.v.toUpperCase()))) {
      return fail(`expected a column name ${t === undefined ? 'at the end' : `at "${t.v}"`}`);
    }
    const field = partitionFields.find((f) => f.name === t.v) ?? partitionFields.find((f) => f.name.toLowerCase() === t.v.toLowerCase());
    if (field === undefined) {
      return fail(`"${t.v}" is not a ${scope.noun} (${scope.noun}s: ${partitionFields.map((f) => f.name).join(', ') || 'none'}); ${scope.hint}`);
    }
    columns.add(field.name);
    return field.name;
  };
  const literal = (): string | null => {
    const t = tokens[pos++];
    if (t === undefined) return fail('expected a literal at the end');
    if (t.t === 'str' || t.t === 'num') return t.v;
    if (t.t === 'op' && t.v === '-' && peek()?.t === 'num') return `-${tokens[pos++]!.v}`;
    if (t.t === 'id') {
      const kw = t.v.toUpperCase();
      if (kw === 'NULL') return null;
      if (kw === 'TRUE' || kw === 'FALSE') return kw.toLowerCase();
      if ((kw === 'DATE' || kw === 'TIMESTAMP' || kw === 'TIMESTAMP_NTZ') && peek()?.t === 'str') return tokens[pos++]!.v;
    }
    return fail(`expected a literal at "${t.v}" (quote strings and dates: 'x', DATE '2024-05-01')`);
  };
  const orExpr = (): Expr => {
    let l = andExpr();
    while (isKw('OR')) {
      pos++;
      l = { k: 'or', l, r: andExpr() };
    }
    return l;
  };
  const andExpr = (): Expr => {
    let l = notExpr();
    while (isKw('AND')) {
      pos++;
      l = { k: 'and', l, r: notExpr() };
    }
    return l;
  };
  const notExpr = (): Expr => {
    if (isKw('NOT')) {
      pos++;
      return { k: 'not', e: notExpr() };
    }
    return predicate();
  };
  const predicate = (): Expr => {
    if (peek()?.v === '(') {
      pos++;
      const e = orExpr();
      expect(')');
      return e;
    }
    if (isKw('TRUE') || isKw('FALSE')) return { k: 'const', v: tokens[pos++]!.v.toUpperCase() === 'TRUE' };
    const col = column();
    if (isKw('IS')) {
      pos++;
      const negate = isKw('NOT');
      if (negate) pos++;
      expect('NULL');
      return { k: 'isnull', col, negate };
    }
    const negate = isKw('NOT');
    if (negate) pos++;
    if (isKw('IN')) {
      pos++;
      expect('(');
      const lits = [literal()];
      while (peek()?.v === ',') {
        pos++;
        lits.push(literal());
      }
      expect(')');
      return { k: 'in', col, lits, negate };
    }
    if (isKw('BETWEEN')) {
      pos++;
      const lo = literal();
      expect('AND');
      const hi = literal();
      const range: Expr = { k: 'and', l: { k: 'cmp', op: '>=', col, lit: lo }, r: { k: 'cmp', op: '<=', col, lit: hi } };
      return negate ? { k: 'not', e: range } : range;
    }
    if (negate) fail('expected IN or BETWEEN after NOT');
    const op = tokens[pos++];
    if (op === undefined || op.t !== 'op' || !['=', '==', '!=', '<>', '<', '<=', '>', '>='].includes(op.v)) {
      return fail(`expected a comparison after ${col}${op === undefined ? '' : ` at "${op.v}"`}`);
    }
    return { k: 'cmp', op: op.v, col, lit: literal() };
  };
  const expr = orExpr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]!.v}"`);

  const types = new Map(partitionFields.map((f) => [f.name, f] as const));
  const typed = new Map<string, PartitionScalar>();
  const value = (col: string, lit: string | null): PartitionScalar => {
    if (lit === null) return null;
    const key = `${col}\u0000${lit}`;
    if (!typed.has(key)) {
      try {
        typed.set(key, parsePartitionValue(lit, types.get(col)!.type, col));
      } catch {
        fail(`'${lit}' is not a valid ${typeToString(types.get(col)!.type)} value for column ${col}`);
      }
    }
    return typed.get(key)!;
  };
  // Type-check every literal now, so a bad literal fails before any file is written.
  const check = (e: Expr): void => {
    if (e.k === 'and' || e.k === 'or') {
      check(e.l);
      check(e.r);
    } else if (e.k === 'not') check(e.e);
    else if (e.k === 'cmp') value(e.col, e.lit);
    else if (e.k === 'in') e.lits.forEach((l) => value(e.col, l));
  };
  check(expr);
  const evaluate = (e: Expr, row: Readonly<Record<string, PartitionScalar>>): boolean | null => {
    switch (e.k) {
      case 'const':
        return e.v;
      case 'and': {
        const l = evaluate(e.l, row);
        if (l === false) return false;
        const r = evaluate(e.r, row);
        return r === false ? false : l === null || r === null ? null : true;
      }
      case 'or': {
        const l = evaluate(e.l, row);
        if (l === true) return true;
        const r = evaluate(e.r, row);
        return r === true ? true : l === null || r === null ? null : false;
      }
      case 'not': {
        const v = evaluate(e.e, row);
        return v === null ? null : !v;
      }
      case 'isnull':
        return (row[e.col] === null || row[e.col] === undefined) !== e.negate;
      case 'cmp': {
        const c = compare(row[e.col] ?? null, value(e.col, e.lit));
        if (c === null) return null;
        return e.op === '=' || e.op === '==' ? c === 0 : e.op === '!=' || e.op === '<>' ? c !== 0 : e.op === '<' ? c < 0 : e.op === '<=' ? c <= 0 : e.op === '>' ? c > 0 : c >= 0;
      }
      case 'in': {
        const v = row[e.col] ?? null;
        if (v === null) return null;
        let unknown = false;
        for (const lit of e.lits) {
          const c = compare(v, value(e.col, lit));
          if (c === 0) return !e.negate;
          if (c === null) unknown = true;
        }
        return unknown ? null : e.negate;
      }
    }
  };
  const columnsOf = (e: Expr): string[] => {
    switch (e.k) {
      case 'and':
      case 'or':
        return [...columnsOf(e.l), ...columnsOf(e.r)];
      case 'not':
        return columnsOf(e.e);
      case 'const':
        return [];
      default:
        return [e.col];
    }
  };
  const provablyFalse = (e: Expr, row: Readonly<Record<string, PartitionScalar>>, known: ReadonlySet<string>): boolean => {
    if (e.k === 'and') return provablyFalse(e.l, row, known) || provablyFalse(e.r, row, known);
    if (e.k === 'or') return provablyFalse(e.l, row, known) && provablyFalse(e.r, row, known);
    return columnsOf(e).every((c) => known.has(c)) && evaluate(e, row) === false;
  };
  return {
    text,
    columns: [...columns],
    evaluate: (row) => evaluate(expr, row),
    mayMatch: (row, known) => !provablyFalse(expr, row, known),
  };
}

/** Orders two values of one column type; null when either is null. */
function compare(a: PartitionScalar, b: PartitionScalar): number | null {
  if (a === null || b === null) return null;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  if (typeof a === 'string' && typeof b === 'string' && isDecimal(a) && isDecimal(b)) {
    // Decimals arrive with the column's scale, so the digits compare as integers.
    const x = BigInt(a.replace('.', ''));
    const y = BigInt(b.replace('.', ''));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function isDecimal(s: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(s);
}

function tokenize(text: string, fail: (why: string) => never): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i++];
      }
      out.push({ t: 'str', v });
    } else if (c === '"' || c === '`') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail(`unterminated quoted name starting at ${c}`);
      out.push({ t: 'qid', v: text.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?/.exec(text.slice(i));
      if (m === null) fail(`unexpected "${c}"`);
      out.push({ t: 'num', v: m![0] });
      i += m![0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      if (['<=', '>=', '<>', '!=', '=='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('=<>-'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else if ('(),'.includes(c)) {
        out.push({ t: 'punct', v: c });
        i++;
      } else fail(`unexpected "${c}"`);
    }
  }
  if (out.length === 0) fail('the predicate is empty');
  return out;
}
