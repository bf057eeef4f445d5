// Typed readers of the `delta.*` table properties duckrun honours, with Delta's defaults. A malformed
// value is an error naming the table, the property and an accepted form, never a silent default.

import { InvalidOptionError } from '../../errors.js';

type Config = Readonly<Record<string, string>>;

const MS = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;

/** Default `delta.checkpointInterval`. */
export const DEFAULT_CHECKPOINT_INTERVAL = 100;
/** Default `delta.logRetentionDuration`: 30 days. */
export const DEFAULT_LOG_RETENTION_MS = 30 * MS.day;
/** Default `delta.deletedFileRetentionDuration`: 7 days (168 hours). */
export const DEFAULT_DELETED_FILE_RETENTION_MS = 7 * MS.day;

/**
 * Milliseconds of a Spark calendar-interval string as Delta stores durations: `interval 7 days`,
 * `30 days`, `interval 1 week 2 hours`, `168 hours`. Months and years are refused (their length varies).
 */
export function parseInterval(value: string): number | undefined {
  const words = value.trim().toLowerCase().split(/\s+/);
  if (words[0] === 'interval') words.shift();
  if (words.length === 0 || words.length % 2 !== 0) return undefined;
  let total = 0;
  for (let i = 0; i < words.length; i += 2) {
    const n = Number(words[i]);
    const unit = words[i + 1]!.replace(/s$/, '');
    const scale = unit === 'msec' ? MS.millisecond : unit === 'sec' ? MS.second : unit === 'min' ? MS.minute : MS[unit as keyof typeof MS];
    if (!Number.isFinite(n) || scale === undefined) return undefined;
    total += n * scale;
  }
  return total;
}

function durationProperty(table: string, config: Config, key: string, fallback: number): number {
  const raw = config[key];
  if (raw === undefined) return fallback;
  const ms = parseInterval(raw);
  if (ms === undefined || ms < 0) {
    throw new InvalidOptionError(`table ${table} has ${key} = "${raw}", which is not a duration; set it like "interval 7 days" or "168 hours"`);
  }
  return ms;
}

/** `delta.checkpointInterval`: write a checkpoint every this many commits. */
export function checkpointInterval(table: string, config: Config): number {
  const raw = config['delta.checkpointInterval'];
  if (raw === undefined) return DEFAULT_CHECKPOINT_INTERVAL;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidOptionError(`table ${table} has delta.checkpointInterval = "${raw}"; set it to a whole number ≥ 1 (default ${DEFAULT_CHECKPOINT_INTERVAL})`);
  }
  return n;
}

/** `delta.logRetentionDuration` in ms: how long commits stay available for time travel. */
export function logRetentionMs(table: string, config: Config): number {
  return durationProperty(table, config, 'delta.logRetentionDuration', DEFAULT_LOG_RETENTION_MS);
}

/** `delta.deletedFileRetentionDuration` in ms: how long removed data files are kept before vacuum may delete them. */
export function deletedFileRetentionMs(table: string, config: Config): number {
  return durationProperty(table, config, 'delta.deletedFileRetentionDuration', DEFAULT_DELETED_FILE_RETENTION_MS);
}

/** `delta.enableExpiredLogCleanup` (default true). */
export function expiredLogCleanupEnabled(config: Config): boolean {
  return config['delta.enableExpiredLogCleanup'] !== 'false';
}

/** `delta.appendOnly`. */
export function isAppendOnly(config: Config): boolean {
  return config['delta.appendOnly'] === 'true';
}

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** `delta.targetFileSize` in bytes (`134217728`, `128mb`, `1g`), or undefined when unset. */
export function targetFileSizeBytes(table: string, config: Config): number | undefined {
  const raw = config['delta.targetFileSize'];
  if (raw === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const scale = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  const bytes = m && scale !== undefined ? Math.floor(Number(m[1]) * scale) : NaN;
  if (!(bytes > 0)) {
    throw new InvalidOptionError(`table ${table} has delta.targetFileSize = "${raw}", which is not a size; set it like "134217728" or "128mb"`);
  }
  return bytes;
}

/** `delta.dataSkippingNumIndexedCols`: leaf columns that get min/max/nullCount stats (-1 = all; default 32). */
export function dataSkippingNumIndexedCols(table: string, config: Config): number | undefined {
  const raw = config['delta.dataSkippingNumIndexedCols'];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < -1) {
    throw new InvalidOptionError(`table ${table} has delta.dataSkippingNumIndexedCols = "${raw}"; set it to -1 (all columns) or a whole number ≥ 0`);
  }
  return n;
}
