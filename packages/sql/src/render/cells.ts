// Reads one Arrow cell into a plain, exact value (no float rounding of 64-bit integers, decimals or
// timestamps), from which the text, CSV and JSON renderers produce their output.
import { DataType, IntervalUnit, TimeUnit, makeVector, type Data, type Decimal, type Dictionary, type Float, type Interval, type Struct, type Time, type Timestamp, type Vector } from 'apache-arrow';

/** A cell value with exact numbers and calendar values already formatted. */
export type Cell =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number; readonly text: string }
  | { readonly kind: 'decimal'; readonly text: string; readonly unscaled: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'binary'; readonly value: Uint8Array }
  | { readonly kind: 'date'; readonly text: string }
  | { readonly kind: 'timestamp'; readonly date: string; readonly time: string; readonly utc: boolean }
  | { readonly kind: 'time'; readonly text: string }
  | { readonly kind: 'interval'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly Cell[] }
  | { readonly kind: 'struct'; readonly fields: readonly (readonly [string, Cell])[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [Cell, Cell])[] }
  | { readonly kind: 'other'; readonly text: string };

const NULL: Cell = { kind: 'null' };
const UTF8 = new TextDecoder();
const MICROS_PER_DAY = 86_400_000_000n;

/** The value at `index` of `vector` (any chunking). */
export function readCell(vector: Vector, index: number): Cell {
  let i = index;
  for (const data of vector.data) {
    if (i < data.length) return readData(data, i);
    i -= data.length;
  }
  throw new RangeError(`row ${index} is out of range (${vector.length} rows)`);
}

