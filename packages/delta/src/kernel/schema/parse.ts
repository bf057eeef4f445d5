// Parse and serialize `metaData.schemaString` (PROTOCOL.md "Schema Serialization Format", Spark's JSON
// schema representation) to and from the schema model in ./types.ts.
import { SchemaError } from '../../errors.js';
import {
  MAX_DECIMAL_PRECISION,
  PRIMITIVE_TYPE_NAMES,
  type DataType,
  type MetadataValue,
  type PrimitiveTypeName,
  type StructField,
  type StructType,
} from './types.js';

/** Parses a Delta schema JSON string; throws SchemaError naming the offending field and problem. */
export function parseSchema(schemaString: string): StructType {
  let json: unknown;
  try {
    json = JSON.parse(schemaString);
  } catch (e) {
    throw new SchemaError(
      `table schema (metaData.schemaString) is not valid JSON (${e instanceof Error ? e.message : String(e)}); the log entry is corrupt`,
      { cause: e },
    );
  }
  const type = parseDataType(json, '');
  if (typeof type === 'string' || type.type !== 'struct') {
    throw new SchemaError(
      `table schema (metaData.schemaString) must be a struct, but it is ${describeJson(json)}; the log entry is corrupt`,
    );
  }
  return type;
}

/** Parses one JSON data type (a primitive name or a struct/array/map object); `path` names it in errors. */
export function parseDataType(json: unknown, path: string): DataType {
  if (typeof json === 'string') return parsePrimitive(json, path);
  if (!isObject(json)) throw bad(path, `has type ${describeJson(json)}, which is neither a type name nor a type object`);
  switch (json['type']) {
    case 'struct':
      return parseStruct(json, path);
    case 'array': {
      const element = json['elementType'];
      if (element === undefined) throw bad(path, 'is an array without "elementType"');
      return {
        type: 'array',
        elementType: parseDataType(element, join(path, 'element')),
        containsNull: optionalBoolean(json['containsNull'], join(path, 'containsNull'), true),
      };
    }
    case 'map': {
      if (json['keyType'] === undefined || json['valueType'] === undefined) {
        throw bad(path, 'is a map without "keyType" or "valueType"');
      }
      return {
        type: 'map',
        keyType: parseDataType(json['keyType'], join(path, 'key')),
        valueType: parseDataType(json['valueType'], join(path, 'value')),
        valueContainsNull: optionalBoolean(json['valueContainsNull'], join(path, 'valueContainsNull'), true),
      };
    }
    default:
      if (typeof json['type'] === 'string' && Object.keys(json).length === 1) return parsePrimitive(json['type'], path);
      throw bad(path, `has unknown complex type ${describeJson(json['type'])} (expected struct, array or map)`);
  }
}

/** Serializes a schema as Delta/Spark write it: compact JSON with keys in protocol order. */
export function serializeSchema(struct: StructType): string {
  return JSON.stringify(toJson(struct));
}

/** The JSON value of a data type (the inverse of {@link parseDataType}). */
export function dataTypeToJson(type: DataType): unknown {
  return toJson(type);
}

// ---------------------------------------------------------------------------------------------------

const PRIMITIVES = new Set<string>(PRIMITIVE_TYPE_NAMES);
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/;

function parsePrimitive(name: string, path: string): DataType {
  if (PRIMITIVES.has(name)) return name as PrimitiveTypeName;
  if (name === 'decimal') return { type: 'decimal', precision: 10, scale: 0 };
  const m = DECIMAL.exec(name);
  if (m !== null) {
    const precision = Number(m[1]);
    const scale = Number(m[2]);
    if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) {
      throw bad(path, `has ${name}, but Delta decimals need 1 <= precision <= ${MAX_DECIMAL_PRECISION} and 0 <= scale <= precision`);
    }
    return { type: 'decimal', precision, scale };
  }
  throw bad(path, `has unknown type "${name}"`);
}

function parseStruct(json: Record<string, unknown>, path: string): StructType {
  const fields = json['fields'];
  if (!Array.isArray(fields)) throw bad(path, 'is a struct without a "fields" array');
  return { type: 'struct', fields: fields.map((f, i) => parseField(f, path, i)) };
}

function parseField(json: unknown, parent: string, index: number): StructField {
  if (!isObject(json)) throw bad(parent === '' ? `#${index}` : `${parent}.#${index}`, `is ${describeJson(json)}, not a field object`);
  const name = json['name'];
  if (typeof name !== 'string') {
    throw bad(parent === '' ? `#${index}` : `${parent}.#${index}`, 'has no string "name"');
  }
  const path = join(parent, name);
  if (json['type'] === undefined) throw bad(path, 'has no "type"');
  const metadata = json['metadata'] ?? {};
  if (!isObject(metadata)) throw bad(path, `has metadata ${describeJson(metadata)}, which is not an object`);
  return {
    name,
    type: parseDataType(json['type'], path),
    nullable: optionalBoolean(json['nullable'], join(path, 'nullable'), true),
    metadata: metadata as { readonly [key: string]: MetadataValue },
  };
}

function toJson(type: DataType): unknown {
  if (typeof type === 'string') return type;
  switch (type.type) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'array':
      return { type: 'array', elementType: toJson(type.elementType), containsNull: type.containsNull };
    case 'map':
      return {
        type: 'map',
        keyType: toJson(type.keyType),
        valueType: toJson(type.valueType),
        valueContainsNull: type.valueContainsNull,
      };
    case 'struct':
      return {
        type: 'struct',
        fields: type.fields.map((f) => ({ name: f.name, type: toJson(f.type), nullable: f.nullable, metadata: f.metadata })),
      };
  }
}

function optionalBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw bad(path, `is ${describeJson(value)}, not true or false`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

function bad(path: string, problem: string): SchemaError {
  const where = path === '' ? 'table schema' : `schema field "${path}"`;
  return new SchemaError(
    `${where} ${problem} (PROTOCOL.md "Schema Serialization Format"); the metaData.schemaString is corrupt or uses a type duckrun does not support`,
  );
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
