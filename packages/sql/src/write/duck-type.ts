// DuckDB type names as DESCRIBE prints them (`DECIMAL(18,3)`, `STRUCT(a INTEGER, "b c" VARCHAR[])`,
// `MAP(VARCHAR, INTEGER)`, `INTEGER[3]`, `TIMESTAMP WITH TIME ZONE`) parsed into a tree.
import { ColumnTypeError } from '../errors.js';
import { identifierName, significantTokens, tokenize, type Token } from '../sql/tokenize.js';

/** A parsed DuckDB type. Scalar names are upper case, words joined by one space. */
export type DuckType =
  | { readonly kind: 'scalar'; readonly name: string }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'list'; readonly element: DuckType }
  | { readonly kind: 'array'; readonly element: DuckType; readonly size: number }
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly type: DuckType }[] }
  | { readonly kind: 'map'; readonly key: DuckType; readonly value: DuckType }
  | { readonly kind: 'union'; readonly text: string }
  | { readonly kind: 'enum'; readonly text: string };

/** Parses a DuckDB type name; `column` names the column in errors. */
export function parseDuckType(text: string, column: string): DuckType {
  const tokens = significantTokens(tokenize(text));
  const parser = new TypeParser(tokens, text, column);
  const type = parser.type();
  parser.end();
  return type;
}

class TypeParser {
  #at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
    private readonly column: string,
  ) {}

  type(): DuckType {
    let type = this.base();
    // Suffixes: `[]` is a list, `[n]` a fixed-size array; they stack (`INTEGER[2][]`).
    while (this.peek() === '[') {
      this.#at++;
      if (this.peek() === ']') {
        this.#at++;
        type = { kind: 'list', element: type };
      } else {
        const size = Number(this.next().text);
        this.expect(']');
        type = { kind: 'array', element: type, size };
      }
    }
    return type;
  }

  end(): void {
    if (this.#at < this.tokens.length) this.fail();
  }

  private base(): DuckType {
    const first = this.next();
    if (first.kind !== 'identifier') this.fail();
    const name = first.text.toUpperCase();
    if (this.peek() === '(') {
      const open = this.#at;
      this.#at++;
      switch (name) {
        case 'DECIMAL':
        case 'NUMERIC': {
          const precision = Number(this.next().text);
          this.expect(',');
          const scale = Number(this.next().text);
          this.expect(')');
          return { kind: 'decimal', precision, scale };
        }
        case 'STRUCT': {
          const fields: { name: string; type: DuckType }[] = [];
          do {
            const field = this.next();
            if (field.kind !== 'identifier' && field.kind !== 'quoted-identifier' && field.kind !== 'string') this.fail();
            fields.push({ name: field.kind === 'string' ? field.text.slice(1, -1).replace(/''/g, "'") : identifierName(field), type: this.type() });
          } while (this.accept(','));
          this.expect(')');
          return { kind: 'struct', fields };
        }
        case 'MAP': {
          const key = this.type();
          this.expect(',');
          const value = this.type();
          this.expect(')');
          return { kind: 'map', key, value };
        }
        default: {
          // UNION(…), ENUM(…) and anything parameterised we do not model: keep the text, skip the arguments.
          const close = this.skipGroup(open);
          const full = this.text.slice(first.start, close);
          if (name === 'UNION') return { kind: 'union', text: full };
          if (name === 'ENUM') return { kind: 'enum', text: full };
          return { kind: 'scalar', name: full.toUpperCase() };
        }
      }
    }
    // Multi-word names: TIMESTAMP WITH TIME ZONE, TIME WITH TIME ZONE, DOUBLE PRECISION.
    const words = [name];
    while (this.tokens[this.#at]?.kind === 'identifier') words.push(this.next().text.toUpperCase());
    return { kind: 'scalar', name: words.join(' ') };
  }

  private skipGroup(open: number): number {
    let depth = 0;
    for (let j = open; j < this.tokens.length; j++) {
      const t = this.tokens[j]!.text;
      if (t === '(') depth++;
      else if (t === ')' && --depth === 0) {
        this.#at = j + 1;
        return this.tokens[j]!.end;
      }
    }
    return this.fail();
  }

  private peek(): string | undefined {
    return this.tokens[this.#at]?.text;
  }

  private next(): Token {
    const t = this.tokens[this.#at++];
    return t ?? this.fail();
  }

  private accept(text: string): boolean {
    if (this.peek() !== text) return false;
    this.#at++;
    return true;
  }

  private expect(text: string): void {
    if (!this.accept(text)) this.fail();
  }

  private fail(): never {
    throw new ColumnTypeError(`column "${this.column}" has DuckDB type ${this.text}, which duckrun cannot read as a type name; CAST the column to a plain type (e.g. VARCHAR)`);
  }
}
