import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/errors.js';
import { compileColumnPredicate } from '../../../src/kernel/predicate/column-predicate.js';
import type { StructField } from '../../../src/kernel/schema/types.js';

const field = (name: string, type: StructField['type']): StructField => ({ name, type, nullable: true, metadata: {} });
const FIELDS = [field('day', 'date'), field('p', 'integer'), field('x', 'long'), field('s', 'string'), field('d', { type: 'decimal', precision: 10, scale: 2 })];
const scope = { fields: FIELDS, noun: 'column', hint: 'use another' };
const compile = (text: string) => compileColumnPredicate(text, scope, 'file:///t');

describe('column predicates', () => {
  it('reads literals with the column type and compares with SQL three-valued logic', () => {
    const p = compile("day >= '2024-05-01' AND x IN (1, 2, 3) AND s <> 'a'");
    const day = 19844; // 2024-05-01
    expect(p.evaluate({ day, x: 2n, s: 'b' })).toBe(true);
    expect(p.evaluate({ day: day - 1, x: 2n, s: 'b' })).toBe(false);
    expect(p.evaluate({ day, x: null, s: 'b' })).toBeNull();
    expect(compile('x IS NULL OR x = 5').evaluate({ x: null })).toBe(true);
    expect(compile('NOT (x BETWEEN 1 AND 3)').evaluate({ x: 4n })).toBe(true);
    expect(compile('d = 1.5').evaluate({ d: '1.50' })).toBe(true);
    expect(compile('x = -7').evaluate({ x: -7n })).toBe(true);
  });

  it('says a row cannot match only when the known columns prove it, whatever the others hold', () => {
    const known = new Set(['p']);
    expect(compile('p = 1 AND x > 5').mayMatch({ p: 2 }, known)).toBe(false);
    expect(compile('p = 1 AND x > 5').mayMatch({ p: 1 }, known)).toBe(true);
    // Unknown columns are not nulls: x may be non-null in the file, so these may match.
    expect(compile('x IS NOT NULL OR p = 1').mayMatch({ p: 2 }, known)).toBe(true);
    expect(compile('NOT (p = 2 AND x IS NULL)').mayMatch({ p: 2 }, known)).toBe(true);
    expect(compile('p = 1 OR p = 3').mayMatch({ p: 2 }, known)).toBe(false);
  });

  it('refuses unknown columns, bad literals and bad syntax with the predicate in the message', () => {
    expect(() => compile('region = 1')).toThrow(InvalidOptionError);
    expect(() => compile('region = 1')).toThrow(/replaceWhere "region = 1" for file:\/\/\/t: "region" is not a column \(columns: day, p, x, s, d\); use another/);
    expect(() => compile("day = 'not a date'")).toThrow(/'not a date' is not a valid date value for column day/);
    expect(() => compile('p = ')).toThrow(/expected a literal/);
    expect(() => compile("s = 'unterminated")).toThrow(/unterminated string literal/);
  });
});
