// Finds `delta_scan('uri' [, version => N | timestamp => '…'])` calls in SQL text and, for each call that is
// a table in a FROM clause, the WHERE conjuncts of its query block that partition pruning may evaluate.
import { DeltaScanArgumentError } from '../errors.js';
import { identifierName, isWord, significantTokens, stringLiteralValue, tokenize, type Token } from './tokenize.js';

/** One `delta_scan(...)` call found in a statement. */
export interface DeltaScanCall {
  /** Offset of `delta_scan` in the SQL text. */
  readonly start: number;
  /** Offset just after the call's closing parenthesis. */
  readonly end: number;
  /** The table URI exactly as written (relative URIs are resolved by the caller). */
  readonly uri: string;
  /** `version => N`. */
  readonly version?: number;
  /** `timestamp => '…'`. */
  readonly timestamp?: string;
  /** The call's alias in its FROM clause, when it has one. */
  readonly alias?: string;
  /**
   * Top-level AND-conjuncts of the enclosing query block's WHERE clause (SQL text) that may be evaluated
   * against the table's partition values; empty when the call's position makes pruning unsafe.
   */
  readonly pruningFilters: readonly string[];
}

/** Finds every `delta_scan(...)` call in `sql` (outside strings, quoted identifiers and comments). */
export function findDeltaScanCalls(sql: string): DeltaScanCall[] {
  const tokens = significantTokens(tokenize(sql));
  const depth = nestingDepths(tokens);
  const calls: DeltaScanCall[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'delta_scan') || tokens[i + 1]?.text !== '(') continue;
    if (tokens[i - 1]?.text === '.') continue; // schema.delta_scan(...) is somebody else's function
    const close = matchingClose(tokens, depth, i + 1);
    const args = parseArguments(tokens.slice(i + 2, close), sql);
    const end = tokens[close]?.end ?? sql.length;
    const block = analyseQueryBlock(tokens, depth, i, close, sql);
    calls.push({ start: tokens[i]!.start, end, ...args, ...block });
  }
  return calls;
}

/** Replaces `[start, end)` ranges of `sql` (non-overlapping) with new text. */
export function replaceRanges(sql: string, edits: readonly { start: number; end: number; text: string }[]): string {
  let out = '';
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    out += sql.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + sql.slice(at);
}

const USAGE = "use delta_scan('path/or/uri' [, version => N | timestamp => '2024-01-01T00:00:00Z'])";

function parseArguments(args: Token[], sql: string): { uri: string; version?: number; timestamp?: string } {
  const call = (): string => sql.slice(args[0]?.start ?? 0, args[args.length - 1]?.end ?? 0);
  const first = args[0];
  if (first === undefined || first.kind !== 'string') {
    throw new DeltaScanArgumentError(`delta_scan(${call()}) needs a string literal table URI as its first argument; ${USAGE}`);
  }
  const result: { uri: string; version?: number; timestamp?: string } = { uri: stringLiteralValue(first) };
  let k = 1;
  while (k < args.length) {
    const comma = args[k];
    const name = args[k + 1];
    const arrow = args[k + 2];
    if (comma?.text !== ',' || name === undefined || (arrow?.text !== '=>' && arrow?.text !== ':=')) {
      throw new DeltaScanArgumentError(`delta_scan(${call()}): expected named arguments after the URI; ${USAGE}`);
    }
    k += 3;
    const key = identifierName(name).toLowerCase();
    if (key === 'version') {
      const v = args[k];
      if (v?.kind !== 'number' || !/^\d+$/.test(v.text)) {
        throw new DeltaScanArgumentError(`delta_scan(${call()}): version must be a non-negative integer literal; ${USAGE}`);
      }
      result.version = Number(v.text);
      k += 1;
    } else if (key === 'timestamp') {
      // Accept both timestamp => '…' and timestamp => TIMESTAMP '…'.
      if (/^timestamp(tz)?$/i.test(args[k]?.text ?? '') && args[k + 1]?.kind === 'string') k += 1;
      const v = args[k];
      if (v?.kind !== 'string') {
        throw new DeltaScanArgumentError(`delta_scan(${call()}): timestamp must be a string literal; ${USAGE}`);
      }
      result.timestamp = stringLiteralValue(v);
      k += 1;
    } else {
      throw new DeltaScanArgumentError(`delta_scan(${call()}) has no argument named ${identifierName(name)}; ${USAGE}`);
    }
  }
  if (result.version !== undefined && result.timestamp !== undefined) {
    throw new DeltaScanArgumentError(`delta_scan(${call()}) takes version or timestamp, not both`);
  }
  return result;
}

