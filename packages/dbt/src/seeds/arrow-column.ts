// Arrow vectors for cast seed columns, built directly from typed arrays so integers, decimals and
// timestamps keep their exact values (no trip through JS numbers).
import {
  Bool,
  DateDay,
  Decimal,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  makeVector,
  TimeUnit,
  Timestamp,
  Utf8,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import type { SeedColumnType } from './column-type.js';
import type { SeedValue } from './values.js';

/** The Arrow type a seed column kind is stored as. */
export function arrowTypeOf(t: SeedColumnType): DataType {
  switch (t.kind) {
    case 'tinyint': return new Int8();
    case 'smallint': return new Int16();
    case 'integer': return new Int32();
    case 'bigint': return new Int64();
    case 'float': return new Float32();
    case 'double': return new Float64();
    case 'decimal': return new Decimal(t.scale ?? 3, t.precision ?? 18, 128);
    case 'boolean': return new Bool();
    case 'date': return new DateDay();
    case 'timestamp': return new Timestamp(TimeUnit.MICROSECOND);
    case 'timestamptz': return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case 'varchar': return new Utf8();
  }
}

/** One Arrow vector of `values` (already cast to `t`; null for NULL). */
export function buildArrowColumn(t: SeedColumnType, values: readonly SeedValue[]): Vector {
  const type = arrowTypeOf(t);
  const n = values.length;
  if (t.kind === 'varchar' || t.kind === 'boolean') return vectorFromArray(values as (string | boolean | null)[], type as Utf8 | Bool);
  const { nullBitmap, nullCount } = validity(values);
  let data: Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | Uint32Array;
  switch (t.kind) {
    case 'tinyint': data = Int8Array.from(values, (v) => Number(v ?? 0)); break;
    case 'smallint': data = Int16Array.from(values, (v) => Number(v ?? 0)); break;
    case 'integer':
    case 'date': data = Int32Array.from(values, (v) => Number(v ?? 0)); break;
    case 'bigint':
    case 'timestamp':
    case 'timestamptz': data = BigInt64Array.from(values, (v) => (typeof v === 'bigint' ? v : 0n)); break;
    case 'float': data = Float32Array.from(values, (v) => (typeof v === 'number' ? v : 0)); break;
    case 'double': data = Float64Array.from(values, (v) => (typeof v === 'number' ? v : 0)); break;
    case 'decimal': data = decimalWords(values); break;
  }
  return makeVector(makeData({ type, length: n, nullCount, nullBitmap, data } as Parameters<typeof makeData>[0]));
}

function validity(values: readonly SeedValue[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

/** Decimal128 cells as four little-endian 32-bit words each (two's complement). */
function decimalWords(values: readonly SeedValue[]): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, typeof v === 'bigint' ? v : 0n);
    for (let w = 0; w < 4; w++) {
      out[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return out;
}
