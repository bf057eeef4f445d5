// Seed column types: the DuckDB type names `column_types` accepts, mapped to the few kinds a seed
// can hold, and the SQL name each kind reports (what `adapter.get_columns_in_relation` shows).

/** The kinds of value a seed column holds. */
export type SeedTypeKind =
  | 'tinyint'
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'float'
  | 'double'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'varchar';

/** A seed column's type; `precision`/`scale` only for `decimal`. */
export interface SeedColumnType {
  readonly kind: SeedTypeKind;
  readonly precision?: number;
  readonly scale?: number;
}

/** DuckDB's spelling of each kind, as DESCRIBE prints it. */
export function sqlTypeName(t: SeedColumnType): string {
  if (t.kind === 'decimal') return `DECIMAL(${t.precision ?? 18},${t.scale ?? 3})`;
  if (t.kind === 'timestamptz') return 'TIMESTAMP WITH TIME ZONE';
  return t.kind.toUpperCase();
}

/** DuckDB type names and aliases (lower case) accepted in `column_types`. */
const TYPE_ALIASES: Readonly<Record<string, SeedTypeKind>> = {
  tinyint: 'tinyint', int1: 'tinyint',
  smallint: 'smallint', int2: 'smallint', short: 'smallint',
  integer: 'integer', int: 'integer', int4: 'integer', signed: 'integer',
  bigint: 'bigint', int8: 'bigint', long: 'bigint',
  real: 'float', float4: 'float',
  double: 'double', float: 'double', float8: 'double', 'double precision': 'double',
  decimal: 'decimal', numeric: 'decimal',
  boolean: 'boolean', bool: 'boolean', logical: 'boolean',
  date: 'date',
  timestamp: 'timestamp', datetime: 'timestamp', 'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
  varchar: 'varchar', text: 'varchar', string: 'varchar', char: 'varchar', bpchar: 'varchar', 'character varying': 'varchar',
};

/**
 * Reads a `column_types` entry such as `bigint`, `varchar(32)` or `decimal(10, 2)`; returns undefined
 * for a name duckrun cannot hold in a seed.
 */
export function parseColumnType(name: string): SeedColumnType | undefined {
  const m = /^\s*([a-z][a-z0-9 ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i.exec(name);
  if (!m) return undefined;
  const kind = TYPE_ALIASES[m[1]!.toLowerCase().replace(/\s+/g, ' ')];
  if (kind === undefined) return undefined;
  if (kind === 'decimal') {
    // DuckDB's default for a bare DECIMAL is (18,3).
    const precision = m[2] === undefined ? 18 : Number(m[2]);
    const scale = m[3] === undefined ? (m[2] === undefined ? 3 : 0) : Number(m[3]);
    if (precision < 1 || precision > 38 || scale > precision) return undefined;
    return { kind, precision, scale };
  }
  // A length on varchar is accepted and ignored, as DuckDB does.
  if (m[2] !== undefined && kind !== 'varchar') return undefined;
  return { kind };
}
