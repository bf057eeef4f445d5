// Can data of one schema be written into a table of another, and what is the table schema after a
// `schemaMode: 'merge'` write? Delta's rules: columns match by name (case-insensitively, as Spark
// resolves them); missing nullable columns become nulls; only lossless widening is implicit; merge adds
// new (nullable) columns, nested ones too, and never changes a column's type.

import { SchemaError } from '../../errors.js';
import { isPrimitiveType, typeToString, type DataType, type StructField, type StructType } from './types.js';

/** How a write treats columns the table does not have. */
export type SchemaMergeMode = 'strict' | 'merge';

/** The table schema a write ends up with, and whether it differs from the old one. */
export interface SchemaResolution {
  readonly schema: StructType;
  readonly changed: boolean;
  /** Logical paths of the columns merge added (e.g. `address.zip`). */
  readonly added: readonly string[];
}

const INTEGER_RANK: Readonly<Record<string, number>> = { byte: 1, short: 2, integer: 3, long: 4 };

/** True when every value of `from` is exactly representable in `to` (so the write may cast implicitly). */
export function isLosslessWidening(from: DataType, to: DataType): boolean {
  if (typeof from !== 'string' || typeof to !== 'string') {
    if (typeof from === 'object' && typeof to === 'object' && from.type === 'decimal' && to.type === 'decimal') {
      return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
    }
    if (typeof from === 'string' && typeof to === 'object' && to.type === 'decimal' && from in INTEGER_RANK) {
      const digits = { byte: 3, short: 5, integer: 10, long: 19 }[from as 'byte'];
      return to.precision - to.scale >= digits;
    }
    return false;
  }
  const a = INTEGER_RANK[from];
  const b = INTEGER_RANK[to];
  if (a !== undefined && b !== undefined) return a <= b;
  if (to === 'double') return from === 'float' || (a !== undefined && a <= 3);
  if (to === 'float') return a !== undefined && a <= 2;
  // Zone-less timestamps are read as UTC instants, as DuckDB and Spark do when casting to a zoned timestamp.
  if (to === 'timestamp') return from === 'timestamp_ntz';
  return false;
}

/**
 * Resolves the data's schema against the table's. `strict` throws on a column the table lacks; `merge`
 * adds it. A type that is neither equal nor a lossless widening, or a missing NOT NULL column, throws
 * SchemaError naming the column. Partition columns must be present in the data.
 */
export function resolveWriteSchema(
  table: string,
  tableSchema: StructType,
  dataSchema: StructType,
  mode: SchemaMergeMode,
  partitionColumns: readonly string[] = [],
): SchemaResolution {
  const added: string[] = [];
  for (const p of partitionColumns) {
    if (!dataSchema.fields.some((f) => f.name.toLowerCase() === p.toLowerCase())) {
      throw new SchemaError(`partition column "${p}" of ${table} is missing from the data; every row needs a value for it (add the column before writing)`);
    }
  }
  const schema = mergeStruct(table, tableSchema, dataSchema, mode, '', added);
  return { schema, changed: added.length > 0, added };
}

function mergeStruct(table: string, target: StructType, data: StructType, mode: SchemaMergeMode, prefix: string, added: string[]): StructType {
  const byName = new Map(data.fields.map((f) => [f.name.toLowerCase(), f] as const));
  const fields: StructField[] = target.fields.map((t) => {
    const d = byName.get(t.name.toLowerCase());
    byName.delete(t.name.toLowerCase());
    const path = `${prefix}${t.name}`;
    if (d === undefined) {
      if (!t.nullable) {
        throw new SchemaError(`column "${path}" of ${table} is NOT NULL but the data has no such column; add it to the data before writing`);
      }
      return t;
    }
    return { ...t, type: mergeType(table, t.type, d.type, mode, path, added) };
  });
  for (const d of byName.values()) {
    const path = `${prefix}${d.name}`;
    if (mode === 'strict') {
      throw new SchemaError(
        `column "${path}" of the data is not in the schema of ${table}; drop it from the data, or pass schemaMode: 'merge' to add it to the table`,
      );
    }
    added.push(path);
    // Existing files hold no values for it, so a merged-in column is always nullable.
    fields.push({ name: d.name, type: d.type, nullable: true, metadata: {} });
  }
  return { type: 'struct', fields };
}

function mergeType(table: string, target: DataType, data: DataType, mode: SchemaMergeMode, path: string, added: string[]): DataType {
  if (typeof target === 'object' && typeof data === 'object') {
    if (target.type === 'struct' && data.type === 'struct') return mergeStruct(table, target, data, mode, `${path}.`, added);
    if (target.type === 'array' && data.type === 'array') {
      return { ...target, elementType: mergeType(table, target.elementType, data.elementType, mode, `${path}.element`, added) };
    }
    if (target.type === 'map' && data.type === 'map') {
      return {
        ...target,
        keyType: mergeType(table, target.keyType, data.keyType, mode, `${path}.key`, added),
        valueType: mergeType(table, target.valueType, data.valueType, mode, `${path}.value`, added),
      };
    }
  }
  const same = typeToString(target) === typeToString(data);
  if (same || (isPrimitiveType(target) && isPrimitiveType(data) && isLosslessWidening(data, target))) return target;
  throw new SchemaError(
    `column "${path}" of ${table} has type ${typeToString(target)} but the data has ${typeToString(data)}; cast the data's column to ${typeToString(target)}` +
      (isPrimitiveType(target) && isPrimitiveType(data) ? '' : ' (nested types must match field by field)') +
      ' (schemaMode never changes the type of an existing column; overwrite with schemaMode: \'overwrite\' to replace the schema)',
  );
}
