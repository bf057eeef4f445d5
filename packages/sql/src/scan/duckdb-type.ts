// DuckDB column types as trees: parsed from the type names DuckDB prints (DESCRIBE), and built from Delta
// types as the DuckDB types that Delta's Arrow schema becomes inside DuckDB, so the two can be compared.
import type { DataType } from '@duckrun/delta';
import { quoteIdentifier } from '../sql/literals.js';

/** A DuckDB type: a primitive by its printed name (`INTEGER`, `DECIMAL(10,2)`), or a nested type. */
export type DuckType =
  | { readonly kind: 'primitive'; readonly name: string }
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly type: DuckType }[] }
  | { readonly kind: 'list'; readonly element: DuckType }
  | { readonly kind: 'map'; readonly key: DuckType; readonly value: DuckType };

/** A type name DuckDB printed that this parser does not understand; the caller falls back to another reader. */
export class DuckTypeSyntaxError extends Error {}

/** Parses a type as DuckDB prints it, e.g. `STRUCT(x INTEGER, "a b" VARCHAR[])` or `MAP(VARCHAR, DECIMAL(9,2))`. */
export function parseDuckType(text: string): DuckType {
  const parser = new TypeParser(text);
  const type = parser.type();
  parser.end();
  return type;
}

/** SQL text of a type, with every struct field name quoted. */
export function renderDuckType(type: DuckType): string {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'list':
      return `${renderDuckType(type.element)}[]`;
    case 'map':
      return `MAP(${renderDuckType(type.key)}, ${renderDuckType(type.value)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdentifier(f.name)} ${renderDuckType(f.type)}`).join(', ')})`;
  }
}

/**
 * The DuckDB type a Delta column has when its Arrow form (the Arrow path's registered table) is loaded into
 * DuckDB; undefined for types with no such form here (variant, void), which the caller must not read natively.
 */
export function duckTypeOfDelta(type: DataType): DuckType | undefined {
  if (typeof type === 'string') {
    const name = PRIMITIVES[type];
    return name === undefined ? undefined : { kind: 'primitive', name };
  }
  switch (type.type) {
    case 'decimal':
      return { kind: 'primitive', name: `DECIMAL(${type.precision},${type.scale})` };
    case 'array': {
      const element = duckTypeOfDelta(type.elementType);
      return element && { kind: 'list', element };
    }
    case 'map': {
      const key = duckTypeOfDelta(type.keyType);
      const value = duckTypeOfDelta(type.valueType);
      return key && value && { kind: 'map', key, value };
    }
    case 'struct': {
      const fields: { name: string; type: DuckType }[] = [];
      for (const f of type.fields) {
        const t = duckTypeOfDelta(f.type);
        if (t === undefined) return undefined;
        fields.push({ name: f.name, type: t });
      }
      return { kind: 'struct', fields };
    }
  }
}

const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  integer: 'INTEGER',
  short: 'SMALLINT',
  byte: 'TINYINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
  date: 'DATE',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  timestamp_ntz: 'TIMESTAMP',
};

class TypeParser {
  #at = 0;
  constructor(readonly text: string) {}

  type(): DuckType {
    this.#space();
    let type: DuckType;
    if (this.#keyword('STRUCT(')) type = this.#struct();
    else if (this.#keyword('MAP(')) {
      const key = this.type();
      this.#expect(',');
      const value = this.type();
      this.#expect(')');
      type = { kind: 'map', key, value };
    } else type = this.#primitive();
    this.#space();
    while (this.text.startsWith('[]', this.#at)) {
      this.#at += 2;
      type = { kind: 'list', element: type };
      this.#space();
    }
    // Fixed-size ARRAY types (`INTEGER[3]`) and anything else unexpected are left to the caller's fallback.
    if (this.text[this.#at] === '[') throw this.#error('fixed-size arrays are not Delta types');
    return type;
  }

  end(): void {
    this.#space();
    if (this.#at !== this.text.length) throw this.#error('unexpected text');
  }

  #struct(): DuckType {
    const fields: { name: string; type: DuckType }[] = [];
    for (;;) {
      this.#space();
      const name = this.#name();
      const type = this.type();
      fields.push({ name, type });
      this.#space();
      if (this.text[this.#at] === ',') {
        this.#at++;
        continue;
      }
      this.#expect(')');
      return { kind: 'struct', fields };
    }
  }

  #name(): string {
    if (this.text[this.#at] === '"') {
      let out = '';
      this.#at++;
      for (;;) {
        const ch = this.text[this.#at++];
        if (ch === undefined) throw this.#error('unterminated quoted name');
        if (ch === '"') {
          if (this.text[this.#at] !== '"') return out;
          this.#at++;
        }
        out += ch;
      }
    }
    const m = /^[^\s,()"[\]]+/.exec(this.text.slice(this.#at));
    if (!m) throw this.#error('expected a field name');
    this.#at += m[0].length;
    return m[0];
  }

  /** A primitive name: words (`TIMESTAMP WITH TIME ZONE`) plus an optional parenthesised argument list. */
  #primitive(): DuckType {
    const m = /^[A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z_][A-Za-z0-9_]*)*/.exec(this.text.slice(this.#at));
    if (!m) throw this.#error('expected a type name');
    this.#at += m[0].length;
    let name = m[0];
    if (this.text[this.#at] === '(') {
      const close = this.text.indexOf(')', this.#at);
      if (close < 0) throw this.#error('unterminated type arguments');
      const args = this.text.slice(this.#at + 1, close);
      // Only numeric arguments (DECIMAL(p,s)); UNION(…)/ENUM(…) and the like are not Delta types.
      if (!/^\s*\d+\s*(,\s*\d+\s*)*$/.test(args)) throw this.#error(`unsupported type ${name}(${args})`);
      name += `(${args.replace(/\s+/g, '')})`;
      this.#at = close + 1;
    }
    return { kind: 'primitive', name };
  }

  #keyword(word: string): boolean {
    if (this.text.slice(this.#at, this.#at + word.length).toUpperCase() !== word) return false;
    this.#at += word.length;
    return true;
  }

  #expect(ch: string): void {
    this.#space();
    if (this.text[this.#at] !== ch) throw this.#error(`expected "${ch}"`);
    this.#at++;
  }

  #space(): void {
    while (this.text[this.#at] === ' ') this.#at++;
  }

  #error(what: string): DuckTypeSyntaxError {
    return new DuckTypeSyntaxError(`cannot parse DuckDB type ${JSON.stringify(this.text)} at ${this.#at}: ${what}`);
  }
}
