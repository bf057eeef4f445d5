import { describe, expect, it } from 'vitest';
import { significantTokens, stringLiteralValue, tokenize } from '../../src/sql/tokenize.js';

const kinds = (sql: string): [string, string][] => significantTokens(tokenize(sql)).map((t) => [t.kind, t.text]);

describe('tokenize', () => {
  it('keeps the whole source: concatenated token texts equal the input', () => {
    const sql = `SELECT "a""b", 'it''s' -- note\n/* c /* nested */ */ FROM t WHERE x >= 1.5e3 AND y::int <> $1`;
    expect(tokenize(sql).map((t) => t.text).join('')).toBe(sql);
  });

  it('treats string literals, quoted identifiers and comments as single tokens', () => {
    expect(kinds(`select 'delta_scan(''x'')', "delta_scan(" -- delta_scan('y')\n /* delta_scan('z') */ from t`)).toEqual([
      ['identifier', 'select'],
      ['string', "'delta_scan(''x'')'"],
      ['punctuation', ','],
      ['quoted-identifier', '"delta_scan("'],
      ['identifier', 'from'],
      ['identifier', 't'],
    ]);
  });

  it('reads escape strings, dollar-quoted strings and typed literals as strings', () => {
    const tokens = significantTokens(tokenize(`E'a\\'b' $$x'y$$ $tag$ $$ $tag$ x'0A' DATE '2024-01-01'`));
    expect(tokens.map((t) => t.kind)).toEqual(['string', 'string', 'string', 'string', 'identifier', 'string']);
    expect(tokens.slice(0, 3).map(stringLiteralValue)).toEqual(["a'b", "x'y", ' $$ ']);
  });

  it('separates operators, parameters, numbers and named-argument arrows', () => {
    expect(kinds('f(a => 1, b := .5, c => ?, d => $2)::DOUBLE')).toEqual([
      ['identifier', 'f'], ['punctuation', '('], ['identifier', 'a'], ['operator', '=>'], ['number', '1'], ['punctuation', ','],
      ['identifier', 'b'], ['operator', ':='], ['number', '.5'], ['punctuation', ','], ['identifier', 'c'], ['operator', '=>'],
      ['parameter', '?'], ['punctuation', ','], ['identifier', 'd'], ['operator', '=>'], ['parameter', '$2'], ['punctuation', ')'],
      ['operator', '::'], ['identifier', 'DOUBLE'],
    ]);
  });

  it('does not swallow a comment that starts right after an operator', () => {
    expect(kinds('1--2\n+3')).toEqual([['number', '1'], ['operator', '+'], ['number', '3']]);
  });

  it('runs an unterminated literal or comment to the end instead of throwing', () => {
    expect(kinds("select 'abc")).toEqual([['identifier', 'select'], ['string', "'abc"]]);
    expect(kinds('select /* abc')).toEqual([['identifier', 'select']]);
  });
});
