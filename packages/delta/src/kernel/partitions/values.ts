// Partition values as stored in `add.partitionValues` (PROTOCOL.md "Partition Value Serialization"):
// strings in the log <-> typed scalars. Pure calendar arithmetic; no Date, no time zone database.
import { DeltaProtocolError, SchemaError } from '../../errors.js';
import { typeToString, type DataType, type DecimalType } from '../schema/types.js';

/**
 * A typed partition value. By column type:
 * - `string` → string; `boolean` → boolean
 * - `long` → bigint; `integer`, `short`, `byte` → number (range-checked)
 * - `float`, `double` → number (`float` rounded to single precision)
 * - `date` → number: days since 1970-01-01
 * - `timestamp` → bigint: microseconds since 1970-01-01T00:00:00Z
 * - `timestamp_ntz` → bigint: microseconds since 1970-01-01 00:00:00 wall-clock (no zone)
 * - `decimal(p,s)` → string: the exact value in plain notation with exactly `s` fraction digits (`"1.50"`)
 * - `binary` → Uint8Array: the UTF-8 bytes of the stored string
 * - null for a null partition value (null, absent or empty string in the log).
 */
export type PartitionScalar = null | string | number | bigint | boolean | Uint8Array;

/**
 * Parses a serialized partition value for a column of `type`. Empty strings are null for every type
 * (PROTOCOL.md: "An empty string for any type translates to a null partition value"). Timestamps accept
 * ISO-8601 with `Z` or an offset, and the legacy `YYYY-MM-DD HH:MM:SS[.ffffff]`, read as UTC.
 */
export function parsePartitionValue(
  raw: string | null | undefined,
  type: DataType,
  column: string,
  options: PartitionParseOptions = {},
): PartitionScalar {
  if (raw === null || raw === undefined || raw === '') return null;
  const fail = (what: string): never => {
    throw new DeltaProtocolError(
      `partition column "${column}" has value ${JSON.stringify(raw)}, which is not ${what} (PROTOCOL.md "Partition Value Serialization"); the file's partitionValues in the log are corrupt`,
    );
  };
  if (typeof type !== 'string') {
    if (type.type === 'decimal') return parseDecimal(raw.trim(), type) ?? fail(`a valid ${typeToString(type)}`);
    throw notPartitionable(column, type);
  }
  const text = raw.trim();
  switch (type) {
    case 'string':
      return raw;
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      return fail('true or false');
    }
    case 'byte':
      return parseSmallInt(text, 8) ?? fail('a byte (-128..127)');
    case 'short':
      return parseSmallInt(text, 16) ?? fail('a short (-32768..32767)');
    case 'integer':
      return parseSmallInt(text, 32) ?? fail('an integer (-2147483648..2147483647)');
    case 'long': {
      if (!INTEGER.test(text)) return fail('a long');
      const v = BigInt(text);
      return v >= -(2n ** 63n) && v < 2n ** 63n ? v : fail('a long (64-bit signed)');
    }
    case 'float':
    case 'double': {
      if (!FLOAT.test(text)) return fail(`a ${type}`);
      const v = Number(text.replace(/[fFdD]$/, ''));
      return type === 'float' ? Math.fround(v) : v;
    }
    case 'date': {
      const m = DATE.exec(text);
      if (m === null) return fail('a date (YYYY-MM-DD)');
      return civilDays(Number(m[1]), Number(m[2]), Number(m[3])) ?? fail('an existing calendar date');
    }
    case 'timestamp':
    case 'timestamp_ntz':
      return parseTimestamp(text, type === 'timestamp', options.timeZone) ?? fail(type === 'timestamp'
        ? 'a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff] or ISO-8601 with Z or an offset)'
        : 'a timestamp without time zone (YYYY-MM-DD HH:MM:SS[.ffffff])');
    case 'binary':
      return utf8Encode(raw);
    case 'variant':
    case 'void':
      throw notPartitionable(column, type);
  }
}

/** Options of {@link parsePartitionValue}. */
export interface PartitionParseOptions {
  /**
   * IANA zone in which zone-less `timestamp` partition values (`YYYY-MM-DD HH:MM:SS`) were written.
   * Spark writes them in its session time zone; Delta Kernel reads them as UTC, the default here.
   */
  readonly timeZone?: string;
}

