// Seed cell parsing: null detection, the agate-style tests that decide a column's inferred type, and
// the casts from CSV text to the value each column kind stores.
import type { SeedColumnType, SeedTypeKind } from './column-type.js';

/** A cast cell: bigint for integers, decimals (unscaled) and timestamps (microseconds); days for dates. */
export type SeedValue = bigint | number | boolean | string | null;

/** Returned by a cast when the text does not fit the type. */
export const NOT_A_VALUE: unique symbol = Symbol('not a value');

/** agate's null values: empty (after trimming) and `null`, in any case. */
export function isNullCell(raw: string): boolean {
  const t = raw.trim().toLowerCase();
  return t === '' || t === 'null';
}

/**
 * The type agate would infer for a column of non-null cells: the first of integer, number, date,
 * datetime, ISO datetime, boolean, text that reads every cell. A column of nulls only is an integer,
 * as agate's tester picks its first type when nothing contradicts it.
 */
export function inferColumnType(cells: readonly string[]): SeedColumnType {
  const values = cells.filter((c) => !isNullCell(c));
  if (values.every((v) => parseWholeNumber(v) !== undefined)) {
    const nums = values.map((v) => parseWholeNumber(v)!);
    if (nums.every((n) => n >= INT32_MIN && n <= INT32_MAX)) return { kind: 'integer' };
    if (nums.every((n) => n >= INT64_MIN && n <= INT64_MAX)) return { kind: 'bigint' };
    return { kind: 'double' };
  }
  if (values.every((v) => NUMBER.test(v.trim()))) return { kind: 'double' };
  if (values.every((v) => parseDate(v) !== undefined)) return { kind: 'date' };
  // agate's DateTime takes exactly `%Y-%m-%d %H:%M:%S`; its ISO type takes the `T` forms.
  if (values.every((v) => parseSpaceDatetime(v) !== undefined)) return { kind: 'timestamp' };
  if (values.every((v) => parseIsoDatetime(v) !== undefined)) return { kind: 'timestamp' };
  if (values.every((v) => BOOLEAN_WORDS[v.trim().toLowerCase()] !== undefined)) return { kind: 'boolean' };
  return { kind: 'varchar' };
}

/** Casts one non-null cell to `type`, or returns {@link NOT_A_VALUE}. */
export function castCell(raw: string, type: SeedColumnType): SeedValue | typeof NOT_A_VALUE {
  if (type.kind === 'varchar') return raw;
  const text = raw.trim();
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'bigint': {
      const n = parseWholeNumber(text);
      const [lo, hi] = INTEGER_RANGES[type.kind];
      return n !== undefined && n >= lo && n <= hi ? n : NOT_A_VALUE;
    }
    case 'float':
    case 'double':
      return NUMBER.test(text) || /^[+-]?(inf|infinity|nan)$/i.test(text) ? parsePythonFloat(text) : NOT_A_VALUE;
    case 'decimal':
      return parseDecimal(text, type.precision ?? 18, type.scale ?? 3) ?? NOT_A_VALUE;
    case 'boolean': {
      const b = FORCED_BOOLEAN_WORDS[text.toLowerCase()];
      return b ?? NOT_A_VALUE;
    }
    case 'date': {
      const d = parseDate(text);
      return d === undefined ? NOT_A_VALUE : d;
    }
    case 'timestamp':
    case 'timestamptz': {
      const d = parseDate(text);
      if (d !== undefined) return BigInt(d) * MICROS_PER_DAY;
      return parseSpaceDatetime(text, true) ?? parseIsoDatetime(text) ?? NOT_A_VALUE;
    }
  }
  return NOT_A_VALUE;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_RANGES: Readonly<Record<Extract<SeedTypeKind, 'tinyint' | 'smallint' | 'integer' | 'bigint'>, readonly [bigint, bigint]>> = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  integer: [INT32_MIN, INT32_MAX],
  bigint: [INT64_MIN, INT64_MAX],
};
const MICROS_PER_DAY = 86_400_000_000n;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false };
// An explicit `boolean` column type accepts what DuckDB's cast from text accepts.
const FORCED_BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, t: true, f: false, '1': true, '0': false, yes: true, no: false, y: true, n: false };

/** Python's int(): optional sign, digits, single underscores between digits. */
function parseWholeNumber(raw: string): bigint | undefined {
  const t = raw.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) return undefined;
  return BigInt(t.replace(/_/g, ''));
}

function parsePythonFloat(t: string): number {
  const lower = t.toLowerCase();
  if (lower.endsWith('nan')) return Number.NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** Unscaled value at `scale`, rounding half away from zero as DuckDB's cast does; undefined on overflow. */
function parseDecimal(t: string, precision: number, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = m[3] ?? '';
  let digits = BigInt((m[2] || '0') + frac.slice(0, scale).padEnd(scale, '0'));
  if (frac.length > scale && Number(frac[scale]) >= 5) digits += 1n;
  if (digits >= 10n ** BigInt(precision)) return undefined;
  return m[1] === '-' ? -digits : digits;
}

/** `%Y-%m-%d` as strptime reads it (one- or two-digit month and day); days since the epoch. */
function parseDate(raw: string): number | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw.trim());
  if (!m) return undefined;
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** `%Y-%m-%d %H:%M:%S`; microseconds since the epoch. `withFraction` also takes `.ffffff` (forced types only). */
function parseSpaceDatetime(raw: string, withFraction = false): bigint | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?$/.exec(raw.trim());
  if (!m || (m[7] !== undefined && !withFraction)) return undefined;
  return combine(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ?? '', undefined);
}

/** ISO 8601 with a `T`: optional seconds, fraction and offset (`Z`, `+hh`, `+hh:mm`); an offset converts to UTC. */
function parseIsoDatetime(raw: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):?(\d{2})?(?::?(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(raw.trim());
  if (!m) return undefined;
  return combine(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0), Number(m[6] ?? 0), m[7] ?? '', m[8]);
}

function combine(y: number, mo: number, d: number, h: number, mi: number, s: number, fraction: string, offset: string | undefined): bigint | undefined {
  const days = daysFromCivil(y, mo, d);
  if (days === undefined || h > 23 || mi > 59 || s > 59) return undefined;
  let micros = BigInt(days) * MICROS_PER_DAY + BigInt((h * 3600 + mi * 60 + s) * 1_000_000) + BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  if (offset !== undefined && offset !== 'Z') {
    const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!;
    const minutes = Number(om[2]) * 60 + Number(om[3] ?? 0);
    micros -= BigInt((om[1] === '-' ? -minutes : minutes) * 60_000_000);
  }
  return micros;
}

/** Days since 1970-01-01 of a proleptic Gregorian date, or undefined when the date does not exist. */
function daysFromCivil(y: number, m: number, d: number): number | undefined {
  if (m < 1 || m > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  if (d > monthDays) return undefined;
  // Howard Hinnant's days_from_civil.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