/** Clause keywords that end a FROM clause or show the call is not in one. */
const NOT_IN_FROM = new Set(['select', 'where', 'group', 'having', 'order', 'limit', 'offset', 'qualify', 'window', 'union', 'intersect', 'except', 'values', 'set', 'returning']);
/** Keywords that end a WHERE clause. */
const WHERE_END = new Set(['group', 'having', 'order', 'limit', 'offset', 'qualify', 'window', 'union', 'intersect', 'except', 'returning', 'fetch', 'select']);
/** Words after a table that are not its alias. */
const NOT_ALIAS = new Set([
  'where', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'on', 'using', 'group', 'order', 'limit',
  'offset', 'having', 'union', 'except', 'intersect', 'window', 'qualify', 'asof', 'positional', 'anti', 'semi',
  'tablesample', 'fetch', 'returning', 'pivot', 'unpivot', 'select', 'lateral', 'outer', 'as', 'from',
]);
/**
 * Join and FROM-clause features under which filtering the table before the WHERE clause could change the
 * result: outer joins that null-extend it (the WHERE might keep the NULL rows), ASOF (nearest match changes),
 * POSITIONAL (row alignment changes), PIVOT/UNPIVOT (the WHERE sees other columns), sampling.
 */
const UNSAFE_ANYWHERE = new Set(['right', 'full', 'asof', 'positional', 'pivot', 'unpivot', 'sample', 'tablesample']);
/** Unsafe only when the call is on their right-hand (null-extended or filtered) side. */
const UNSAFE_BEFORE_CALL = new Set(['left', 'anti', 'semi']);
/** Functions whose value differs between the pruning query and the real query. */
const VOLATILE = new Set([
  'random', 'setseed', 'uuid', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'nextval', 'currval', 'now', 'today',
  'current_timestamp', 'get_current_timestamp', 'transaction_timestamp', 'current_time', 'current_date',
  'get_current_time', 'current_localtime', 'current_localtimestamp', 'localtime', 'localtimestamp',
]);

function analyseQueryBlock(
  tokens: Token[],
  depth: number[],
  call: number,
  close: number,
  sql: string,
): { alias?: string; pruningFilters: string[] } {
  const d = depth[call]!;
  const none = (alias?: string): { alias?: string; pruningFilters: string[] } =>
    alias === undefined ? { pruningFilters: [] } : { alias, pruningFilters: [] };

  // Alias: `delta_scan(...) [AS] name`; a column alias list `name(a, b)` renames columns: no pruning.
  let k = close + 1;
  let alias: string | undefined;
  const aliasToken = isWord(tokens[k], 'as') ? tokens[++k] : tokens[k];
  if (
    aliasToken !== undefined &&
    (aliasToken.kind === 'quoted-identifier' ||
      (aliasToken.kind === 'identifier' && (k > close + 1 || !NOT_ALIAS.has(aliasToken.text.toLowerCase()))))
  ) {
    alias = identifierName(aliasToken);
    k++;
    if (tokens[k]?.text === '(') return none(alias);
  }

  // The call must be a table of its block's FROM clause.
  let from = -1;
  for (let j = call - 1; j >= 0; j--) {
    if (depth[j]! < d) break;
    if (depth[j]! > d) continue;
    const t = tokens[j]!;
    if (isWord(t, 'from') && !isWord(tokens[j - 1], 'distinct')) {
      from = j;
      break;
    }
    if (t.text === ';' || (t.kind === 'identifier' && NOT_IN_FROM.has(t.text.toLowerCase()))) return none(alias);
  }
  if (from === -1) return none(alias);

  // Find the block's WHERE, checking the FROM clause for joins that make pruning unsafe.
  let where = -1;
  for (let j = from + 1; j < tokens.length; j++) {
    if (depth[j]! < d) break;
    if (depth[j]! > d) continue;
    const t = tokens[j]!;
    if (t.text === ';') break;
    if (t.kind !== 'identifier') continue;
    const w = t.text.toLowerCase();
    if (UNSAFE_ANYWHERE.has(w)) return none(alias);
    if (UNSAFE_BEFORE_CALL.has(w) && j < call) return none(alias);
    if (w === 'where') {
      where = j;
      break;
    }
    if (WHERE_END.has(w)) break;
  }
  if (where === -1) return none(alias);

  // The WHERE clause runs to the next clause keyword at this depth, the block's closing parenthesis, or ';'.
  let whereEnd = where + 1;
  while (whereEnd < tokens.length) {
    const t = tokens[whereEnd]!;
    if (depth[whereEnd]! < d || (depth[whereEnd] === d && t.text === ';')) break;
    if (depth[whereEnd] === d && t.kind === 'identifier' && WHERE_END.has(t.text.toLowerCase())) break;
    whereEnd++;
  }
  const conjuncts = splitConjuncts(tokens.slice(where + 1, whereEnd), depth.slice(where + 1, whereEnd), d);
  const pruningFilters = conjuncts
    .filter((c) => c.length > 0 && c.every((t) => !disqualifies(t)))
    .map((c) => sql.slice(c[0]!.start, c[c.length - 1]!.end));
  return alias === undefined ? { pruningFilters } : { alias, pruningFilters };
}

