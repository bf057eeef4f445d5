// The SELECT that feeds a write: the user's query as a subquery whose columns are renamed by position (to
// unique names: DESCRIBE's for CREATE, the target column's for INSERT, so DuckDB's cast errors name a column
// the user knows), each CAST to the Delta column's DuckDB type, so the Arrow DuckDB produces is already the
// table's Arrow schema.
import type { StructField, StructType } from '@duckrun/delta';
import { ColumnMismatchError } from '../errors.js';
import { quoteIdentifier } from '../sql/literals.js';
import { parseDuckType } from './duck-type.js';
import type { InsertInto } from './statement.js';
import { deltaTypeOf, duckTypeOf, needsCast } from './type-mapping.js';

/** One column of a query's result, as DuckDB's DESCRIBE reports it. */
export interface QueryColumn {
  readonly name: string;
  /** DuckDB type name, e.g. `DECIMAL(10,2)`. */
  readonly type: string;
}

/** A SELECT to stream into the writer, and the Delta columns it produces. */
export interface SelectPlan {
  readonly sql: string;
  readonly fields: readonly StructField[];
}

const SOURCE = '__duckrun_source';

/** The SQL that DESCRIBEs `query`'s result columns. */
export function describeSql(query: string): string {
  // The newline keeps a trailing `-- comment` in the query from swallowing the closing parenthesis.
  return `DESCRIBE SELECT * FROM (\n${query}\n) AS ${SOURCE}`;
}

/** CREATE TABLE … AS: every query column becomes a nullable Delta column of the mapped type. */
export function planCreate(query: string, columns: readonly QueryColumn[]): SelectPlan {
  const fields: StructField[] = [];
  const exprs = columns.map((c, i) => {
    const duck = parseDuckType(c.type, c.name);
    const type = deltaTypeOf(duck, c.name);
    fields.push({ name: c.name, type, nullable: true, metadata: {} });
    const ref = sourceColumn(c.name);
    return `${needsCast(duck) ? `CAST(${ref} AS ${duckTypeOf(type, c.name)})` : ref} AS ${quoteIdentifier(c.name)}`;
  });
  return { sql: selectFrom(query, columns.map((c) => c.name), exprs), fields };
}

/**
 * INSERT INTO: the table's columns in table order, each from the query column that maps to it (by the
 * column list, BY NAME, or by position) or NULL, cast to the table column's type.
 */
export function planInsert(query: string, columns: readonly QueryColumn[], statement: InsertInto, schema: StructType, table: string): SelectPlan {
  const fields = schema.fields;
  const fieldIndex = new Map(fields.map((f, i) => [f.name.toLowerCase(), i]));
  const known = (): string => fields.map((f) => f.name).join(', ');
  const source = new Map<number, number>(); // table field index → query column index
  const assign = (name: string, queryIndex: number, what: string): void => {
    const target = fieldIndex.get(name.toLowerCase());
    if (target === undefined) {
      throw new ColumnMismatchError(`INSERT INTO ${table}: ${what} "${name}" is not a column of ${table}; its columns are ${known()}`);
    }
    if (source.has(target)) throw new ColumnMismatchError(`INSERT INTO ${table}: column "${fields[target]!.name}" is given twice`);
    source.set(target, queryIndex);
  };
  if (statement.columns !== undefined) {
    if (statement.columns.length !== columns.length) {
      throw new ColumnMismatchError(
        `INSERT INTO ${table} lists ${statement.columns.length} column${plural(statement.columns.length)} but the query returns ${columns.length}; make them match`,
      );
    }
    statement.columns.forEach((name, i) => assign(name, i, 'listed column'));
  } else if (statement.byName) {
    columns.forEach((c, i) => assign(c.name, i, 'query column'));
  } else {
    if (columns.length !== fields.length) {
      throw new ColumnMismatchError(
        `table ${table} has ${fields.length} column${plural(fields.length)} (${known()}) but the query returns ${columns.length}; list the columns you insert: INSERT INTO ${table} (${fields
          .slice(0, Math.min(columns.length, fields.length))
          .map((f) => quoteName(f.name))
          .join(', ')}) …`,
      );
    }
    columns.forEach((_c, i) => source.set(i, i));
  }
  const exprs = fields.map((f, i) => {
    const from = source.get(i);
    if (from === undefined && !f.nullable) {
      throw new ColumnMismatchError(`INSERT INTO ${table}: column "${f.name}" is NOT NULL but gets no value; add it to the inserted columns`);
    }
    const duckType = duckTypeOf(f.type, f.name);
    // Always cast, as DuckDB's own INSERT would: an INTEGER literal must arrive as the table's BIGINT.
    return `CAST(${from === undefined ? 'NULL' : sourceColumn(f.name)} AS ${duckType}) AS ${quoteIdentifier(f.name)}`;
  });
  // Every query column feeds exactly one table column: name it after that column.
  const aliases = columns.map((_c, i) => fields[[...source].find(([, q]) => q === i)![0]]!.name);
  return { sql: selectFrom(query, aliases, exprs), fields };
}

function selectFrom(query: string, aliases: readonly string[], exprs: readonly string[]): string {
  return `SELECT ${exprs.join(', ')} FROM (\n${query}\n) AS ${SOURCE}(${aliases.map(quoteIdentifier).join(', ')})`;
}

function sourceColumn(name: string): string {
  return `${SOURCE}.${quoteIdentifier(name)}`;
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quoteIdentifier(name);
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
