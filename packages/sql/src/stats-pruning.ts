// Stats pruning: a file is skipped when its min/max/nullCount stats prove that no row of it satisfies a
// recognised WHERE conjunct. The conjunct is rewritten into a "could match" predicate over a small table of
// per-file bounds typed as the column, and DuckDB evaluates it, so the literal means what it means in the
// query. Every doubt (missing, malformed, imprecise or possibly truncated stats) keeps the file.
import type { Schema } from 'apache-arrow';
import type { ScanFile, StructField } from '@duckrun/delta';
import { isDuckrunError } from '@duckrun/storage';
import type { Engine } from './engine/engine.js';
import { duckdbTypeOf, quoteIdentifier, quoteString } from './sql/literals.js';
import { simplePredicates, type CompareOp, type Literal, type LiteralKind, type SimplePredicate } from './sql/simple-predicates.js';
import { countOf, fileStats, member, RawNumber, type FileStats, type RawJson } from './stats/stats-json.js';

/** Outcome of stats pruning. */
export interface StatsPruneResult {
  /** Files whose stats do not rule out every applied filter. */
  readonly files: readonly ScanFile[];
  /** Conjuncts (as written) whose recognised parts were evaluated against the stats. */
  readonly applied: readonly string[];
}

/** The table facts stats pruning needs. */
export interface StatsPruneInput {
  readonly files: readonly ScanFile[];
  /** Logical schema fields, for physical names (stats are keyed by physical name under column mapping). */
  readonly fields: readonly StructField[];
  readonly arrowSchema: Schema;
  readonly partitionColumns: readonly string[];
  readonly columnMapping: string;
  /** The delta_scan call's alias: `alias.col` binds to the table, other qualifiers do not. */
  readonly alias?: string;
  /** Top-level WHERE conjuncts that may filter the table before the query runs. */
  readonly filters: readonly string[];
}

/** How bounds of a column family are compared. */
type Family = 'int' | 'double' | 'decimal' | 'string' | 'date' | 'timestamp' | 'timestamptz' | 'nullsOnly';

interface StatsColumn {
  readonly name: string;
  readonly physical: string;
  readonly duckType: string;
  readonly family: Family;
  readonly slot: number;
}

const FILE = '__duckrun_file';
const ROWS = '__duckrun_rows';
/** Literal kinds DuckDB compares with each family in the column's own order (so bounds stay bounds). */
const COMPATIBLE: Record<Family, readonly LiteralKind[]> = {
  int: ['number'],
  double: ['number'],
  decimal: ['number'],
  string: ['string'],
  date: ['string', 'date'],
  timestamp: ['string', 'date', 'timestamp'],
  timestamptz: ['string', 'timestamptz'],
  nullsOnly: [],
};
/** Timestamp stats have millisecond precision and writers floor, ceil or truncate: widen by a millisecond. */
const TIMESTAMP_SLACK_US = 1000n;

