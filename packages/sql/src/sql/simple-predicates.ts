// Recognises the WHERE conjuncts that per-file min/max stats can decide: comparisons of a column with a
// literal (either side), BETWEEN, IN lists, IS [NOT] NULL, and ANDs of those. Anything else is left out,
// which is always safe: a conjunct that is not understood prunes nothing.
import { identifierName, isWord, significantTokens, tokenize, type Token } from './tokenize.js';

/** A column reference: `name`, or `qualifier.name`. */
export interface ColumnRef {
  readonly qualifier?: string;
  readonly name: string;
}

/** What kind of literal a value is, so callers only compare a column with a literal of its own family. */
export type LiteralKind = 'number' | 'string' | 'date' | 'timestamp' | 'timestamptz';

/** A literal as SQL text (passed to DuckDB unchanged, so it means exactly what it means in the query). */
export interface Literal {
  readonly kind: LiteralKind;
  readonly sql: string;
}

/** Comparison operators, normalised so the column is on the left. */
export type CompareOp = '<' | '<=' | '>' | '>=' | '=';

/** One recognised necessary condition of a conjunct. */
export type SimplePredicate =
  | { readonly kind: 'compare'; readonly column: ColumnRef; readonly op: CompareOp; readonly literal: Literal }
  | { readonly kind: 'in'; readonly column: ColumnRef; readonly literals: readonly Literal[] }
  | { readonly kind: 'null'; readonly column: ColumnRef; readonly negated: boolean };

const FLIP: Record<CompareOp, CompareOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
const OPS: Record<string, CompareOp> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '=': '=', '==': '=' };
/** Words that are never column names here. */
const KEYWORDS = new Set(['null', 'true', 'false', 'not', 'and', 'or', 'is', 'in', 'between', 'like', 'case', 'when', 'then', 'else', 'end', 'date', 'timestamp', 'timestamptz', 'interval', 'cast', 'exists', 'select']);

/**
 * The predicates each of which every row satisfying `conjunct` satisfies (its recognised AND-parts).
 * An empty list means nothing was recognised.
 */
export function simplePredicates(conjunct: string): SimplePredicate[] {
  return fromTokens(significantTokens(tokenize(conjunct)));
}

function fromTokens(tokens: Token[]): SimplePredicate[] {
  while (tokens.length >= 2 && tokens[0]!.text === '(' && closeOf(tokens, 0) === tokens.length - 1) tokens = tokens.slice(1, -1);
  const parts = splitAnd(tokens);
  if (parts === undefined) return [];
  if (parts.length > 1) return parts.flatMap(fromTokens);
  const one = single(tokens);
  return one === undefined ? [] : one;
}

/** Splits at top-level ANDs (not BETWEEN's); undefined when a top-level OR, NOT or CASE makes it unsafe. */
function splitAnd(tokens: Token[]): Token[][] | undefined {
  const parts: Token[][] = [[]];
  let depth = 0;
  let between = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    else if (depth === 0 && t.kind === 'identifier') {
      const w = t.text.toLowerCase();
      if (w === 'or' || w === 'case') return undefined;
      if (w === 'between') between++;
      else if (w === 'and') {
        if (between > 0) between--;
        else {
          parts.push([]);
          continue;
        }
      }
    }
    parts[parts.length - 1]!.push(t);
  }
  return parts.some((p) => p.length === 0) ? undefined : parts;
}

