// SQL text for names and values: identifier and string quoting, Arrow → DuckDB type names, and typed
// literals for Delta partition values.
import { DataType, TimeUnit, type Decimal, type Int, type Timestamp } from 'apache-arrow';
import type { PartitionScalar } from '@duckrun/delta';

/** A DuckDB identifier, always double-quoted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A DuckDB string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The DuckDB type DuckDB gives an Arrow column of `type` on import, for the primitive types partitions use. */
export function duckdbTypeOf(type: DataType): string | undefined {
  if (DataType.isInt(type)) {
    const t = type as Int;
    const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[t.bitWidth];
    return name === undefined ? undefined : t.isSigned ? name : `U${name}`;
  }
  if (DataType.isFloat(type)) return type.precision === 0 ? undefined : type.precision === 1 ? 'FLOAT' : 'DOUBLE';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'VARCHAR';
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isDate(type)) return 'DATE';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return 'BLOB';
  if (DataType.isDecimal(type)) {
    const t = type as Decimal;
    return t.precision <= 38 ? `DECIMAL(${t.precision},${t.scale})` : undefined;
  }
  if (DataType.isTimestamp(type)) {
    const t = type as Timestamp;
    if (t.timezone) return 'TIMESTAMPTZ';
    return { [TimeUnit.SECOND]: 'TIMESTAMP_S', [TimeUnit.MILLISECOND]: 'TIMESTAMP_MS', [TimeUnit.MICROSECOND]: 'TIMESTAMP', [TimeUnit.NANOSECOND]: 'TIMESTAMP_NS' }[t.unit];
  }
  return undefined;
}

/**
 * A literal of DuckDB type `duckType` for a Delta partition value (dates are days since the epoch,
 * timestamps microseconds since the epoch, decimals exact strings, binaries bytes).
 */
export function partitionLiteral(value: PartitionScalar, duckType: string): string {
  if (value === null) return `CAST(NULL AS ${duckType})`;
  if (value instanceof Uint8Array) return `from_hex(${quoteString(Array.from(value, (b) => b.toString(16).padStart(2, '0')).join(''))})`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (duckType === 'DATE' && typeof value === 'number') return `CAST(DATE '1970-01-01' + ${Math.trunc(value)} AS DATE)`;
  if (duckType.startsWith('TIMESTAMP') && typeof value === 'bigint') {
    return `CAST(make_timestamp(CAST(${value} AS BIGINT)) AS ${duckType})`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return `CAST(${quoteString(Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf')} AS ${duckType})`;
  }
  return `CAST(${quoteString(String(value))} AS ${duckType})`;
}