/** Splits a WHERE clause at top-level ANDs; with a top-level OR the whole clause is one conjunct. */
function splitConjuncts(tokens: Token[], depth: number[], d: number): Token[][] {
  const parts: Token[][] = [[]];
  let caseDepth = 0;
  let pendingBetween = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth[i] === d && t.kind === 'identifier') {
      const w = t.text.toLowerCase();
      if (w === 'case') caseDepth++;
      else if (w === 'end' && caseDepth > 0) caseDepth--;
      else if (caseDepth === 0 && w === 'or') return [tokens];
      else if (caseDepth === 0 && w === 'between') pendingBetween++;
      else if (caseDepth === 0 && w === 'and') {
        if (pendingBetween > 0) {
          pendingBetween--;
        } else {
          parts.push([]);
          continue;
        }
      }
    }
    parts[parts.length - 1]!.push(t);
  }
  return parts;
}

function disqualifies(t: Token): boolean {
  if (t.kind === 'parameter') return true;
  if (t.kind !== 'identifier') return false;
  const w = t.text.toLowerCase();
  return w === 'select' || w === 'delta_scan' || VOLATILE.has(w);
}

function nestingDepths(tokens: Token[]): number[] {
  const depth: number[] = [];
  let level = 0;
  for (const t of tokens) {
    if (t.kind === 'punctuation' && (t.text === ')' || t.text === ']' || t.text === '}')) level = Math.max(0, level - 1);
    depth.push(level);
    if (t.kind === 'punctuation' && (t.text === '(' || t.text === '[' || t.text === '{')) level++;
  }
  return depth;
}

function matchingClose(tokens: Token[], depth: number[], open: number): number {
  const d = depth[open]!;
  for (let j = open + 1; j < tokens.length; j++) {
    if (depth[j] === d && tokens[j]!.text === ')') return j;
  }
  throw new DeltaScanArgumentError(`delta_scan( at offset ${tokens[open]!.start} has no closing parenthesis; ${USAGE}`);
}

/**
 * The top-level AND conjuncts of a boolean SQL expression that may prune files (no subquery, parameter or
 * volatile function); a top-level OR makes the whole expression one conjunct.
 */
export function pruningConjuncts(predicate: string): string[] {
  const tokens = significantTokens(tokenize(predicate));
  const depth = nestingDepths(tokens);
  return splitConjuncts(tokens, depth, 0)
    .filter((c) => c.length > 0 && c.every((t) => !disqualifies(t)))
    .map((c) => predicate.slice(c[0]!.start, c[c.length - 1]!.end));
}
