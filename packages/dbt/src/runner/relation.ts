// The relation object templates see as `{{ this }}`, `ref()`, `source()` and adapter answers: it
// renders as `schema.identifier` (quoted where needed), which the runner resolves to a Delta table or
// a persisted view when it runs the SQL, so hand-written `{{ this.schema }}.seed` works the same way.
import { pyFunction, type Kwargs } from '../jinja/index.js';

/** dbt relation types; `cte` is an ephemeral model, `external` a source read through a function call. */
export type RelationType = 'table' | 'view' | 'cte' | 'external' | null;

/** A dbt relation (database, schema, identifier, type). */
export class Relation {
  readonly database: string;
  readonly schema: string;
  readonly identifier: string;
  readonly type: RelationType;
  /** Fixed SQL for relations that are not names (`delta_scan('…')`, `__dbt__cte__x`). */
  readonly sqlText: string | undefined;
  readonly #include: { readonly database: boolean; readonly schema: boolean; readonly identifier: boolean };

  constructor(init: { database?: string; schema: string; identifier: string; type?: RelationType; sqlText?: string; include?: { database: boolean; schema: boolean; identifier: boolean } }) {
    this.database = init.database ?? 'main';
    this.schema = init.schema;
    this.identifier = init.identifier;
    this.type = init.type ?? null;
    this.sqlText = init.sqlText;
    this.#include = init.include ?? { database: false, schema: true, identifier: true };
  }

  get name(): string {
    return this.identifier;
  }
  get table(): string {
    return this.identifier;
  }
  get is_table(): boolean {
    return this.type === 'table';
  }
  get is_view(): boolean {
    return this.type === 'view';
  }
  get is_cte(): boolean {
    return this.type === 'cte';
  }
  get path(): Record<string, string> {
    return { database: this.database, schema: this.schema, identifier: this.identifier };
  }
  /** Lower-case `schema.identifier`: how the runner's catalog keys relations. */
  get key(): string {
    return relationKey(this.schema, this.identifier);
  }

  /** `relation.include(database=False, schema=True)`. */
  readonly include = pyFunction('include', (_a, k: Kwargs) => {
    const pick = (name: 'database' | 'schema' | 'identifier') => (k[name] === undefined ? this.#include[name] : k[name] !== false && k[name] !== null);
    return this.#with({ include: { database: pick('database'), schema: pick('schema'), identifier: pick('identifier') } });
  });

  /** `relation.incorporate(path={...}, type=…)`. */
  readonly incorporate = pyFunction('incorporate', (_a, k: Kwargs) => {
    const path = (k['path'] ?? {}) as Record<string, unknown>;
    return this.#with({
      ...(typeof path['schema'] === 'string' ? { schema: path['schema'] } : {}),
      ...(typeof path['identifier'] === 'string' ? { identifier: path['identifier'] } : {}),
      ...(typeof path['database'] === 'string' ? { database: path['database'] } : {}),
      ...(k['type'] !== undefined ? { type: k['type'] as RelationType } : {}),
    });
  });

  /** dbt's quote policy is ignored: names are quoted when they need it. */
  readonly quote = pyFunction('quote', () => this);

  render(): string {
    if (this.sqlText !== undefined) return this.sqlText;
    const parts: string[] = [];
    if (this.#include.database) parts.push(this.database);
    if (this.#include.schema) parts.push(this.schema);
    if (this.#include.identifier) parts.push(this.identifier);
    return parts.map(quoteName).join('.');
  }

  __str__(): string {
    return this.render();
  }

  toString(): string {
    return this.render();
  }

  #with(changes: Partial<{ database: string; schema: string; identifier: string; type: RelationType; include: { database: boolean; schema: boolean; identifier: boolean } }>): Relation {
    return new Relation({
      database: changes.database ?? this.database,
      schema: changes.schema ?? this.schema,
      identifier: changes.identifier ?? this.identifier,
      type: changes.type === undefined ? this.type : changes.type,
      ...(this.sqlText === undefined ? {} : { sqlText: this.sqlText }),
      include: changes.include ?? this.#include,
    });
  }
}

/** The catalog key of `schema.identifier`. */
export function relationKey(schema: string, identifier: string): string {
  return `${schema}.${identifier}`.toLowerCase();
}

/** An identifier as SQL: bare when it reads back the same, else double-quoted. */
export function quoteName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
