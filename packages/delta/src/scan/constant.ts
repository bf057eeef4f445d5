// A column holding one partition value on every row, built straight into Arrow buffers.

import { DataType, makeData, type Data, type Decimal } from 'apache-arrow';
import { nullData, repeatedData } from '../arrow/fill.js';
import type { PartitionScalar } from '../kernel/partitions/values.js';

/** `length` rows of `value` (already parsed for the column's Delta type) as Arrow data of `type`. */
export function constantData(type: DataType, value: PartitionScalar, length: number): Data {
  if (value === null) return nullData(type, length);
  if (DataType.isTimestamp(type) || (DataType.isInt(type) && type.bitWidth === 64)) {
    return makeData({ type, length, nullCount: 0, data: new BigInt64Array(length).fill(BigInt(value as bigint | number)) } as never);
  }
  if (DataType.isDate(type)) {
    return makeData({ type, length, nullCount: 0, data: new Int32Array(length).fill(Number(value)) } as never);
  }
  if (DataType.isDecimal(type)) return decimalData(type as Decimal, String(value), length);
  return repeatedData(type, DataType.isInt(type) || DataType.isFloat(type) ? Number(value) : value, length);
}

function decimalData(type: Decimal, text: string, length: number): Data {
  const unscaled = toUnscaled(text, type.scale);
  const words = type.bitWidth / 32;
  const one = new Uint32Array(words);
  let v = BigInt.asUintN(type.bitWidth, unscaled);
  for (let w = 0; w < words; w++) {
    one[w] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
  const out = new Uint32Array(words * length);
  for (let i = 0; i < length; i++) out.set(one, i * words);
  return makeData({ type, length, nullCount: 0, data: out } as never);
}

function toUnscaled(text: string, scale: number): bigint {
  const neg = text.startsWith('-');
  const [int = '0', frac = ''] = text.replace(/^[-+]/, '').split('.');
  const digits = int + frac.padEnd(scale, '0').slice(0, scale);
  const v = BigInt(digits === '' ? '0' : digits);
  return neg ? -v : v;
}
