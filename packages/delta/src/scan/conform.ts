// Physical parquet columns → the table's logical Arrow types: column-mapping renames (nested too), columns
// missing from older files as nulls, INT96/ns/ms timestamps → microseconds, widened integers and floats.

import {
  Data,
  DataType,
  type Field,
  List,
  Map_,
  Struct,
  Type,
  TimeUnit,
  Vector,
  makeBuilder,
  makeData,
  type Decimal,
  type Float,
  type Timestamp,
} from 'apache-arrow';
import { DataFileError } from '../errors.js';
import { nullData } from '../arrow/fill.js';
import type { DataType as DeltaType, StructField } from '../kernel/schema/types.js';
import { fieldId, physicalName, type ColumnMappingMode } from '../kernel/features/column-mapping.js';

/** Finds the source field for a logical field: by field id (id mode), physical name, then case-insensitively. */
export function findSourceField(fields: readonly Field[], field: StructField, mode: ColumnMappingMode): number {
  if (mode === 'id') {
    const id = fieldId(field);
    if (id !== undefined) {
      const byId = fields.findIndex((f) => f.metadata.get('PARQUET:field_id') === String(id));
      if (byId >= 0) return byId;
    }
  }
  const name = physicalName(field, mode);
  const exact = fields.findIndex((f) => f.name === name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return fields.findIndex((f) => f.name.toLowerCase() === lower);
}

/**
 * Converts `data` (read from parquet, described by its own type) to `target`, the Arrow type of the
 * logical Delta type `delta`. `where` names the file and column for errors.
 */
export function conformData(data: Data, target: DataType, delta: DeltaType, mode: ColumnMappingMode, where: string): Data {
  const source = data.type as DataType;
  // Empty batches may come without child buffers; rebuild them in the target type.
  if (data.length === 0) return nullData(target, 0);
  if (target.typeId === Type.Struct && typeof delta === 'object' && delta.type === 'struct') {
    if (source.typeId !== Type.Struct) throw mismatch(where, source, target);
    const srcFields = (source as Struct).children;
    const tgtFields = (target as Struct).children;
    const children = delta.fields.map((f, i) => {
      const tgt = tgtFields[i]!;
      const idx = findSourceField(srcFields, f, mode);
      if (idx < 0) return nullData(tgt.type, data.length);
      return conformData(data.children[idx]!, tgt.type, f.type, mode, `${where}.${f.name}`);
    });
    return makeData({ type: target as Struct, offset: data.offset, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap, children });
  }
  if (target.typeId === Type.List && typeof delta === 'object' && delta.type === 'array') {
    if (source.typeId !== Type.List) return viaBuilder(data, target, where);
    const child = conformData(data.children[0]!, (target as List).children[0]!.type, delta.elementType, mode, `${where}[]`);
    return makeData({ type: target as List, offset: data.offset, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap, valueOffsets: data.valueOffsets, child });
  }
  if (target.typeId === Type.Map && typeof delta === 'object' && delta.type === 'map') {
    if (source.typeId !== Type.Map) throw mismatch(where, source, target);
    const entries = data.children[0]!;
    const tgtEntries = (target as Map_).children[0]!.type as Struct;
    const key = conformData(entries.children[0]!, tgtEntries.children[0]!.type, delta.keyType, mode, `${where}.key`);
    const value = conformData(entries.children[1]!, tgtEntries.children[1]!.type, delta.valueType, mode, `${where}.value`);
    const child = makeData({ type: tgtEntries, offset: entries.offset, length: entries.length, nullCount: entries.nullCount, nullBitmap: entries.nullBitmap, children: [key, value] });
    return makeData({ type: target as Map_, offset: data.offset, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap, valueOffsets: data.valueOffsets, child });
  }
  return conformPrimitive(data, target, where);
}

export { nullData } from '../arrow/fill.js';

function conformPrimitive(data: Data, target: DataType, where: string): Data {
  const source = data.type as DataType;
  if (source.typeId === Type.Null) return nullData(target, data.length);
  if (DataType.isTimestamp(target) && DataType.isTimestamp(source)) {
    return retype(rescaleTimestamp(data as Data<Timestamp>, (target as Timestamp).unit), target);
  }
  if (DataType.isInt(target) && DataType.isInt(source)) {
    if (source.bitWidth === target.bitWidth && source.isSigned === target.isSigned) return retype(data, target);
    return convertNumbers(data, target);
  }
  if (DataType.isFloat(target) && (DataType.isFloat(source) || DataType.isInt(source))) {
    if (DataType.isFloat(source) && (source as Float).precision === (target as Float).precision) return retype(data, target);
    return convertNumbers(data, target);
  }
  if (DataType.isDecimal(target) && DataType.isDecimal(source)) {
    const s = source as Decimal;
    const t = target as Decimal;
    if (s.scale === t.scale && s.bitWidth === t.bitWidth) return retype(data, target);
    return viaBuilder(data, target, where);
  }
  if (DataType.isUtf8(target) && (DataType.isUtf8(source) || DataType.isBinary(source))) return retype(data, target);
  if (DataType.isBinary(target) && (DataType.isBinary(source) || DataType.isUtf8(source))) return retype(data, target);
  if (source.typeId === target.typeId && sameShape(source, target)) return retype(data, target);
  return viaBuilder(data, target, where);
}

function sameShape(a: DataType, b: DataType): boolean {
  if (DataType.isDate(a) && DataType.isDate(b)) return a.unit === b.unit;
  return a.typeId === Type.Bool || a.typeId === Type.Utf8 || a.typeId === Type.Binary;
}

function retype(data: Data, type: DataType): Data {
  return makeData({
    type,
    offset: data.offset,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap,
    data: data.values,
    valueOffsets: data.valueOffsets,
  } as never);
}

const UNIT_TO_NANOS: Record<number, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

function rescaleTimestamp(data: Data<Timestamp>, unit: TimeUnit): Data {
  const from = UNIT_TO_NANOS[data.type.unit]!;
  const to = UNIT_TO_NANOS[unit]!;
  if (from === to) return data;
  const src = data.values as unknown as BigInt64Array;
  const out = new BigInt64Array(data.length);
  // Sliced Data keeps `offset` for the validity bits only; its value buffer already starts at row 0.
  for (let i = 0; i < data.length; i++) {
    const v = src[i]!;
    // Floor division so pre-1970 instants round toward the earlier microsecond, like Spark.
    out[i] = from > to ? v * (from / to) : floorDiv(v, to / from);
  }
  return makeData({ type: data.type, offset: 0, length: data.length, nullCount: data.nullCount, nullBitmap: sliceBitmap(data), data: out } as never);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * Integer/float widening straight between typed arrays (validity bits kept), without a builder: builders
 * with null values compile code at run time, which Workers forbid.
 */
function convertNumbers(data: Data, target: DataType): Data {
  const src = data.values as unknown as ArrayLike<number | bigint>;
  const ArrayType = (target as unknown as { ArrayType: new (n: number) => { [i: number]: number | bigint } }).ArrayType;
  const out = new ArrayType(data.length);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  // Fixed-width values of a sliced Data already start at its first row (only validity is offset).
  for (let i = 0; i < data.length; i++) {
    const v = src[i]!;
    out[i] = big ? BigInt(v) : Number(v);
  }
  return makeData({ type: target, length: data.length, nullCount: data.nullCount, nullBitmap: sliceBitmap(data), data: out } as never);
}

function convertValues(data: Data, target: DataType, map: (v: unknown) => unknown): Data {
  const vector = new Vector([data]);
  const builder = makeBuilder({ type: target, nullValues: [null, undefined] });
  const bigint = DataType.isInt(target) && target.bitWidth === 64;
  for (let i = 0; i < data.length; i++) {
    const v = map(vector.get(i));
    builder.append(v === null || v === undefined ? null : bigint ? BigInt(v as number) : typeof v === 'bigint' ? Number(v) : v);
  }
  return builder.finish().flush();
}

function viaBuilder(data: Data, target: DataType, where: string): Data {
  try {
    return convertValues(data, target, (v) => v);
  } catch (e) {
    throw new DataFileError(`column ${where} holds ${String(data.type)} values that cannot be read as ${String(target)}`, { cause: e });
  }
}

function sliceBitmap(data: Data): Uint8Array | undefined {
  if (!data.nullBitmap || data.nullCount === 0) return undefined;
  if (data.offset === 0) return data.nullBitmap;
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) {
    const j = data.offset + i;
    if ((data.nullBitmap[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

function mismatch(where: string, source: DataType, target: DataType): DataFileError {
  return new DataFileError(`column ${where} is ${String(source)} in the data file but the table schema says ${String(target)}; the file does not match the table`);
}

