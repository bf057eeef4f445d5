// All-null and constant Arrow columns built straight into buffers. Not through apache-arrow's builders:
// a builder with null values compiles its validity check with `new Function`, which Cloudflare Workers
// (workerd) forbid, and a buffer fill is faster anyway.

import { DataType, Type, makeData, type Data, type Field, type Struct } from 'apache-arrow';

/** An all-null column of `type` and `length` rows. */
export function nullData(type: DataType, length: number): Data {
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  const common = { type, length, nullCount: length, nullBitmap };
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length } as never);
    case Type.Utf8:
    case Type.Binary:
      return makeData({ ...common, valueOffsets: new Int32Array(length + 1), data: new Uint8Array(0) } as never);
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return makeData({ ...common, valueOffsets: new BigInt64Array(length + 1), data: new Uint8Array(0) } as never);
    case Type.List:
    case Type.Map: {
      const child = (type.children as Field[])[0]!;
      return makeData({ ...common, valueOffsets: new Int32Array(length + 1), child: nullData(child.type, 0) } as never);
    }
    case Type.FixedSizeList: {
      const child = (type.children as Field[])[0]!;
      const size = (type as unknown as { listSize: number }).listSize;
      return makeData({ ...common, child: nullData(child.type, length * size) } as never);
    }
    case Type.Struct:
      return makeData({ ...common, children: (type as Struct).children.map((f) => nullData(f.type, length)) } as never);
    case Type.Bool:
      return makeData({ ...common, data: new Uint8Array((length + 7) >> 3) } as never);
    default:
      return makeData({ ...common, data: fixedWidthValues(type, length) } as never);
  }
}

/** `length` copies of one value (JS form: number, bigint, boolean, string or bytes) as Arrow data of `type`. */
export function repeatedData(type: DataType, value: number | bigint | boolean | string | Uint8Array, length: number): Data {
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : (value as Uint8Array);
    const data = new Uint8Array(bytes.byteLength * length);
    const valueOffsets = new Int32Array(length + 1);
    for (let i = 0; i < length; i++) {
      data.set(bytes, i * bytes.byteLength);
      valueOffsets[i + 1] = (i + 1) * bytes.byteLength;
    }
    return makeData({ type, length, nullCount: 0, valueOffsets, data } as never);
  }
  if (DataType.isBool(type)) {
    return makeData({ type, length, nullCount: 0, data: new Uint8Array((length + 7) >> 3).fill(value === true ? 0xff : 0) } as never);
  }
  const values = fixedWidthValues(type, length) as unknown as { fill(v: number | bigint): unknown };
  values.fill(values instanceof BigInt64Array || values instanceof BigUint64Array ? BigInt(value as number | bigint) : Number(value));
  return makeData({ type, length, nullCount: 0, data: values } as never);
}

function fixedWidthValues(type: DataType, length: number): ArrayBufferView {
  const ArrayType = (type as unknown as { ArrayType: new (n: number) => ArrayBufferView }).ArrayType;
  // Decimals and intervals keep several words per value; ArrayType is the word type.
  const stride = DataType.isDecimal(type) ? type.bitWidth / 32 : DataType.isFixedSizeBinary(type) ? type.byteWidth : 1;
  return new ArrayType(length * stride);
}
