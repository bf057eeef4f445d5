// DuckDB types ↔ Delta types for writes. A query column becomes a Delta column only through a type Delta
// can hold; the rest (unsigned integers, UHUGEINT, INTERVAL, TIME, UNION, BIT, …) fail with the column
// named and a CAST to suggest, instead of being widened or mangled silently.
import type { DataType } from '@duckrun/delta';
import { ColumnTypeError } from '../errors.js';
import { quoteIdentifier } from '../sql/literals.js';
import type { DuckType } from './duck-type.js';

const SCALARS: Readonly<Record<string, DataType>> = {
  BOOLEAN: 'boolean',
  TINYINT: 'byte',
  SMALLINT: 'short',
  INTEGER: 'integer',
  BIGINT: 'long',
  FLOAT: 'float',
  DOUBLE: 'double',
  VARCHAR: 'string',
  BLOB: 'binary',
  DATE: 'date',
  // Design §8: WITH TIME ZONE is Delta `timestamp`; a zone-less TIMESTAMP is `timestamp_ntz`.
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIMESTAMP: 'timestamp_ntz',
  // Not DuckDB's Arrow form of the Delta type: cast on the way out (see needsCast).
  TIMESTAMP_S: 'timestamp_ntz',
  TIMESTAMP_MS: 'timestamp_ntz',
  TIMESTAMP_NS: 'timestamp_ntz',
  UUID: 'string',
  // sum()/count arithmetic over integers yields HUGEINT in DuckDB where Spark gives BIGINT; writing it as a
  // Delta long (a CAST that DuckDB fails loudly on overflow) keeps `CREATE TABLE … AS SELECT sum(x)` working.
  HUGEINT: 'long',
};

/** What to CAST a column of a type Delta cannot hold to. */
const SUGGESTIONS: Readonly<Record<string, string>> = {
  UTINYINT: 'SMALLINT',
  USMALLINT: 'INTEGER',
  UINTEGER: 'BIGINT',
  UBIGINT: 'DECIMAL(20,0)',
  UHUGEINT: 'DECIMAL(38,0)',
  VARINT: 'DECIMAL(38,0)',
  BIGNUM: 'DECIMAL(38,0)',
  INTERVAL: 'VARCHAR (or a number, e.g. epoch(x) for seconds)',
  TIME: 'VARCHAR',
  'TIME WITH TIME ZONE': 'VARCHAR',
  TIME_NS: 'VARCHAR',
  BIT: 'VARCHAR',
  NULL: 'a concrete type, e.g. VARCHAR',
};

/** The Delta type of a query column of DuckDB type `type`; throws ColumnTypeError naming `column` otherwise. */
export function deltaTypeOf(type: DuckType, column: string): DataType {
  return toDelta(type, column, column);
}

function toDelta(type: DuckType, column: string, path: string): DataType {
  switch (type.kind) {
    case 'scalar': {
      const delta = SCALARS[type.name];
      if (delta !== undefined) return delta;
      return cannotHold(column, path, type.name, SUGGESTIONS[type.name] ?? 'VARCHAR');
    }
    case 'decimal':
      return { type: 'decimal', precision: type.precision, scale: type.scale };
    case 'list':
    case 'array':
      return { type: 'array', elementType: toDelta(type.element, column, `${path}[]`), containsNull: true };
    case 'map':
      return { type: 'map', keyType: toDelta(type.key, column, `${path}.key`), valueType: toDelta(type.value, column, `${path}.value`), valueContainsNull: true };
    case 'struct':
      return {
        type: 'struct',
        fields: type.fields.map((f) => ({ name: f.name, type: toDelta(f.type, column, `${path}.${f.name}`), nullable: true, metadata: {} })),
      };
    case 'enum':
      return 'string';
    case 'union':
      return cannotHold(column, path, type.text, 'one of its member types');
  }
}

/**
 * True when DuckDB's Arrow output for `type` is not the Arrow form of its Delta type, so the column must be
 * CAST to {@link duckTypeOf} of it: enums (dictionaries), UUIDs, HUGEINTs, fixed-size arrays, non-microsecond timestamps.
 */
export function needsCast(type: DuckType): boolean {
  switch (type.kind) {
    case 'scalar':
      return type.name === 'UUID' || type.name === 'HUGEINT' || type.name === 'TIMESTAMP_S' || type.name === 'TIMESTAMP_MS' || type.name === 'TIMESTAMP_NS';
    case 'enum':
    case 'array':
      return true;
    case 'list':
      return needsCast(type.element);
    case 'map':
      return needsCast(type.key) || needsCast(type.value);
    case 'struct':
      return type.fields.some((f) => needsCast(f.type));
    default:
      return false;
  }
}

/** The DuckDB type whose Arrow form is Delta type `type`; `column` names the column in errors. */
export function duckTypeOf(type: DataType, column: string): string {
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return 'VARCHAR';
      case 'long':
        return 'BIGINT';
      case 'integer':
        return 'INTEGER';
      case 'short':
        return 'SMALLINT';
      case 'byte':
        return 'TINYINT';
      case 'float':
        return 'FLOAT';
      case 'double':
        return 'DOUBLE';
      case 'boolean':
        return 'BOOLEAN';
      case 'binary':
        return 'BLOB';
      case 'date':
        return 'DATE';
      case 'timestamp':
        return 'TIMESTAMPTZ';
      case 'timestamp_ntz':
        return 'TIMESTAMP';
      default:
        throw new ColumnTypeError(`column "${column}" has Delta type ${type}, which duckrun cannot write from SQL yet`);
    }
  }
  switch (type.type) {
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'array':
      return `${duckTypeOf(type.elementType, `${column}[]`)}[]`;
    case 'map':
      return `MAP(${duckTypeOf(type.keyType, `${column}.key`)}, ${duckTypeOf(type.valueType, `${column}.value`)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdentifier(f.name)} ${duckTypeOf(f.type, `${column}.${f.name}`)}`).join(', ')})`;
  }
}

/** Column paths (`a`, `s.b`, `l[]`) whose Delta type is or contains `timestamp_ntz`. */
export function timestampNtzPaths(type: DataType, column: string): string[] {
  if (type === 'timestamp_ntz') return [column];
  if (typeof type === 'string') return [];
  switch (type.type) {
    case 'array':
      return timestampNtzPaths(type.elementType, `${column}[]`);
    case 'map':
      return [...timestampNtzPaths(type.keyType, `${column}.key`), ...timestampNtzPaths(type.valueType, `${column}.value`)];
    case 'struct':
      return type.fields.flatMap((f) => timestampNtzPaths(f.type, `${column}.${f.name}`));
    default:
      return [];
  }
}

function cannotHold(column: string, path: string, duckType: string, suggestion: string): never {
  const plain = /^[A-Z][A-Z0-9(),]*$/.test(suggestion);
  if (path !== column) {
    throw new ColumnTypeError(
      `column "${column}" has DuckDB type ${duckType} at ${path}, which a Delta table cannot hold; cast the column to a type with ${plain ? suggestion : suggestion.replace(/^one of its/, 'one of the union\'s')} there`,
    );
  }
  const fix = plain ? `, e.g. CAST(${quoteIdentifier(column)} AS ${suggestion})` : ` to ${suggestion}`;
  throw new ColumnTypeError(`column "${column}" has DuckDB type ${duckType}, which a Delta table cannot hold; cast it${fix}`);
}