/**
 * Serializes a partition value for the log (the inverse of {@link parsePartitionValue}): timestamps as
 * UTC ISO-8601 with `Z` and microseconds, `timestamp_ntz` as `YYYY-MM-DD HH:MM:SS[.f]`, dates as
 * `YYYY-MM-DD`. Null and the empty string give null.
 */
export function formatPartitionValue(value: PartitionScalar, type: DataType, column: string): string | null {
  if (value === null) return null;
  const wrong = (): never => {
    throw new DeltaProtocolError(
      `cannot write ${describeValue(value)} as the partition value of column "${column}" of type ${typeToString(type)}; pass a value of the documented PartitionScalar representation`,
    );
  };
  if (typeof type !== 'string') {
    if (type.type !== 'decimal') throw notPartitionable(column, type);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return wrong();
    return parseDecimal(String(value), type) ?? wrong();
  }
  switch (type) {
    case 'string':
      return typeof value === 'string' ? (value === '' ? null : value) : wrong();
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : wrong();
    case 'byte':
    case 'short':
    case 'integer':
    case 'long': {
      const bits = type === 'byte' ? 8 : type === 'short' ? 16 : type === 'integer' ? 32 : 64;
      if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value))) return wrong();
      const v = BigInt(value);
      if (v < -(2n ** BigInt(bits - 1)) || v >= 2n ** BigInt(bits - 1)) return wrong();
      return v.toString();
    }
    case 'float':
    case 'double':
      if (typeof value !== 'number') return wrong();
      // Spark's Double.toString keeps the sign of zero; toFixed would print -0 as 0.
      if (Object.is(value, -0)) return '-0.0';
      return Number.isInteger(value) && Math.abs(value) < 1e21 ? `${value.toFixed(0)}.0` : String(value);
    case 'date':
      if (typeof value !== 'number' || !Number.isInteger(value)) return wrong();
      return formatDate(value);
    case 'timestamp':
    case 'timestamp_ntz': {
      if (typeof value !== 'bigint') return wrong();
      const micros = ((value % 86_400_000_000n) + 86_400_000_000n) % 86_400_000_000n;
      const days = Number((value - micros) / 86_400_000_000n);
      const secs = Number(micros / 1_000_000n);
      const frac = Number(micros % 1_000_000n);
      const clock = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
      if (type === 'timestamp') return `${formatDate(days)}T${clock}.${pad(frac, 6)}Z`;
      return `${formatDate(days)} ${clock}${frac === 0 ? '' : `.${pad(frac, 6).replace(/0+$/, '')}`}`;
    }
    case 'binary':
      if (!(value instanceof Uint8Array)) return wrong();
      if (value.length === 0) return null;
      return (
        utf8Decode(value) ??
        (() => {
          // Partition values are strings in the log, so a binary one must be valid UTF-8.
          throw new SchemaError(
            `binary partition column "${column}" holds bytes that are not valid UTF-8, which a partition value (a string in the log) cannot carry; partition by another column or hex-encode it into a string column`,
          );
        })()
      );
    case 'variant':
    case 'void':
      throw notPartitionable(column, type);
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date, or null when the date does not exist. */
export function civilDays(year: number, month: number, day: number): number | null {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// ---------------------------------------------------------------------------------------------------

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?$/;
const DATE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})$/;
const TIMESTAMP =
  /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parseSmallInt(text: string, bits: number): number | null {
  if (!INTEGER.test(text)) return null;
  const v = Number(text);
  const limit = 2 ** (bits - 1);
  return v >= -limit && v < limit ? v : null;
}