/** Keeps the files whose stats allow a row satisfying every recognised filter; see the file comment. */
export async function pruneByStats(engine: Engine, input: StatsPruneInput): Promise<StatsPruneResult> {
  const none: StatsPruneResult = { files: input.files, applied: [] };
  if (input.files.length === 0 || input.filters.length === 0) return none;
  const byName = new Map<string, StatsColumn>();
  const partitions = new Set(input.partitionColumns.map((c) => c.toLowerCase()));
  const used: StatsColumn[] = [];
  const column = (ref: { qualifier?: string; name: string }): StatsColumn | undefined => {
    if (ref.qualifier !== undefined && (input.alias === undefined || ref.qualifier.toLowerCase() !== input.alias.toLowerCase())) return undefined;
    const key = ref.name.toLowerCase();
    if (partitions.has(key)) return undefined;
    let col = byName.get(key);
    if (col === undefined) {
      const field = input.fields.find((f) => f.name.toLowerCase() === key);
      const arrow = input.arrowSchema.fields.find((f) => f.name.toLowerCase() === key);
      const duckType = arrow === undefined ? undefined : duckdbTypeOf(arrow.type);
      if (field === undefined || duckType === undefined) return undefined;
      const physical = input.columnMapping === 'none' ? field.name : field.metadata['delta.columnMapping.physicalName'];
      if (typeof physical !== 'string') return undefined;
      col = { name: field.name, physical, duckType, family: familyOf(duckType), slot: used.length };
      byName.set(key, col);
      used.push(col);
    }
    return col;
  };

  const candidates: { filter: string; predicate: string }[] = [];
  for (const filter of input.filters) {
    const parts: string[] = [];
    for (const p of simplePredicates(filter)) {
      const col = column(p.column);
      const sql = col === undefined ? undefined : couldMatch(p, col);
      if (sql !== undefined) parts.push(sql);
    }
    if (parts.length > 0) candidates.push({ filter, predicate: parts.join(' AND ') });
  }
  if (candidates.length === 0) return none;
  // Bounds are byte-ordered; a session collation (e.g. NOCASE) would compare strings in another order.
  if (used.some((c) => c.family === 'string') && (await defaultCollation(engine)) !== '') {
    return none;
  }

  const stats = input.files.map((f) => fileStats(f.add));
  const rows = input.files.map((file, i) => {
    const s = stats[i];
    const numRecords = file.numRecords ?? countOf(s?.numRecords);
    const cells = [String(i), numRecords === undefined ? 'CAST(NULL AS BIGINT)' : String(numRecords)];
    for (const col of used) cells.push(...boundCells(s, col));
    return `(${cells.join(', ')})`;
  });
  const names = [FILE, ROWS, ...used.flatMap((c) => [lo(c), hi(c), hiPrefix(c), nulls(c)])].map(quoteIdentifier).join(', ');
  const source = `(SELECT * FROM (VALUES ${rows.join(', ')}) AS "__duckrun_stats_values"(${names})) AS "__duckrun_stats"`;
  let keep: Set<number> | undefined;
  const applied: string[] = [];
  for (const c of candidates) {
    let selected: Set<number>;
    try {
      const result = await engine.query(`SELECT ${quoteIdentifier(FILE)} FROM ${source} WHERE ${c.predicate}`);
      selected = new Set(Array.from(result.getChildAt(0)?.toArray() ?? [], Number));
    } catch (e) {
      // A literal DuckDB cannot compare with the column: the query itself will say so; prune nothing here.
      if (!isDuckrunError(e, 'SQL_QUERY')) throw e;
      continue;
    }
    applied.push(c.filter);
    keep = keep === undefined ? selected : new Set([...keep].filter((i) => selected.has(i)));
  }
  return { files: keep === undefined ? input.files : input.files.filter((_, i) => keep.has(i)), applied };
}

function familyOf(duckType: string): Family {
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT)$/.test(duckType)) return 'int';
  if (duckType === 'DOUBLE') return 'double';
  if (duckType.startsWith('DECIMAL')) return 'decimal';
  if (duckType === 'VARCHAR') return 'string';
  if (duckType === 'DATE') return 'date';
  if (duckType === 'TIMESTAMP') return 'timestamp';
  if (duckType === 'TIMESTAMPTZ') return 'timestamptz';
  // FLOAT: a bound written as a decimal may round to a neighbouring float32; booleans and binaries have no bounds.
  return 'nullsOnly';
}

const lo = (c: StatsColumn): string => `lo_${c.slot}`;
const hi = (c: StatsColumn): string => `hi_${c.slot}`;
const hiPrefix = (c: StatsColumn): string => `hip_${c.slot}`;
const nulls = (c: StatsColumn): string => `nulls_${c.slot}`;

/** SQL that is true for every file that may hold a row satisfying `p` (or NULL only where it is certainly false). */
function couldMatch(p: SimplePredicate, c: StatsColumn): string | undefined {
  const n = quoteIdentifier(nulls(c));
  if (p.kind === 'null') {
    return p.negated ? notAllNull(c) : `(${n} IS NULL OR ${n} > 0)`;
  }
  const literals = p.kind === 'in' ? p.literals : [p.literal];
  if (!literals.every((l) => COMPATIBLE[c.family].includes(l.kind))) return undefined;
  const value = (op: CompareOp, l: Literal): string => {
    const parts: string[] = [];
    if (op === '<' || op === '<=' || op === '=') parts.push(lowerSide(c, op === '<' ? '<' : '<=', l));
    if (op === '>' || op === '>=' || op === '=') parts.push(upperSide(c, op === '>' ? '>' : '>=', l));
    return parts.join(' AND ');
  };
  const body = p.kind === 'in' ? `(${p.literals.map((l) => `(${value('=', l)})`).join(' OR ')})` : value(p.op, p.literal);
  // A comparison is never true for NULL: a file whose rows are all NULL in the column cannot match.
  return `(${notAllNull(c)} AND ${body})`;
}

function notAllNull(c: StatsColumn): string {
  return `(${quoteIdentifier(nulls(c))} IS NULL OR ${quoteIdentifier(ROWS)} IS NULL OR ${quoteIdentifier(nulls(c))} < ${quoteIdentifier(ROWS)})`;
}

/** Some value could be `op` (`<` / `<=`) the literal: the minimum is. */
function lowerSide(c: StatsColumn, op: '<' | '<=', l: Literal): string {
  const x = quoteIdentifier(lo(c));
  return `(${x} IS NULL OR ${x} ${op} ${l.sql})`;
}

