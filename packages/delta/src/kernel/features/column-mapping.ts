// Column mapping (PROTOCOL.md "Column Mapping"): the table's mode, each field's physical name and id,
// and the physical schema data files and partition values/stats are written with.
import { DeltaProtocolError, SchemaError } from '../../errors.js';
import type { DataType, StructField, StructType } from '../schema/types.js';

/** Column mapping mode from the `delta.columnMapping.mode` table property. */
export type ColumnMappingMode = 'none' | 'name' | 'id';

/** Table property that selects the column mapping mode. */
export const COLUMN_MAPPING_MODE_KEY = 'delta.columnMapping.mode';
/** Field metadata key holding the physical (file) name of a column. */
export const PHYSICAL_NAME_KEY = 'delta.columnMapping.physicalName';
/** Field metadata key holding the column's 32-bit id (the parquet field_id). */
export const FIELD_ID_KEY = 'delta.columnMapping.id';

/** Reads the mode from a table's configuration; absent means `none`. Unknown values are a protocol error. */
export function columnMappingMode(configuration: Readonly<Record<string, string>> | undefined): ColumnMappingMode {
  const raw = configuration?.[COLUMN_MAPPING_MODE_KEY];
  if (raw === undefined || raw === null) return 'none';
  const mode = raw.toLowerCase();
  if (mode === 'none' || mode === 'name' || mode === 'id') return mode;
  throw new DeltaProtocolError(
    `table property ${COLUMN_MAPPING_MODE_KEY} is "${raw}", which is not one of none, name or id; fix the property with a Delta client that knows this mode`,
  );
}

/** The name a field has in data files, partition values and stats: its physical name unless mode is `none`. */
export function physicalName(field: StructField, mode: ColumnMappingMode): string {
  if (mode === 'none') return field.name;
  const name = field.metadata[PHYSICAL_NAME_KEY];
  if (typeof name !== 'string' || name === '') {
    throw new SchemaError(
      `column "${field.name}" has no ${PHYSICAL_NAME_KEY} in its metadata although the table uses column mapping mode "${mode}"; the schema is corrupt`,
    );
  }
  return name;
}

/** The field's column mapping id (`delta.columnMapping.id`), or undefined when it has none. */
export function fieldId(field: StructField): number | undefined {
  const id = field.metadata[FIELD_ID_KEY];
  if (id === undefined || id === null) return undefined;
  const n = typeof id === 'string' ? Number(id) : id;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) {
    throw new SchemaError(`column "${field.name}" has ${FIELD_ID_KEY} ${JSON.stringify(id)}, which is not a 32-bit integer; the schema is corrupt`);
  }
  return n;
}

/**
 * Renames every field (nested ones inside structs, arrays and maps too) to its physical name; metadata,
 * including the field ids, is kept. Mode `none` returns the schema unchanged.
 */
export function logicalToPhysicalSchema(struct: StructType, mode: ColumnMappingMode): StructType {
  if (mode === 'none') return struct;
  return renameStruct(struct, mode);
}

/** Logical name → physical name for the top-level columns (e.g. to map partition columns). */
export function physicalNamesByLogical(struct: StructType, mode: ColumnMappingMode): Map<string, string> {
  return new Map(struct.fields.map((f) => [f.name, physicalName(f, mode)]));
}

function renameStruct(struct: StructType, mode: ColumnMappingMode): StructType {
  return {
    type: 'struct',
    fields: struct.fields.map((f) => ({ ...f, name: physicalName(f, mode), type: renameType(f.type, mode) })),
  };
}

function renameType(type: DataType, mode: ColumnMappingMode): DataType {
  if (typeof type === 'string') return type;
  switch (type.type) {
    case 'struct':
      return renameStruct(type, mode);
    case 'array':
      return { ...type, elementType: renameType(type.elementType, mode) };
    case 'map':
      return { ...type, keyType: renameType(type.keyType, mode), valueType: renameType(type.valueType, mode) };
    case 'decimal':
      return type;
  }
}

/**
 * Gives every field without a column-mapping id and physical name (nested ones too) the next id above
 * `maxColumnId` and a `col-<uuid>` physical name, as Delta does when it enables column mapping or adds
 * columns to a mapped table. Returns the schema and the new `delta.columnMapping.maxColumnId`.
 */
export function assignColumnMapping(struct: StructType, maxColumnId: number, uuid: () => string): { schema: StructType; maxColumnId: number } {
  let next = maxColumnId;
  const assignType = (type: DataType): DataType => {
    if (typeof type === 'string' || type.type === 'decimal') return type;
    if (type.type === 'struct') return assignStruct(type);
    if (type.type === 'array') return { ...type, elementType: assignType(type.elementType) };
    return { ...type, keyType: assignType(type.keyType), valueType: assignType(type.valueType) };
  };
  const assignStruct = (s: StructType): StructType => ({
    type: 'struct',
    fields: s.fields.map((f) => {
      const metadata = { ...f.metadata };
      if (metadata[FIELD_ID_KEY] === undefined) metadata[FIELD_ID_KEY] = ++next;
      if (metadata[PHYSICAL_NAME_KEY] === undefined) metadata[PHYSICAL_NAME_KEY] = `col-${uuid()}`;
      return { ...f, type: assignType(f.type), metadata };
    }),
  });
  const schema = assignStruct(struct);
  return { schema, maxColumnId: next };
}
