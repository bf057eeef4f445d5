// `adapter` as templates see it for a duckrun target: relation and column lookups answered from the
// warehouse catalog (suspending the render when it has to read a Delta log or describe a query),
// quoting, and the no-ops dbt macros call on warehouses with schemas (create_schema…).
import { pyFunction, type JinjaEnvironment, type Kwargs, type PyCallable } from '../jinja/index.js';
import { arg } from '../jinja/py/call.js';
import { quoteName, Relation, relationKey } from './relation.js';
import type { Warehouse } from './warehouse.js';

/** A column as dbt's `adapter.get_columns_in_relation` returns it. */
export class Column {
  constructor(
    readonly name: string,
    readonly data_type: string,
  ) {}
  get column(): string {
    return this.name;
  }
  get dtype(): string {
    return this.data_type;
  }
  get quoted(): string {
    return `"${this.name.replace(/"/g, '""')}"`;
  }
  is_string(): boolean {
    return /^(VARCHAR|TEXT|STRING|CHAR)/i.test(this.data_type);
  }
  is_integer(): boolean {
    return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|INT)/i.test(this.data_type);
  }
  is_float(): boolean {
    return /^(FLOAT|DOUBLE|REAL)/i.test(this.data_type);
  }
  is_numeric(): boolean {
    return /^(DECIMAL|NUMERIC)/i.test(this.data_type);
  }
  is_number(): boolean {
    return this.is_integer() || this.is_float() || this.is_numeric();
  }
  string_size(): number {
    return 65535;
  }
  __str__(): string {
    return `<Column ${this.name} (${this.data_type})>`;
  }
}

/** Builds the adapter object for renders of one run. */
export function createAdapter(env: JinjaEnvironment, warehouse: Warehouse): object {
  const relationOf = (schema: string, identifier: string, database?: string): Relation | null => {
    const key = relationKey(schema, identifier);
    const entry = env.awaitSync(`relation:${key}`, () => warehouse.lookup(key));
    if (entry === undefined) return null;
    return new Relation({ ...(database ? { database } : {}), schema, identifier, type: entry.kind === 'view' ? 'view' : 'table' });
  };
  const columnsOf = (relation: unknown): Column[] => {
    const text = String(relation instanceof Relation ? relation.render() : relation);
    const cols = env.awaitSync(`columns:${text}`, () => warehouse.describe(`SELECT * FROM ${text}`).catch(() => []));
    return cols.map((c) => new Column(c.name, c.type));
  };
  const noop: PyCallable = pyFunction('noop', () => '');
  return {
    type: pyFunction('type', () => 'duckrun'),
    get_relation: pyFunction('get_relation', (a: unknown[], k: Kwargs) =>
      relationOf(String(arg(a, k, 1, 'schema')), String(arg(a, k, 2, 'identifier')), String(arg(a, k, 0, 'database', '') ?? '') || undefined),
    ),
    load_relation: pyFunction('load_relation', (a: unknown[], k: Kwargs) => {
      const r = arg(a, k, 0, 'relation') as Relation;
      return r instanceof Relation ? relationOf(r.schema, r.identifier) : null;
    }),
    get_columns_in_relation: pyFunction('get_columns_in_relation', (a: unknown[], k: Kwargs) => columnsOf(arg(a, k, 0, 'relation'))),
    get_missing_columns: pyFunction('get_missing_columns', (a: unknown[], k: Kwargs) => {
      const from = columnsOf(arg(a, k, 0, 'from_relation'));
      const to = new Set(columnsOf(arg(a, k, 1, 'to_relation')).map((c) => c.name.toLowerCase()));
      return from.filter((c) => !to.has(c.name.toLowerCase()));
    }),
    quote: pyFunction('quote', (a: unknown[]) => `"${String(a[0]).replace(/"/g, '""')}"`),
    quote_as_configured: pyFunction('quote_as_configured', (a: unknown[]) => String(a[0])),
    quote_seed_column: pyFunction('quote_seed_column', (a: unknown[]) => quoteName(String(a[0]))),
    check_schema_exists: pyFunction('check_schema_exists', () => true),
    create_schema: noop,
    drop_schema: noop,
    drop_relation: noop,
    truncate_relation: noop,
    expand_target_column_types: noop,
    cache_added: noop,
    cache_dropped: noop,
    cache_renamed: noop,
    commit: noop,
    list_relations_without_caching: pyFunction('list_relations_without_caching', () => []),
    already_exists: pyFunction('already_exists', (a: unknown[]) => relationOf(String(a[0]), String(a[1])) !== null),
  };
}
