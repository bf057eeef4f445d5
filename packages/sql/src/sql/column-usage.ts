// Which columns of a delta_scan table a statement can use, decided conservatively from its tokens: a column
// counts as used when its name appears anywhere as an identifier. Whatever could reach columns without naming
// them (`*`, COLUMNS(…), NATURAL joins, the table alias used as a row value, FROM-first queries, …) means
// "all columns".
import { identifierName, significantTokens, tokenize, type Token } from './tokenize.js';

/** Words whose presence anywhere makes column use impossible to see from names alone. */
const OPAQUE = new Set(['columns', 'natural', 'pivot', 'unpivot', 'describe', 'summarize', 'show', 'copy', 'export', 'unnest_all']);
/** Tokens after which `*` is a star (all columns), not a multiplication. */
const STAR_BEFORE = new Set(['(', ',', '.', 'select', 'distinct', 'all', 'on', 'by']);
/** Tokens after which `*` is a star: a multiplication is followed by an operand (`DISTINCT ON (a) *`). */
const STAR_AFTER = new Set(['from', ',', ')', ';', 'exclude', 'replace', 'rename', 'like', 'ilike', 'similar', 'glob']);
/** Tokens before a FROM that starts a query block (DuckDB's FROM-first syntax selects every column). */
const FROM_FIRST_BEFORE = new Set(['(', ';', 'union', 'intersect', 'except', 'all', 'distinct', 'name']);

/**
 * The columns (names as in `columns`) the statement may use from a table with the given columns; undefined
 * means all of them. `alias` is the delta_scan call's alias, `call` its [start, end) range in `sql`.
 */
export function usedColumns(
  sql: string,
  columns: readonly string[],
  call: { readonly start: number; readonly end: number; readonly alias?: string },
): string[] | undefined {
  const tokens = significantTokens(tokenize(sql)).filter((t) => t.end <= call.start || t.start >= call.end);
  const alias = call.alias?.toLowerCase();
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    if (t.kind === 'operator' && (t.text === '*' || t.text.startsWith('#'))) {
      if (t.text.startsWith('#')) return undefined; // positional reference
      const next = tokens[i + 1];
      if (prev === undefined || STAR_BEFORE.has(lower(prev)) || next === undefined || STAR_AFTER.has(lower(next))) {
        // count(*) counts rows and needs no column.
        if (!(prev?.text === '(' && tokens[i + 1]?.text === ')' && lower(tokens[i - 2]) === 'count')) return undefined;
      }
      continue;
    }
    if (t.kind !== 'identifier' && t.kind !== 'quoted-identifier') continue;
    const word = identifierName(t).toLowerCase();
    if (t.kind === 'identifier' && OPAQUE.has(word)) return undefined;
    if (t.kind === 'identifier' && word === 'from' && (prev === undefined || FROM_FIRST_BEFORE.has(lower(prev)))) return undefined;
    // The alias alone (not `alias.col`) is the whole row as a struct: to_json(t), SELECT t, …
    if (alias !== undefined && word === alias && tokens[i + 1]?.text !== '.' && !isAliasDefinition(tokens, i, call)) return undefined;
    names.add(word);
  }
  return columns.filter((c) => names.has(c.toLowerCase()));
}

function lower(t: Token | undefined): string {
  return t === undefined ? '' : t.kind === 'identifier' ? t.text.toLowerCase() : t.text;
}

/** True for the alias right after the call (`delta_scan(…) [AS] alias`). */
function isAliasDefinition(tokens: readonly Token[], i: number, call: { readonly end: number }): boolean {
  const prev = tokens[i - 1];
  if (prev !== undefined && prev.end <= call.end && tokens[i]!.start >= call.end) return true;
  return prev !== undefined && lower(prev) === 'as' && (tokens[i - 2]?.end ?? -1) <= call.end && prev.start >= call.end;
}