/** Microseconds since the epoch; `zoned` timestamps honour a zone suffix, `timestamp_ntz` rejects one. */
function parseTimestamp(text: string, zoned: boolean, timeZone: string | undefined): bigint | null {
  const m = TIMESTAMP.exec(text);
  if (m === null) return null;
  const days = civilDays(Number(m[1]), Number(m[2]), Number(m[3]));
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  if (days === null || hour > 23 || minute > 59 || second > 59) return null;
  // Digits beyond microseconds (nanoseconds) are truncated, as Delta stores microseconds.
  const micros = Number((m[7] ?? '').padEnd(6, '0').slice(0, 6));
  const zone = m[8];
  let offsetSeconds = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'UTC') {
    if (!zoned) return null;
    const digits = zone.slice(1).replace(':', '');
    const hh = Number(digits.slice(0, 2));
    const mm = Number(digits.slice(2) || '0');
    if (hh > 18 || mm > 59) return null;
    offsetSeconds = (zone.startsWith('-') ? -1 : 1) * (hh * 3600 + mm * 60);
  } else if (zone !== undefined && !zoned) {
    return null;
  }
  let seconds = BigInt(days) * 86_400n + BigInt(hour * 3600 + minute * 60 + second - offsetSeconds);
  if (zone === undefined && zoned && timeZone !== undefined && timeZone !== 'UTC') {
    seconds -= BigInt(zoneOffsetSeconds(Number(seconds), timeZone));
  }
  return seconds * 1_000_000n + BigInt(micros);
}

/** The exact decimal in plain notation with `type.scale` fraction digits, or null if it does not fit. */
function parseDecimal(text: string, type: DecimalType): string | null {
  const m = DECIMAL.exec(text);
  if (m === null) return null;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return null;
  const exponent = Number(m[4] ?? '0');
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return null;
  let digits = `${intPart}${fracPart}`.replace(/^0+/, '');
  // value = digits × 10^-(fracLength - exponent); rescale to the column's scale.
  const shift = type.scale - (fracPart.length - exponent);
  if (shift >= 0) {
    digits = digits === '' ? '' : digits + '0'.repeat(shift);
  } else {
    const dropped = digits.slice(Math.max(0, digits.length + shift));
    if (/[^0]/.test(dropped)) return null;
    digits = digits.slice(0, Math.max(0, digits.length + shift));
  }
  digits = digits.replace(/^0+/, '');
  if (digits.length > type.precision) return null;
  const padded = digits.padStart(type.scale + 1, '0');
  const whole = padded.slice(0, padded.length - type.scale);
  const frac = padded.slice(padded.length - type.scale);
  const negative = m[1] === '-' && digits !== '';
  return `${negative ? '-' : ''}${whole}${type.scale > 0 ? `.${frac}` : ''}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian; `-0044-…` and `+10000-…` beyond 0000–9999, as Java prints them). */
export function formatDate(days: number): string {
  // Inverse of civilDays.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = year < 0 ? `-${pad(-year, 4)}` : year > 9999 ? `+${year}` : pad(year, 4);
  return `${y}-${pad(month, 2)}-${pad(day, 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function notPartitionable(column: string, type: DataType): DeltaProtocolError {
  return new DeltaProtocolError(
    `column "${column}" has type ${typeToString(type)}, which cannot be a partition column (only primitive types can); remove it from partitionColumns`,
  );
}

function describeValue(value: PartitionScalar): string {
  if (value instanceof Uint8Array) return `a ${value.length}-byte Uint8Array`;
  return `${typeof value} ${String(value)}`;
}

function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Strict UTF-8 decoding; null on malformed input (such bytes have no partition string form). */
function utf8Decode(bytes: Uint8Array): string | null {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] ?? 0;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0 || i + need > bytes.length - 1) return null;
    let cp = need === 0 ? b : b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k] ?? 0;
      if ((c & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (c & 0x3f);
    }
    const min = need === 1 ? 0x80 : need === 2 ? 0x800 : need === 3 ? 0x10000 : 0;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

/** Offset (seconds east of UTC) of `timeZone` at the instant whose wall-clock reading is `wallSeconds`. */
function zoneOffsetSeconds(wallSeconds: number, timeZone: string): number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offsetAt = (utcSeconds: number): number => {
    const parts = Object.fromEntries(format.formatToParts(new Date(utcSeconds * 1000)).map((p) => [p.type, p.value]));
    const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) / 1000;
    return wall - utcSeconds;
  };
  // Two passes settle the offset across DST transitions (the first guess uses the wall time as UTC).
  const first = offsetAt(wallSeconds);
  return offsetAt(wallSeconds - first);
}
