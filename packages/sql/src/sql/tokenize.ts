// A lexer for DuckDB SQL that is exact about what is code and what is not: string literals (incl. E'…' and
// dollar quotes), quoted identifiers and comments are single tokens, so rewrites never touch their insides.

/** Kinds of SQL tokens. */
export type TokenKind =
  | 'space'
  | 'comment'
  | 'string'
  | 'identifier'
  | 'quoted-identifier'
  | 'number'
  | 'parameter'
  | 'operator'
  | 'punctuation';

/** One token: its kind, its exact source text, and its offsets in the SQL string. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?:';
const PUNCTUATION = '(),;[]{}.';

/** Splits SQL into tokens; never throws (an unterminated literal or comment runs to the end of the text). */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number): void => {
    tokens.push({ kind, text: sql.slice(i, end), start: i, end });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1] ?? '';
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j] as string)) j++;
      push('space', j);
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      push('comment', nl === -1 ? sql.length : nl);
    } else if (c === '/' && next === '*') {
      push('comment', blockCommentEnd(sql, i));
    } else if (c === "'") {
      push('string', quotedEnd(sql, i + 1, "'", false));
    } else if ((c === 'E' || c === 'e') && next === "'") {
      push('string', quotedEnd(sql, i + 2, "'", true));
    } else if (/[XxBbNn]/.test(c) && next === "'") {
      push('string', quotedEnd(sql, i + 2, "'", false));
    } else if (c === '"') {
      push('quoted-identifier', quotedEnd(sql, i + 1, '"', false));
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        push('string', close === -1 ? sql.length : close + tag[0].length);
      } else {
        const param = /^\$[0-9A-Za-z_]+/.exec(sql.slice(i));
        push(param ? 'parameter' : 'operator', i + (param ? param[0].length : 1));
      }
    } else if (c === '?' && !OPERATOR_CHARS.includes(next)) {
      push('parameter', i + 1);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      push('number', numberEnd(sql, i));
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < sql.length && IDENT_PART.test(sql[j] as string)) j++;
      push('identifier', j);
    } else if (PUNCTUATION.includes(c)) {
      push('punctuation', i + 1);
    } else if (OPERATOR_CHARS.includes(c)) {
      let j = i + 1;
      // Stop before a comment start so `1--x` and `a/*c*/` lex as in DuckDB.
      while (
        j < sql.length &&
        OPERATOR_CHARS.includes(sql[j] as string) &&
        !(sql[j] === '-' && sql[j + 1] === '-') &&
        !(sql[j] === '/' && sql[j + 1] === '*')
      ) {
        j++;
      }
      push('operator', j);
    } else {
      push('operator', i + 1);
    }
  }
  return tokens;
}

/** The tokens that carry meaning: no whitespace, no comments. */
export function significantTokens(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
}

/** True when `token` is the unquoted keyword or identifier `word` (case-insensitive). */
export function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && token.kind === 'identifier' && token.text.toLowerCase() === word;
}

/** The value of a string-literal token ('…' with '' escapes, E'…' with backslash escapes, $tag$…$tag$). */
export function stringLiteralValue(token: Token): string {
  const t = token.text;
  if (t.startsWith('$')) {
    const tag = /^\$[A-Za-z0-9_]*\$/.exec(t)?.[0] ?? '$$';
    return t.slice(tag.length, t.length - tag.length);
  }
  if (/^[Ee]'/.test(t)) {
    return t
      .slice(2, -1)
      .replace(/''/g, "'")
      .replace(/\\(.)/g, (_m, ch: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[ch] ?? ch);
  }
  return t.slice(t.indexOf("'") + 1, -1).replace(/''/g, "'");
}

/** The name a quoted or unquoted identifier token denotes (unquoted names keep their spelling). */
export function identifierName(token: Token): string {
  return token.kind === 'quoted-identifier' ? token.text.slice(1, -1).replace(/""/g, '"') : token.text;
}

function quotedEnd(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let j = from;
  while (j < sql.length) {
    const ch = sql[j];
    if (backslashEscapes && ch === '\\') {
      j += 2;
    } else if (ch === quote) {
      if (sql[j + 1] === quote) j += 2;
      else return j + 1;
    } else {
      j++;
    }
  }
  return sql.length;
}

function blockCommentEnd(sql: string, from: number): number {
  let depth = 0;
  let j = from;
  while (j < sql.length) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  return sql.length;
}

function numberEnd(sql: string, from: number): number {
  const m = /^(0[xX][0-9A-Fa-f_]+|0[bB][01_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?|\d[\d_]*\.)/.exec(sql.slice(from));
  return from + Math.max(1, m?.[0].length ?? 1);
}
