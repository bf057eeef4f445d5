// The Delta table schema model (PROTOCOL.md "Schema Serialization Format"): plain immutable data whose
// shape follows the JSON in `metaData.schemaString`, except that decimals carry parsed precision/scale.

/** Names of the primitive types as written in the schema JSON (`void` exists in old tables only). */
export type PrimitiveTypeName =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | 'variant'
  | 'void';

/** A primitive type is its name, exactly as on the wire (`"long"`, `"timestamp_ntz"`). */
export type PrimitiveType = PrimitiveTypeName;

/** `decimal(precision, scale)`; both at most 38. */
export interface DecimalType {
  readonly type: 'decimal';
  readonly precision: number;
  readonly scale: number;
}

/** JSON value allowed in column metadata. */
export type MetadataValue = string | number | boolean | null | readonly MetadataValue[] | { readonly [key: string]: MetadataValue };

/** One (possibly nested) column. */
export interface StructField {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Column metadata, e.g. `delta.columnMapping.id` / `delta.columnMapping.physicalName`. */
  readonly metadata: { readonly [key: string]: MetadataValue };
}

/** A struct: the table schema itself, or a nested struct column. */
export interface StructType {
  readonly type: 'struct';
  readonly fields: readonly StructField[];
}

/** A variable-length list. */
export interface ArrayType {
  readonly type: 'array';
  readonly elementType: DataType;
  readonly containsNull: boolean;
}

/** A key/value map. */
export interface MapType {
  readonly type: 'map';
  readonly keyType: DataType;
  readonly valueType: DataType;
  readonly valueContainsNull: boolean;
}

/** Any Delta data type. */
export type DataType = PrimitiveType | DecimalType | StructType | ArrayType | MapType;

/** All primitive type names, for validation. */
export const PRIMITIVE_TYPE_NAMES: readonly PrimitiveTypeName[] = [
  'string',
  'long',
  'integer',
  'short',
  'byte',
  'float',
  'double',
  'boolean',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
  'variant',
  'void',
];

/** Largest decimal precision Delta allows. */
export const MAX_DECIMAL_PRECISION = 38;

/** True for primitive types (including decimals): types that are not struct, array or map. */
export function isPrimitiveType(type: DataType): type is PrimitiveType | DecimalType {
  return typeof type === 'string' || type.type === 'decimal';
}

/** Builds a `decimal(precision, scale)` type. */
export function decimalType(precision: number, scale: number): DecimalType {
  return { type: 'decimal', precision, scale };
}

/** Renders a type the way it appears in messages and in the schema JSON for primitives (`decimal(10,2)`, `array<long>`). */
export function typeToString(type: DataType): string {
  if (typeof type === 'string') return type;
  switch (type.type) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'array':
      return `array<${typeToString(type.elementType)}>`;
    case 'map':
      return `map<${typeToString(type.keyType)},${typeToString(type.valueType)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${typeToString(f.type)}`).join(',')}>`;
  }
}