function readData(data: Data, i: number): Cell {
  if (!data.getValid(i)) return NULL;
  const type = data.type as DataType;
  // Arrow JS slices value and offset buffers along with the data (only validity bitmaps keep `offset`),
  // so buffers are indexed by the relative row `i`; struct and fixed-size-list children are sliced too.
  if (DataType.isNull(type)) return NULL;
  if (DataType.isBool(type)) {
    const bit = data.offset + i; // boolean bitmaps are not sliced
    return { kind: 'boolean', value: (((data.values as Uint8Array)[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0 };
  }
  if (DataType.isInt(type)) return { kind: 'integer', value: BigInt((data.values as ArrayLike<number | bigint>)[i] as number | bigint) };
  if (DataType.isFloat(type)) {
    const value = Number((data.values as ArrayLike<number>)[i]);
    return { kind: 'float', value, text: floatText(value, (type as Float).precision === 1) };
  }
  if (DataType.isDecimal(type)) {
    const t = type as Decimal;
    const unscaled = decimalUnscaled(data.values as Uint32Array, i, t.bitWidth / 32);
    return { kind: 'decimal', unscaled, text: decimalText(unscaled, t.scale) };
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return { kind: 'string', value: UTF8.decode(variableBytes(data, i)) };
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return { kind: 'binary', value: variableBytes(data, i) };
  if (DataType.isFixedSizeBinary(type)) {
    const width = type.byteWidth;
    return { kind: 'binary', value: (data.values as Uint8Array).subarray(i * width, (i + 1) * width) };
  }
  if (DataType.isDate(type)) {
    const raw = (data.values as ArrayLike<number | bigint>)[i] as number | bigint;
    const days = type.unit === 0 ? BigInt(raw) : BigInt(raw) / 86_400_000n; // DateUnit.DAY = 0
    return { kind: 'date', text: dateText(days) };
  }
  if (DataType.isTimestamp(type)) {
    const t = type as Timestamp;
    const micros = toMicros(BigInt((data.values as BigInt64Array)[i] as bigint), t.unit);
    const days = floorDiv(micros, MICROS_PER_DAY);
    return { kind: 'timestamp', date: dateText(days), time: timeText(micros - days * MICROS_PER_DAY), utc: Boolean(t.timezone) };
  }
  if (DataType.isTime(type)) {
    const raw = BigInt((data.values as ArrayLike<number | bigint>)[i] as number | bigint);
    return { kind: 'time', text: timeText(toMicros(raw, (type as Time).unit)) };
  }
  if (DataType.isInterval(type)) return { kind: 'interval', text: intervalText(data, i, (type as Interval).unit) };
  if (DataType.isList(type) || DataType.isLargeList(type) || DataType.isFixedSizeList(type)) {
    const child = makeVector(data.children[0]!);
    const [from, to] = DataType.isFixedSizeList(type)
      ? [i * type.listSize, (i + 1) * type.listSize]
      : [Number(data.valueOffsets[i]), Number(data.valueOffsets[i + 1])];
    const items: Cell[] = [];
    for (let j = from; j < to; j++) items.push(readCell(child, j));
    return { kind: 'list', items };
  }
  if (DataType.isStruct(type)) {
    const fields = (type as Struct).children.map((f, k) => [f.name, readData(data.children[k]!, i)] as const);
    return { kind: 'struct', fields };
  }
  if (DataType.isMap(type)) {
    const entries = data.children[0]!;
    const keys = entries.children[0]!;
    const values = entries.children[1]!;
    const out: (readonly [Cell, Cell])[] = [];
    for (let j = Number(data.valueOffsets[i]); j < Number(data.valueOffsets[i + 1]); j++) {
      out.push([readData(keys, j), readData(values, j)]);
    }
    return { kind: 'map', entries: out };
  }
  if (DataType.isDictionary(type)) {
    const dictionary = (data as Data<Dictionary>).dictionary;
    const key = Number((data.values as ArrayLike<number | bigint>)[i]);
    return dictionary ? readCell(dictionary as Vector, key) : NULL;
  }
  return { kind: 'other', text: String(makeVector(data).get(i)) };
}

function variableBytes(data: Data, i: number): Uint8Array {
  const offsets = data.valueOffsets as ArrayLike<number | bigint>;
  return (data.values as Uint8Array).subarray(Number(offsets[i]), Number(offsets[i + 1]));
}

function decimalUnscaled(words: Uint32Array, at: number, stride: number): bigint {
  let v = 0n;
  for (let w = stride - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[at * stride + w] ?? 0);
  const bits = BigInt(stride * 32);
  return v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
}

/** Plain decimal notation of `unscaled × 10^-scale`, keeping all `scale` fraction digits. */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? '-' : '') + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

function floatText(value: number, single: boolean): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (!single) return String(value);
  // The shortest decimal that reads back as the same single-precision value (0.1, not 0.10000000149…).
  for (let p = 1; p <= 9; p++) {
    const s = Number(value.toPrecision(p));
    if (Math.fround(s) === value) return String(s);
  }
  return String(value);
}

function toMicros(value: bigint, unit: TimeUnit): bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return value * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return value * 1_000n;
    case TimeUnit.NANOSECOND:
      return floorDiv(value, 1_000n);
    default:
      return value;
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** `YYYY-MM-DD` of a day number (proleptic Gregorian, any year). */
function dateText(days: bigint): string {
  // Howard Hinnant's civil_from_days.
  const z = days + 719_468n;
  const era = floorDiv(z, 146_097n);
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1_460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  const year = y < 0n ? `-${(-y).toString().padStart(4, '0')}` : y.toString().padStart(4, '0');
  return `${year}-${m.toString().padStart(2, '0')}-${d.toString().padStart(2, '0')}`;
}

/** `HH:MM:SS[.ffffff]` of microseconds since midnight, trailing fraction zeros dropped. */
function timeText(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const fraction = micros % 1_000_000n;
  const hh = (seconds / 3600n).toString().padStart(2, '0');
  const mm = ((seconds / 60n) % 60n).toString().padStart(2, '0');
  const ss = (seconds % 60n).toString().padStart(2, '0');
  const frac = fraction === 0n ? '' : `.${fraction.toString().padStart(6, '0').replace(/0+$/, '')}`;
  return `${hh}:${mm}:${ss}${frac}`;
}

function intervalText(data: Data, at: number, unit: IntervalUnit): string {
  const words = data.values as Int32Array;
  let months = 0;
  let days = 0;
  let micros = 0n;
  if (unit === IntervalUnit.YEAR_MONTH) {
    months = words[at] ?? 0;
  } else if (unit === IntervalUnit.DAY_TIME) {
    days = words[at * 2] ?? 0;
    micros = BigInt(words[at * 2 + 1] ?? 0) * 1_000n;
  } else {
    months = words[at * 4] ?? 0;
    days = words[at * 4 + 1] ?? 0;
    const nanos = (BigInt(words[at * 4 + 3] ?? 0) << 32n) | BigInt((words[at * 4 + 2] ?? 0) >>> 0);
    micros = nanos / 1_000n;
  }
  const parts: string[] = [];
  const years = Math.trunc(months / 12);
  const restMonths = months % 12;
  if (years !== 0) parts.push(`${years} year${Math.abs(years) === 1 ? '' : 's'}`);
  if (restMonths !== 0) parts.push(`${restMonths} month${Math.abs(restMonths) === 1 ? '' : 's'}`);
  if (days !== 0) parts.push(`${days} day${Math.abs(days) === 1 ? '' : 's'}`);
  if (micros !== 0n || parts.length === 0) parts.push((micros < 0n ? '-' : '') + timeText(micros < 0n ? -micros : micros));
  return parts.join(' ');
}
