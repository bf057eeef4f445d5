// Delta schema <-> Apache Arrow schema. The one kernel file allowed to import `apache-arrow` (for types
// only, no IO); everything else in kernel/ stays free of Arrow.
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Map_,
  Null,
  Schema,
  Struct,
  Timestamp,
  TimeUnit,
  Type,
  Utf8,
  type DataType as ArrowDataType,
} from 'apache-arrow';
import { SchemaError } from '../../errors.js';
import { FIELD_ID_KEY } from '../features/column-mapping.js';
import { MAX_DECIMAL_PRECISION, type DataType, type MetadataValue, type StructField, type StructType } from './types.js';

/** Arrow field metadata key that parquet writers (arrow-rs, parquet-wasm) turn into the parquet field_id. */
export const PARQUET_FIELD_ID_KEY = 'PARQUET:field_id';

/**
 * Converts a Delta schema to Arrow. Nullability is carried; field metadata is kept (string values as is,
 * other JSON values as JSON text), and a `delta.columnMapping.id` is also written as `PARQUET:field_id`.
 */
export function toArrowSchema(struct: StructType): Schema {
  return new Schema(struct.fields.map((f) => toArrowField(f)));
}

/** Converts one Delta data type to its Arrow type (timestamps are microseconds; `timestamp` is UTC). */
export function toArrowType(type: DataType): ArrowDataType {
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return new Utf8();
      case 'long':
        return new Int64();
      case 'integer':
        return new Int32();
      case 'short':
        return new Int16();
      case 'byte':
        return new Int8();
      case 'float':
        return new Float32();
      case 'double':
        return new Float64();
      case 'boolean':
        return new Bool();
      case 'binary':
        return new Binary();
      case 'date':
        return new DateDay();
      case 'timestamp':
        return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
      case 'timestamp_ntz':
        return new Timestamp(TimeUnit.MICROSECOND, null);
      case 'variant':
        // Unshredded variant as stored in parquet: the binary metadata and value of each row.
        return new Struct([new Field('metadata', new Binary(), false), new Field('value', new Binary(), false)]);
      case 'void':
        return new Null();
    }
  }
  switch (type.type) {
    case 'decimal':
      return new Decimal(type.scale, type.precision, 128);
    case 'struct':
      return new Struct(type.fields.map((f) => toArrowField(f)));
    case 'array':
      return new List(new Field('element', toArrowType(type.elementType), type.containsNull));
    case 'map':
      return new Map_<ArrowDataType, ArrowDataType>(
        new Field(
          'entries',
          new Struct<{ key: ArrowDataType; value: ArrowDataType }>([
            new Field('key', toArrowType(type.keyType), false),
            new Field('value', toArrowType(type.valueType), type.valueContainsNull),
          ]),
          false,
        ),
        false,
      );
  }
}

/**
 * Converts an Arrow schema to a Delta schema: timestamps with a zone → `timestamp`, without →
 * `timestamp_ntz`; large/view strings and binaries, dictionaries and 64-bit dates map to their Delta type;
 * unsigned integers widen (uint64 → decimal(20,0)). Types Delta cannot hold throw SchemaError naming the column.
 */
export function fromArrowSchema(schema: Schema): StructType {
  return { type: 'struct', fields: fromArrowFields(schema.fields, '') };
}

