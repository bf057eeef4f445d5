// Bare table names in a write's query (`INSERT INTO t SELECT * FROM orders`): names in FROM/JOIN position
// that may stand for Delta tables under the root. The caller decides which ones really are (not a CTE,
// not a DuckDB table, a Delta table on disk) and rewrites those into delta_scan calls.
import { identifierName, isWord, significantTokens, tokenize, type Token } from '../sql/tokenize.js';

/** A table name in FROM/JOIN position. */
export interface TableReference {
  /** Offsets of the name (all its dotted parts) in the SQL text. */
  readonly start: number;
  readonly end: number;
  /** The name's parts, quotes removed. */
  readonly parts: readonly string[];
  /** Whether an alias follows (then the rewrite must not add one). */
  readonly aliased: boolean;
}

/** Words after a table name that are not its alias. */
const NOT_ALIAS = new Set([
  'where', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'on', 'using', 'group', 'order', 'limit',
  'offset', 'having', 'union', 'except', 'intersect', 'window', 'qualify', 'asof', 'positional', 'anti', 'semi',
  'tablesample', 'fetch', 'returning', 'pivot', 'unpivot', 'select', 'lateral', 'outer', 'from', 'for',
]);

/** Words that end a FROM clause at its own depth. */
const FROM_END = new Set(['where', 'group', 'order', 'having', 'limit', 'select', 'union', 'qualify', 'window', 'except', 'intersect', 'offset']);

/** Names of CTEs defined anywhere in the query (`name AS (…)`, `name(cols) AS (…)`), lower case. */
export function cteNames(sql: string): Set<string> {
  const tokens = significantTokens(tokenize(sql));
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'identifier' && t.kind !== 'quoted-identifier') continue;
    let j = i + 1;
    if (tokens[j]?.text === '(') j = closeOf(tokens, j) + 1; // a column list
    if (!isWord(tokens[j], 'as')) continue;
    j++;
    if (isWord(tokens[j], 'not')) j++;
    if (isWord(tokens[j], 'materialized')) j++;
    const before = tokens[i - 1];
    const follows = before === undefined ? false : isWord(before, 'with') || isWord(before, 'recursive') || before.text === ',';
    if (tokens[j]?.text === '(' && follows) names.add(identifierName(t).toLowerCase());
  }
  return names;
}

/** Every plain (possibly dotted) name directly after FROM, JOIN, or a comma of a FROM list. */
export function findTableReferences(sql: string): TableReference[] {
  const tokens = significantTokens(tokenize(sql));
  const out: TableReference[] = [];
  // Depth of parentheses at which a FROM clause is open (its comma-separated list continues at that depth).
  const fromDepths: number[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') {
      depth--;
      while (fromDepths.length > 0 && fromDepths[fromDepths.length - 1]! > depth) fromDepths.pop();
    }
    const w = t.kind === 'identifier' ? t.text.toLowerCase() : '';
    if (w === 'from' && !isWord(tokens[i - 1], 'distinct')) {
      while (fromDepths.length > 0 && fromDepths[fromDepths.length - 1]! >= depth) fromDepths.pop();
      fromDepths.push(depth);
    } else if (fromDepths[fromDepths.length - 1] === depth && FROM_END.has(w)) {
      fromDepths.pop();
    }
    const opensTable = w === 'from' || w === 'join' || (t.text === ',' && fromDepths[fromDepths.length - 1] === depth);
    if (!opensTable) continue;
    const ref = nameAt(tokens, i + 1);
    if (ref !== undefined) out.push(ref);
  }
  return out;
}

function nameAt(tokens: Token[], i: number): TableReference | undefined {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = tokens[j];
    if (t === undefined || (t.kind !== 'identifier' && t.kind !== 'quoted-identifier')) return undefined;
    if (t.kind === 'identifier' && NOT_ALIAS.has(t.text.toLowerCase())) return undefined;
    parts.push(identifierName(t));
    j++;
    if (tokens[j]?.text !== '.') break;
    j++;
  }
  const next = tokens[j];
  if (next?.text === '(') return undefined; // a table function: range(3), delta_scan('…')
  const aliased =
    next !== undefined &&
    (isWord(next, 'as') || next.kind === 'quoted-identifier' || (next.kind === 'identifier' && !NOT_ALIAS.has(next.text.toLowerCase())));
  return { start: tokens[i]!.start, end: tokens[j - 1]!.end, parts, aliased };
}

function closeOf(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j]!.text === '(') depth++;
    else if (tokens[j]!.text === ')' && --depth === 0) return j;
  }
  return tokens.length;
}
