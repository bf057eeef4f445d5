// Partition values through DuckDB's PARTITION_BY folders without trusting DuckDB's folder escaping: each
// partition column becomes a key column holding `n` for null or `v` + the hex of a raw text of the value
// (integers, epoch days/microseconds, DuckDB's shortest round-trip doubles), so folder names are plain
// ASCII and decode back to the exact typed value. The log's text is then made by @duckrun/delta's own
// serializer, exactly as for the Arrow path.
import type { DataType, PartitionScalar } from '@duckrun/delta';
import { quoteIdentifier } from '../sql/literals.js';

/** Prefix of the key columns (`__duckrun_part_0`, …), also the start of their folder names. */
export const PARTITION_KEY_PREFIX = '__duckrun_part_';

/** Why a partition column of this type goes through the Arrow path, or undefined when keys can carry it. */
export function partitionKeyUnsupported(type: DataType): string | undefined {
  if (typeof type === 'object') return type.type === 'decimal' ? undefined : `a ${type.type}`;
  return type === 'variant' || type === 'void' ? type : undefined;
}

/** The key column expression for partition value `value` (an SQL expression of the column's Delta type). */
export function partitionKeySql(value: string, type: DataType, index: number): string {
  const raw = rawText(value, type);
  return `CASE WHEN ${value} IS NULL THEN 'n' ELSE 'v' || hex(${raw}) END AS ${quoteIdentifier(`${PARTITION_KEY_PREFIX}${index}`)}`;
}

function rawText(value: string, type: DataType): string {
  if (typeof type === 'object') return `CAST(${value} AS VARCHAR)`; // decimal: DuckDB prints every scale digit
  switch (type) {
    case 'binary':
      return value;
    case 'date':
      return `CAST(${value} - DATE '1970-01-01' AS VARCHAR)`;
    case 'timestamp':
    case 'timestamp_ntz':
      return `CAST(epoch_us(${value}) AS VARCHAR)`;
    case 'float':
      // Widened exactly to a double, printed as the shortest text that reads back as that double.
      return `CAST(CAST(${value} AS DOUBLE) AS VARCHAR)`;
    default:
      return `CAST(${value} AS VARCHAR)`;
  }
}

/** Thrown when a folder name is not one {@link partitionKeySql} produces. */
export class PartitionKeyError extends Error {}

/** The typed values of a staged file's folders (`__duckrun_part_0=v…/__duckrun_part_1=n/file`), in partition order. */
export function decodePartitionKeys(relative: string, types: readonly DataType[]): PartitionScalar[] {
  const segments = relative.split('/').slice(0, -1);
  const out: PartitionScalar[] = [];
  for (let i = 0; i < types.length; i++) {
    const want = `${PARTITION_KEY_PREFIX}${i}=`;
    const segment = segments.find((s) => s.startsWith(want));
    if (segment === undefined) throw new PartitionKeyError(`staged file ${relative} has no folder for partition key ${i}`);
    const text = segment.slice(want.length);
    if (text === 'n') {
      out.push(null);
      continue;
    }
    if (!/^v(?:[0-9A-F]{2})*$/.test(text)) throw new PartitionKeyError(`staged folder ${segment} is not a partition key`);
    const bytes = new Uint8Array((text.length - 1) / 2);
    for (let j = 0; j < bytes.length; j++) bytes[j] = parseInt(text.slice(1 + 2 * j, 3 + 2 * j), 16);
    out.push(typedValue(bytes, types[i]!));
  }
  return out;
}

function typedValue(bytes: Uint8Array, type: DataType): PartitionScalar {
  if (type === 'binary') return bytes;
  const text = UTF8.decode(bytes);
  if (typeof type === 'object') return text;
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      return text === 'true';
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return BigInt(text);
    case 'byte':
    case 'short':
    case 'integer':
    case 'date':
      return Number(text);
    case 'float':
    case 'double':
      return text === 'nan' ? NaN : text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
    default:
      throw new PartitionKeyError(`partition values of type ${type} cannot be decoded`);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