/**
 * Some value could be `op` (`>` / `>=`) the literal: the maximum is. A string maximum may be a truncated
 * prefix (not a bound at all) or a prefix plus a tie-breaker: any literal that starts with the maximum
 * less its last character may still be exceeded, so such files are kept.
 */
function upperSide(c: StatsColumn, op: '>' | '>=', l: Literal): string {
  const x = quoteIdentifier(hi(c));
  const tie = c.family === 'string' ? ` OR starts_with(${l.sql}, ${quoteIdentifier(hiPrefix(c))})` : '';
  return `(${x} IS NULL OR ${x} ${op} ${l.sql}${tie})`;
}

/** The VALUES cells (lo, hi, hi prefix, nulls) of one column for one file; NULL wherever not exactly known. */
function boundCells(stats: FileStats | undefined, c: StatsColumn): string[] {
  const min = member(stats?.minValues, c.physical);
  const max = member(stats?.maxValues, c.physical);
  const nullCount = countOf(member(stats?.nullCount, c.physical));
  const loSql = bound(min, c, 'min');
  const hiSql = bound(max, c, 'max');
  let hipSql = 'CAST(NULL AS VARCHAR)';
  if (c.family === 'string' && typeof max === 'string' && hiSql !== nullOf(c)) {
    hipSql = quoteString(Array.from(max).slice(0, -1).join(''));
  }
  return [loSql, hiSql, hipSql, nullCount === undefined ? 'CAST(NULL AS BIGINT)' : String(nullCount)];
}

function nullOf(c: StatsColumn): string {
  return `CAST(NULL AS ${c.family === 'nullsOnly' ? 'VARCHAR' : c.duckType})`;
}

function bound(v: RawJson | undefined, c: StatsColumn, side: 'min' | 'max'): string {
  const unknown = nullOf(c);
  switch (c.family) {
    case 'int':
      return v instanceof RawNumber && /^-?\d+$/.test(v.text) ? `TRY_CAST(${quoteString(v.text)} AS ${c.duckType})` : unknown;
    case 'double':
      // Writers skip NaN, which DuckDB orders above every number: a maximum never bounds a double column.
      return side === 'min' && v instanceof RawNumber ? `TRY_CAST(${quoteString(v.text)} AS DOUBLE)` : unknown;
    case 'decimal': {
      const scale = Number(/,(\d+)\)$/.exec(c.duckType)?.[1] ?? '0');
      const m = v instanceof RawNumber ? /^-?\d+(?:\.(\d+))?$/.exec(v.text) : null;
      // Only an exact decimal text is a bound; an exponent form may have been rounded through a double.
      return m !== null && (m[1]?.length ?? 0) <= scale ? `TRY_CAST(${quoteString((v as RawNumber).text)} AS ${c.duckType})` : unknown;
    }
    case 'string':
      return typeof v === 'string' && !v.includes('\u0000') ? quoteString(v) : unknown;
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? `TRY_CAST(${quoteString(v)} AS DATE)` : unknown;
    case 'timestamp':
    case 'timestamptz': {
      const us = typeof v === 'string' ? epochMicros(v) : undefined;
      if (us === undefined) return unknown;
      const widened = side === 'min' ? us - TIMESTAMP_SLACK_US : us + TIMESTAMP_SLACK_US;
      // make_timestamp(µs) is exact and independent of the session time zone; TIMESTAMPTZ goes through
      // to_timestamp(seconds), whose sub-microsecond rounding the millisecond slack absorbs.
      return c.family === 'timestamp'
        ? `make_timestamp(CAST(${widened} AS BIGINT))`
        : `to_timestamp(CAST(${widened} AS DOUBLE) / 1000000)`;
    }
    case 'nullsOnly':
      return unknown;
  }
}

/** Microseconds since the epoch of an ISO timestamp stat (zone-less texts are UTC wall clock, as written for timestamp_ntz). */
export function epochMicros(text: string): bigint | undefined {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  // Date.UTC maps years 0–99 to 1900–1999.
  if (Number(y) < 100) return undefined;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'));
  if (!Number.isFinite(ms)) return undefined;
  let us = BigInt(ms) * 1000n + BigInt((frac ?? '').padEnd(6, '0').slice(0, 6) || '0');
  if (zone !== undefined && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offset = BigInt((Number(z[2]) * 60 + Number(z[3] ?? '0')) * 60_000_000);
    us = z[1] === '+' ? us - offset : us + offset;
  }
  return us;
}

async function defaultCollation(engine: Engine): Promise<string> {
  try {
    const t = await engine.query("SELECT CAST(current_setting('default_collation') AS VARCHAR) AS c");
    return String(t.getChildAt(0)?.get(0) ?? '');
  } catch (e) {
    if (!isDuckrunError(e, 'SQL_QUERY')) throw e;
    return 'unknown';
  }
}
