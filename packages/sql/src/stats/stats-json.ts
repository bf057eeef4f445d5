// Per-file stats as written in an `add` action, parsed without losing precision: JSON numbers keep their
// source text (a `long` bound beyond 2^53 must not be rounded into a value that is no longer a bound).

/** A JSON number, kept as its exact source text. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** A parsed JSON value whose numbers are {@link RawNumber}s. */
export type RawJson = null | boolean | string | RawNumber | RawJson[] | { [key: string]: RawJson };

/** The stats of one file; every part optional, as writers may omit any of them. */
export interface FileStats {
  readonly numRecords?: RawJson;
  readonly minValues?: RawJson;
  readonly maxValues?: RawJson;
  readonly nullCount?: RawJson;
}

/**
 * The stats of an `add`: its JSON `stats` string, else the checkpoint's `stats_parsed` struct (plain JS values,
 * where 64-bit integers may already be rounded: see {@link boundText}). Undefined when absent or malformed,
 * which callers treat as "no stats" (the file is kept).
 */
export function fileStats(add: { readonly stats?: string | null; readonly statsParsed?: unknown }): FileStats | undefined {
  if (typeof add.stats === 'string') {
    const value = parseRawJson(add.stats);
    return value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawNumber)
      ? (value as FileStats)
      : undefined;
  }
  const parsed = add.statsParsed;
  return parsed !== null && typeof parsed === 'object' ? fromPlain(parsed) as FileStats : undefined;
}

/** A member of a stats object (`minValues`, …) by key, when the stats are an object. */
export function member(value: RawJson | undefined, key: string): RawJson | undefined {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value) || value instanceof RawNumber) return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

/** A non-negative integer count (numRecords, nullCount), or undefined when not exactly one. */
export function countOf(value: RawJson | undefined): number | undefined {
  if (!(value instanceof RawNumber) || !/^\d+$/.test(value.text)) return undefined;
  const n = Number(value.text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Converts checkpoint `stats_parsed` values; numbers that are not exact (unsafe integers) become unknown (null). */
function fromPlain(value: unknown): RawJson {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return new RawNumber(value.toString());
  if (typeof value === 'number') {
    // The checkpoint reader rounds int64 beyond 2^53; such a value may lie on the wrong side of the true bound.
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return null;
    return new RawNumber(String(value));
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(fromPlain);
  if (typeof value === 'object') {
    const out: { [key: string]: RawJson } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fromPlain(v);
    return out;
  }
  return null;
}

/** Parses JSON keeping number texts; undefined when the text is not valid JSON. */
export function parseRawJson(text: string): RawJson | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new SyntaxError('bad JSON');
  };
  const str = (): string => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const value = (): RawJson => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: { [key: string]: RawJson } = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        const key = str();
        ws();
        if (text[i++] !== ':') fail();
        out[key] = value();
        ws();
        const sep = text[i++];
        if (sep === '}') return out;
        if (sep !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const out: RawJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return out;
        if (sep !== ',') fail();
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
    return new RawNumber(m[0]);
  };
  try {
    const v = value();
    ws();
    return i === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}