/** Converts one Arrow type to Delta; `column` names the column in errors. */
export function fromArrowType(type: ArrowDataType, column: string): DataType {
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
      return 'string';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary:
      return 'binary';
    case Type.Bool:
      return 'boolean';
    case Type.Int: {
      const { isSigned, bitWidth } = type as unknown as { isSigned: boolean; bitWidth: number };
      if (isSigned) return bitWidth === 8 ? 'byte' : bitWidth === 16 ? 'short' : bitWidth === 32 ? 'integer' : 'long';
      if (bitWidth === 8) return 'short';
      if (bitWidth === 16) return 'integer';
      if (bitWidth === 32) return 'long';
      return { type: 'decimal', precision: 20, scale: 0 };
    }
    case Type.Float: {
      const { precision } = type as unknown as { precision: number };
      // Precision.HALF = 0 and SINGLE = 1 both fit a Delta float.
      return precision === 2 ? 'double' : 'float';
    }
    case Type.Decimal: {
      const { precision, scale } = type as unknown as { precision: number; scale: number };
      if (precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) {
        throw unsupported(column, type, `Delta decimals need precision <= ${MAX_DECIMAL_PRECISION} and 0 <= scale <= precision; cast it to decimal(38, s) or double`);
      }
      return { type: 'decimal', precision, scale };
    }
    case Type.Date:
      return 'date';
    case Type.Timestamp: {
      const { timezone } = type as unknown as { timezone: string | null };
      return timezone === null || timezone === undefined || timezone === '' ? 'timestamp_ntz' : 'timestamp';
    }
    case Type.Struct:
      return { type: 'struct', fields: fromArrowFields(type.children, column) };
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const child = type.children[0];
      if (child === undefined) throw unsupported(column, type, 'the list has no element field');
      return { type: 'array', elementType: fromArrowType(child.type, `${column}.element`), containsNull: child.nullable };
    }
    case Type.Map: {
      const entries = type.children[0]?.type as ArrowDataType | undefined;
      const key = entries?.children[0];
      const value = entries?.children[1];
      if (key === undefined || value === undefined) throw unsupported(column, type, 'the map has no key/value fields');
      return {
        type: 'map',
        keyType: fromArrowType(key.type, `${column}.key`),
        valueType: fromArrowType(value.type, `${column}.value`),
        valueContainsNull: value.nullable,
      };
    }
    case Type.Dictionary:
      return fromArrowType((type as unknown as { dictionary: ArrowDataType }).dictionary, column);
    case Type.Null:
      throw unsupported(column, type, 'a column of only NULLs has no Delta type; cast it to a concrete type (e.g. CAST(NULL AS VARCHAR))');
    default:
      throw unsupported(column, type, 'cast it to a type Delta supports (string, numeric, boolean, binary, date, timestamp, decimal, struct, array, map)');
  }
}

// ---------------------------------------------------------------------------------------------------

function toArrowField(field: StructField): Field {
  return new Field(field.name, toArrowType(field.type), field.nullable, toArrowMetadata(field.metadata));
}

function toArrowMetadata(metadata: { readonly [key: string]: MetadataValue }): Map<string, string> | null {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return null;
  const out = new Map<string, string>();
  for (const [key, value] of entries) out.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  const id = metadata[FIELD_ID_KEY];
  if (typeof id === 'number' || typeof id === 'string') out.set(PARQUET_FIELD_ID_KEY, String(id));
  return out;
}

function fromArrowFields(fields: readonly Field[], parent: string): StructField[] {
  const seen = new Map<string, string>();
  return fields.map((f) => {
    const column = parent === '' ? f.name : `${parent}.${f.name}`;
    const folded = f.name.toLowerCase();
    const clash = seen.get(folded);
    if (clash !== undefined) {
      throw new SchemaError(
        `columns "${clash}" and "${f.name}"${parent === '' ? '' : ` in "${parent}"`} differ only in case, but Delta column names must be unique regardless of case; rename one of them`,
      );
    }
    seen.set(folded, f.name);
    return { name: f.name, type: fromArrowType(f.type, column), nullable: f.nullable, metadata: fromArrowMetadata(f.metadata) };
  });
}

/**
 * Arrow metadata is string → string. Values that are integers (safe in a double) or booleans come back as
 * such (Delta's own keys such as `delta.columnMapping.id` hold numbers); everything else stays a string.
 * `PARQUET:field_id` is derived data and is dropped.
 */
function fromArrowMetadata(metadata: Map<string, string>): { [key: string]: MetadataValue } {
  const out: { [key: string]: MetadataValue } = {};
  for (const [key, value] of metadata) {
    if (key === PARQUET_FIELD_ID_KEY) continue;
    if (value === 'true' || value === 'false') out[key] = value === 'true';
    else if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) out[key] = Number(value);
    else out[key] = value;
  }
  return out;
}

function unsupported(column: string, type: ArrowDataType, fix: string): SchemaError {
  return new SchemaError(`column "${column}" has Arrow type ${String(type)}, which a Delta table cannot hold; ${fix}`);
}
