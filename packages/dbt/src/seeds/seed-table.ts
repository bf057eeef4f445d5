// A seed CSV read into an Arrow table, typed as dbt (agate) types it, with `column_types` overrides.
import { makeTable, type Table, type Vector } from 'apache-arrow';
import { parseColumnType, sqlTypeName, type SeedColumnType } from './column-type.js';
import { buildArrowColumn } from './arrow-column.js';
import { parseCsv } from './csv.js';
import { SeedTypeError } from './errors.js';
import { castCell, inferColumnType, isNullCell, NOT_A_VALUE, type SeedValue } from './values.js';

/** Options of {@link readSeed}: the seed's config from dbt_project.yml and schema YAML. */
export interface SeedOptions {
  /** File named in error messages (the seed's `original_file_path`). */
  readonly file?: string;
  /** `column_types`: column name → DuckDB type name; a column not listed is inferred. */
  readonly columnTypes?: Readonly<Record<string, string>>;
  /** `delimiter` config (default `,`). */
  readonly delimiter?: string;
}

/** One column of a read seed. */
export interface SeedColumn {
  readonly name: string;
  readonly type: SeedColumnType;
  /** DuckDB's name of the type, e.g. `INTEGER`, `DECIMAL(10,2)`. */
  readonly sqlType: string;
  /** True when `column_types` set the type rather than inference. */
  readonly overridden: boolean;
}

/** A read seed: its typed columns and the data as an Arrow table (columns in file order). */
export interface SeedTable {
  readonly columns: readonly SeedColumn[];
  readonly table: Table;
  readonly rowCount: number;
}

/**
 * Reads seed CSV text: parses it, infers each column's type like agate (or takes it from
 * `column_types`), and casts every cell. A cell that does not fit its column is an error naming
 * the column, the line and the value.
 */
export function readSeed(text: string, options: SeedOptions = {}): SeedTable {
  const file = options.file ?? '<seed>';
  const doc = parseCsv(text, { file, ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }) });
  const overrides = resolveOverrides(file, doc.header, options.columnTypes ?? {});
  const columns: SeedColumn[] = [];
  const vectors: Record<string, Vector> = {};
  doc.header.forEach((name, c) => {
    const cells = doc.records.map((r) => r.fields[c]!);
    const forced = overrides.get(name);
    const type = forced ?? inferColumnType(cells);
    const values: SeedValue[] = cells.map((cell, r) => {
      if (isNullCell(cell)) return null;
      const v = castCell(cell, type);
      if (v === NOT_A_VALUE) {
        throw new SeedTypeError(file, `line ${doc.records[r]!.line}, column "${name}": ${JSON.stringify(cell)} is not a valid ${sqlTypeName(type)}; fix the value or change column_types for "${name}"`);
      }
      return v;
    });
    columns.push({ name, type, sqlType: sqlTypeName(type), overridden: forced !== undefined });
    vectors[name] = buildArrowColumn(type, values);
  });
  return { columns, table: makeTable(vectors as never) as unknown as Table, rowCount: doc.records.length };
}

function resolveOverrides(file: string, header: readonly string[], columnTypes: Readonly<Record<string, string>>): Map<string, SeedColumnType> {
  const out = new Map<string, SeedColumnType>();
  for (const [key, typeName] of Object.entries(columnTypes)) {
    // dbt matches column_types keys to CSV headers exactly; fall back to case-insensitive, as DuckDB identifiers are.
    const name = header.includes(key) ? key : header.find((h) => h.toLowerCase() === key.toLowerCase());
    if (name === undefined) throw new SeedTypeError(file, `column_types names "${key}", which is not a column of the seed (columns: ${header.join(', ')})`);
    const t = typeof typeName === 'string' ? parseColumnType(typeName) : undefined;
    if (t === undefined) {
      throw new SeedTypeError(file, `column_types gives "${key}" the type ${JSON.stringify(typeName)}, which a seed cannot hold; use one of integer, bigint, smallint, double, decimal(p,s), boolean, date, timestamp, timestamptz, varchar`);
    }
    out.set(name, t);
  }
  return out;
}