function single(t: Token[]): SimplePredicate[] | undefined {
  // column IS [NOT] NULL, column ISNULL, column NOTNULL
  const col = columnAt(t, 0);
  if (col !== undefined) {
    const rest = t.slice(col.length);
    const words = rest.map((x) => (x.kind === 'identifier' ? x.text.toLowerCase() : `\u0000${x.text}`)).join(' ');
    if (words === 'is null' || words === 'isnull') return [{ kind: 'null', column: col.ref, negated: false }];
    if (words === 'is not null' || words === 'notnull') return [{ kind: 'null', column: col.ref, negated: true }];
    if (isWord(rest[0], 'between')) {
      const lo = literalAt(rest, 1);
      if (lo === undefined || !isWord(rest[1 + lo.length], 'and')) return undefined;
      const hi = literalAt(rest, 2 + lo.length);
      if (hi === undefined || 2 + lo.length + hi.length !== rest.length) return undefined;
      return [
        { kind: 'compare', column: col.ref, op: '>=', literal: lo.literal },
        { kind: 'compare', column: col.ref, op: '<=', literal: hi.literal },
      ];
    }
    if (isWord(rest[0], 'in') && rest[1]?.text === '(' && rest[rest.length - 1]?.text === ')') {
      const literals: Literal[] = [];
      let k = 2;
      while (k < rest.length - 1) {
        const lit = literalAt(rest, k);
        if (lit === undefined) return undefined;
        literals.push(lit.literal);
        k += lit.length;
        if (rest[k]?.text === ',') k++;
        else if (k !== rest.length - 1) return undefined;
      }
      return literals.length === 0 ? undefined : [{ kind: 'in', column: col.ref, literals }];
    }
    const op = OPS[rest[0]?.text ?? ''];
    const lit = literalAt(rest, 1);
    if (op !== undefined && rest[0]?.kind === 'operator' && lit !== undefined && 1 + lit.length === rest.length) {
      return [{ kind: 'compare', column: col.ref, op, literal: lit.literal }];
    }
    return undefined;
  }
  // literal op column
  const lit = literalAt(t, 0);
  if (lit === undefined) return undefined;
  const opToken = t[lit.length];
  const op = OPS[opToken?.text ?? ''];
  const right = columnAt(t, lit.length + 1);
  if (op === undefined || opToken?.kind !== 'operator' || right === undefined || lit.length + 1 + right.length !== t.length) return undefined;
  return [{ kind: 'compare', column: right.ref, op: FLIP[op], literal: lit.literal }];
}

function nameToken(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'quoted-identifier' || (t.kind === 'identifier' && !KEYWORDS.has(t.text.toLowerCase())));
}

function columnAt(t: Token[], k: number): { ref: ColumnRef; length: number } | undefined {
  if (!nameToken(t[k])) return undefined;
  let ref: ColumnRef;
  let length: number;
  if (t[k + 1]?.text === '.' && nameToken(t[k + 2])) {
    ref = { qualifier: identifierName(t[k]!), name: identifierName(t[k + 2]!) };
    length = 3;
  } else {
    ref = { name: identifierName(t[k]!) };
    length = 1;
  }
  // A following '(' , '.', '[' or '::' makes it a call, a deeper path or an expression: not a plain column.
  const next = t[k + length]?.text;
  if (next === '(' || next === '.' || next === '[' || next === '::') return undefined;
  return { ref, length };
}

function literalAt(t: Token[], k: number): { literal: Literal; length: number } | undefined {
  const a = t[k];
  if (a === undefined) return undefined;
  if (a.kind === 'number' && /^[0-9.]/.test(a.text) && !/^0[xXbB]/.test(a.text) && !a.text.includes('_')) {
    return { literal: { kind: 'number', sql: a.text }, length: 1 };
  }
  if ((a.text === '-' || a.text === '+') && a.kind === 'operator' && t[k + 1]?.kind === 'number') {
    const inner = literalAt(t, k + 1);
    return inner === undefined ? undefined : { literal: { kind: 'number', sql: `${a.text}${inner.literal.sql}` }, length: 2 };
  }
  // Plain '…' and E'…' strings only: X'…' / B'…' are blobs and bit strings.
  if (a.kind === 'string' && /^[Ee]?'/.test(a.text)) return { literal: { kind: 'string', sql: a.text }, length: 1 };
  const typed = a.kind === 'identifier' ? a.text.toLowerCase() : '';
  const b = t[k + 1];
  if ((typed === 'date' || typed === 'timestamp' || typed === 'timestamptz') && b?.kind === 'string' && /^'/.test(b.text)) {
    return { literal: { kind: typed, sql: `${typed.toUpperCase()} ${b.text}` }, length: 2 };
  }
  return undefined;
}

function closeOf(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const x = tokens[j]!.text;
    if (x === '(' || x === '[' || x === '{') depth++;
    else if (x === ')' || x === ']' || x === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}
