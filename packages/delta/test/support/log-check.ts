// An independent check of a Delta table we wrote, for proof tests of the writer. It does not use our log
// reader: it lists `_delta_log` with node:fs, parses every commit line by line, replays add/remove itself,
// verifies each data file's size on disk, reads the live files with native DuckDB (`read_parquet`) plus
// the partition values from the log, and compares those rows with what our own reader
// (`DeltaTable.open(dir).snapshot().scan()`) returns. Classic checkpoints are read with DuckDB too and
// must list exactly the live files of their version.
//
// Problems are collected (not thrown) so that tests can assert that damage is detected;
// `assertDeltaTable` throws one error listing them all.

import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch, Vector } from 'apache-arrow';
import { DeltaTable } from '../../src/index.js';

// ---------------------------------------------------------------------------------------------------------
// Delta types, parsed from schemaString on our own (no src imports).

type DeltaType =
  | { kind: 'primitive'; name: string }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'struct'; fields: DeltaField[] }
  | { kind: 'array'; element: DeltaType }
  | { kind: 'map'; key: DeltaType; value: DeltaType };

interface DeltaField {
  name: string;
  /** Name in the parquet files and in partitionValues (column mapping), else the logical name. */
  physical: string;
  type: DeltaType;
}

function parseType(json: unknown): DeltaType {
  if (typeof json === 'string') {
    const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(json);
    if (m) return { kind: 'decimal', precision: Number(m[1]), scale: Number(m[2]) };
    return { kind: 'primitive', name: json };
  }
  const o = json as Record<string, unknown>;
  switch (o.type) {
    case 'struct':
      return { kind: 'struct', fields: (o.fields as unknown[]).map(parseField) };
    case 'array':
      return { kind: 'array', element: parseType(o.elementType) };
    case 'map':
      return { kind: 'map', key: parseType(o.keyType), value: parseType(o.valueType) };
    default:
      throw new Error(`log check: unknown type in schemaString: ${JSON.stringify(json)}`);
  }
}

function parseField(json: unknown): DeltaField {
  const f = json as { name: string; type: unknown; metadata?: Record<string, unknown> };
  const physical = f.metadata?.['delta.columnMapping.physicalName'];
  return { name: f.name, physical: typeof physical === 'string' ? physical : f.name, type: parseType(f.type) };
}

// ---------------------------------------------------------------------------------------------------------
// Canonical values: every engine's value becomes a JSON-able value with one spelling per Delta type.
//   integers → decimal string; float/double → String(number); decimal → "123.45" at the column's scale;
//   date → days since epoch; timestamp(_ntz) → microseconds since epoch (string); binary → hex;
//   struct → object by logical name; array → list; map → list of [key, value] sorted by key.

type Canon = null | string | boolean | Canon[] | { [k: string]: Canon };

const INTEGER_TYPES = new Set(['byte', 'short', 'integer', 'long']);
const DAY_MS = 86_400_000;

function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (neg ? '-' : '') + digits;
}

function rescale(unscaled: bigint, from: number, to: number): bigint {
  if (from === to) return unscaled;
  if (from < to) return unscaled * 10n ** BigInt(to - from);
  const div = 10n ** BigInt(from - to);
  if (unscaled % div !== 0n) throw new Error(`log check: cannot rescale ${unscaled}e-${from} to scale ${to} exactly`);
  return unscaled / div;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

const floatCanon = (n: number): string => (Object.is(n, -0) ? '0' : String(n));

/** A value DuckDB returned (node-api value classes). */
function fromDuck(type: DeltaType, v: unknown): Canon {
  if (v === null || v === undefined) return null;
  const o = v as Record<string, unknown>;
  switch (type.kind) {
    case 'decimal': {
      if (typeof v === 'object' && 'value' in o && 'scale' in o) return formatDecimal(rescale(BigInt(o.value as bigint), o.scale as number, type.scale), type.scale);
      return formatDecimal(rescale(BigInt(v as number), 0, type.scale), type.scale);
    }
    case 'struct': {
      const entries = (o.entries ?? o) as Record<string, unknown>;
      const out: { [k: string]: Canon } = {};
      for (const f of type.fields) out[f.name] = fromDuck(f.type, entries[f.physical]);
      return out;
    }
    case 'array':
      return ((o.items ?? []) as unknown[]).map((x) => fromDuck(type.element, x));
    case 'map':
      return sortMap(((o.entries ?? []) as { key: unknown; value: unknown }[]).map((e) => [fromDuck(type.key, e.key), fromDuck(type.value, e.value)]));
    case 'primitive':
      break;
  }
  const name = type.name;
  if (INTEGER_TYPES.has(name)) return BigInt(v as number | bigint).toString();
  if (name === 'float' || name === 'double') return floatCanon(Number(v));
  if (name === 'boolean') return Boolean(v);
  if (name === 'string') return String(v);
  if (name === 'binary') return hex(o.bytes as Uint8Array);
  if (name === 'date') return String(o.days as number);
  if (name === 'timestamp' || name === 'timestamp_ntz') {
    if ('micros' in o) return String(o.micros);
    if ('millis' in o) return String((o.millis as bigint) * 1000n);
    if ('nanos' in o) return String((o.nanos as bigint) / 1000n);
    if ('seconds' in o) return String((o.seconds as bigint) * 1_000_000n);
  }
  throw new Error(`log check: no canonical form for DuckDB value ${String(v)} of type ${name}`);
}

/** A value our reader returned (an Arrow vector's `get`). */
function fromArrow(type: DeltaType, v: unknown): Canon {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'decimal':
      // apache-arrow 21 returns a BigNum of the unscaled value; the Arrow type carries the column's scale.
      return formatDecimal(BigInt(v as bigint), type.scale);
    case 'struct': {
      const row = v as { toJSON?: () => Record<string, unknown> };
      const obj = (row.toJSON ? row.toJSON() : row) as Record<string, unknown>;
      const out: { [k: string]: Canon } = {};
      for (const f of type.fields) out[f.name] = fromArrow(f.type, obj[f.name]);
      return out;
    }
    case 'array':
      return [...(v as Iterable<unknown>)].map((x) => fromArrow(type.element, x));
    case 'map':
      return sortMap([...(v as Iterable<[unknown, unknown]>)].map(([k, x]) => [fromArrow(type.key, k), fromArrow(type.value, x)]));
    case 'primitive':
      break;
  }
  const name = type.name;
  if (INTEGER_TYPES.has(name)) return BigInt(v as number | bigint).toString();
  if (name === 'float' || name === 'double') return floatCanon(Number(v));
  if (name === 'boolean') return Boolean(v);
  if (name === 'string') return String(v);
  if (name === 'binary') return hex(v as Uint8Array);
  if (name === 'date') {
    const ms = v instanceof Date ? v.getTime() : Number(v);
    return String(Math.floor(ms / DAY_MS));
  }
  if (name === 'timestamp' || name === 'timestamp_ntz') {
    // Nested timestamps only (top-level ones are read raw): Arrow gives fractional milliseconds.
    if (typeof v === 'bigint') return String(v);
    return String(Math.round((v instanceof Date ? v.getTime() : Number(v)) * 1000));
  }
  throw new Error(`log check: no canonical form for Arrow value ${String(v)} of type ${name}`);
}

/** A partition value as serialized in `add.partitionValues` (PROTOCOL.md "Partition Value Serialization"). */
function fromPartitionValue(type: DeltaType, s: string | null | undefined): Canon {
  if (s === null || s === undefined) return null;
  if (type.kind === 'decimal') {
    const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
    if (!m) throw new Error(`log check: bad decimal partition value ${JSON.stringify(s)}`);
    const frac = m[3] ?? '';
    const unscaled = BigInt(`${m[1]}${m[2] || '0'}${frac}`);
    return formatDecimal(rescale(unscaled, frac.length, type.scale), type.scale);
  }
  if (type.kind !== 'primitive') throw new Error(`log check: a ${type.kind} cannot be a partition column`);
  const name = type.name;
  if (name === 'string') return s;
  if (s === '') return null;
  if (INTEGER_TYPES.has(name)) return BigInt(s).toString();
  if (name === 'float') return floatCanon(Math.fround(Number(s)));
  if (name === 'double') return floatCanon(Number(s));
  if (name === 'boolean') {
    if (s !== 'true' && s !== 'false') throw new Error(`log check: bad boolean partition value ${JSON.stringify(s)}`);
    return s === 'true';
  }
  if (name === 'binary') return hex(new TextEncoder().encode(s));
  if (name === 'date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) throw new Error(`log check: bad date partition value ${JSON.stringify(s)}`);
    return String(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
  }
  if (name === 'timestamp' || name === 'timestamp_ntz') {
    const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
    if (!m) throw new Error(`log check: bad timestamp partition value ${JSON.stringify(s)}`);
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    let micros = BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6) || '0');
    const zone = m[8];
    if (zone && zone !== 'Z') {
      const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
      const offsetMicros = BigInt((Number(z[2]) * 60 + Number(z[3])) * 60_000_000);
      micros = z[1] === '+' ? micros - offsetMicros : micros + offsetMicros;
    }
    return String(micros);
  }
  throw new Error(`log check: no canonical form for partition value ${JSON.stringify(s)} of type ${name}`);
}

function sortMap(pairs: [Canon, Canon][]): Canon {
  return pairs.sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1));
}

/** A canonical row as one comparable string (values in schema order). */
export type CanonicalRow = string;

// ---------------------------------------------------------------------------------------------------------
// The log.

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC_CHECKPOINT = /^(\d{20})\.checkpoint\.parquet$/;
const MULTIPART_CHECKPOINT = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const V2_CHECKPOINT = /^(\d{20})\.checkpoint\.[0-9a-fA-F-]+\.(json|parquet)$/;
const CRC = /^(\d{20})\.crc$/;
/** LocalStore's in-flight temp files (`<name>.<uuid>.tmp`); a crash may leave them behind. */
const TEMP_FILE = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

type Json = Record<string, unknown>;

/** A live data file after replay. */
export interface LiveFile {
  /** `add.path` as in the log (URI-encoded). */
  readonly path: string;
  /** Absolute path on disk. */
  readonly file: string;
  readonly size: number;
  readonly partitionValues: Record<string, string | null>;
  readonly numRecords: number | undefined;
  /** The version whose commit added it. */
  readonly addedIn: number;
}

/** What the structural check of `_delta_log` found. */
export interface LogInspection {
  readonly dir: string;
  /** Latest commit version (-1 if there is none). */
  readonly version: number;
  /** Commit versions found, ascending. */
  readonly versions: number[];
  /** Parsed actions of each commit, by version. */
  readonly commits: Map<number, Json[]>;
  readonly protocol: Json | undefined;
  readonly metadata: Json | undefined;
  readonly schema: DeltaField[];
  readonly partitionColumns: string[];
  /** Live files at the latest version, by `add.path`. */
  readonly live: Map<string, LiveFile>;
  /** Live paths at each version that has a classic or multi-part checkpoint. */
  readonly liveAtCheckpoint: Map<number, Set<string>>;
  /** Checkpoint files, by version. */
  readonly checkpoints: Map<number, string[]>;
  /** Every problem found, one sentence each. */
  readonly problems: string[];
}

export interface InspectOptions {
  /** Require `commitInfo.engineInfo` to start with this (default `duckrun/`). */
  readonly engineInfoPrefix?: string;
  /** Tolerate LocalStore temp files (`*.<uuid>.tmp`) in `_delta_log` (default true: a crash can leave them). */
  readonly allowTempFiles?: boolean;
}

/** Checks the structure of `_delta_log` of the table in `dir` and replays it. Never throws on a bad log. */
export async function inspectDeltaLog(dir: string, options: InspectOptions = {}): Promise<LogInspection> {
  const enginePrefix = options.engineInfoPrefix ?? 'duckrun/';
  const problems: string[] = [];
  const logDir = path.join(dir, '_delta_log');
  let names: string[] = [];
  try {
    names = (await readdir(logDir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch (e) {
    problems.push(`cannot list ${logDir}: ${(e as Error).message}`);
  }

  const versions: number[] = [];
  const checkpoints = new Map<number, string[]>();
  let lastCheckpoint: string | undefined;
  for (const name of names.sort()) {
    let m: RegExpExecArray | null;
    if ((m = COMMIT.exec(name))) versions.push(Number(m[1]));
    else if ((m = CLASSIC_CHECKPOINT.exec(name) ?? MULTIPART_CHECKPOINT.exec(name) ?? V2_CHECKPOINT.exec(name))) {
      const v = Number(m[1]);
      checkpoints.set(v, [...(checkpoints.get(v) ?? []), name]);
    } else if (name === '_last_checkpoint') lastCheckpoint = name;
    else if (CRC.test(name)) continue;
    else if (TEMP_FILE.test(name) && options.allowTempFiles !== false) continue;
    else problems.push(`unexpected file in _delta_log: ${name}`);
  }
  versions.sort((a, b) => a - b);
  versions.forEach((v, i) => {
    if (v !== i) problems.push(`commit versions are not contiguous from 0: position ${i} holds version ${v} (versions ${summarize(versions)})`);
  });
  if (versions.length === 0) problems.push('no commit files in _delta_log');

  const commits = new Map<number, Json[]>();
  const live = new Map<string, LiveFile>();
  const liveAtCheckpoint = new Map<number, Set<string>>();
  let protocol: Json | undefined;
  let metadata: Json | undefined;
  let schema: DeltaField[] = [];
  let partitionColumns: string[] = [];
  const sizeChecks: Promise<void>[] = [];

  for (const version of versions) {
    const where = `commit ${version}`;
    const text = await readFile(path.join(logDir, `${String(version).padStart(20, '0')}.json`), 'utf8');
    if (!text.endsWith('\n')) problems.push(`${where} does not end with a newline (torn or not ours)`);
    const actions: Json[] = [];
    text.split('\n').forEach((line, i) => {
      if (line === '') return;
      try {
        const obj = JSON.parse(line) as unknown;
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || Object.keys(obj).length !== 1) {
          problems.push(`${where} line ${i + 1} is not an object with exactly one action: ${line.slice(0, 120)}`);
          return;
        }
        actions.push(obj as Json);
      } catch (e) {
        problems.push(`${where} line ${i + 1} is not valid JSON (${(e as Error).message}): ${line.slice(0, 120)}`);
      }
    });
    commits.set(version, actions);

    const infos = actions.filter((a) => 'commitInfo' in a).map((a) => a.commitInfo as Json);
    if (infos.length !== 1) problems.push(`${where} has ${infos.length} commitInfo actions, expected 1`);
    for (const ci of infos) {
      if (typeof ci.timestamp !== 'number') problems.push(`${where} commitInfo.timestamp is not a number`);
      if (typeof ci.operation !== 'string' || ci.operation === '') problems.push(`${where} commitInfo.operation is missing`);
      if (typeof ci.operationParameters !== 'object' || ci.operationParameters === null) problems.push(`${where} commitInfo.operationParameters is missing`);
      if (typeof ci.engineInfo !== 'string' || !ci.engineInfo.startsWith(enginePrefix)) {
        problems.push(`${where} commitInfo.engineInfo is ${JSON.stringify(ci.engineInfo)}, expected it to start with ${JSON.stringify(enginePrefix)}`);
      }
    }

    for (const a of actions) {
      if ('protocol' in a) protocol = a.protocol as Json;
      if ('metaData' in a) {
        metadata = a.metaData as Json;
        try {
          const s = parseType(JSON.parse(String(metadata.schemaString)));
          if (s.kind !== 'struct') throw new Error('not a struct');
          schema = s.fields;
        } catch (e) {
          problems.push(`${where} metaData.schemaString is unusable: ${(e as Error).message}`);
        }
        partitionColumns = Array.isArray(metadata.partitionColumns) ? (metadata.partitionColumns as string[]) : [];
        if (!Array.isArray(metadata.partitionColumns)) problems.push(`${where} metaData.partitionColumns is not an array`);
        if (typeof metadata.id !== 'string') problems.push(`${where} metaData.id is missing`);
      }
    }
    if (version === 0) {
      if (!actions.some((a) => 'protocol' in a)) problems.push('commit 0 has no protocol action');
      if (!actions.some((a) => 'metaData' in a)) problems.push('commit 0 has no metaData action');
    }

    const partitionPhysical = partitionColumns.map((c) => schema.find((f) => f.name === c)?.physical ?? c);
    for (const a of actions) {
      if ('remove' in a) {
        const r = a.remove as Json;
        if (typeof r.path !== 'string') problems.push(`${where} remove without a path`);
        if (typeof r.dataChange !== 'boolean') problems.push(`${where} remove ${String(r.path)} has no dataChange`);
        if (typeof r.deletionTimestamp !== 'number') problems.push(`${where} remove ${String(r.path)} has no deletionTimestamp`);
        if (typeof r.path === 'string' && !live.delete(r.path)) problems.push(`${where} removes ${r.path}, which is not live`);
      }
    }
    for (const a of actions) {
      if (!('add' in a)) continue;
      const add = a.add as Json;
      const p = add.path;
      const label = `${where} add ${String(p)}`;
      if (typeof p !== 'string' || p === '') {
        problems.push(`${where} add without a path`);
        continue;
      }
      if (typeof add.size !== 'number' || !Number.isInteger(add.size) || add.size < 0) problems.push(`${label}: size ${String(add.size)} is not a byte count`);
      if (typeof add.modificationTime !== 'number') problems.push(`${label}: modificationTime is missing`);
      if (typeof add.dataChange !== 'boolean') problems.push(`${label}: dataChange is missing`);
      if ('deletionVector' in add && add.deletionVector != null) problems.push(`${label}: has a deletion vector, which this check cannot apply`);
      const pv = add.partitionValues as Record<string, string | null> | undefined;
      if (typeof pv !== 'object' || pv === null) problems.push(`${label}: partitionValues is missing`);
      else if (JSON.stringify(Object.keys(pv).sort()) !== JSON.stringify([...partitionPhysical].sort())) {
        problems.push(`${label}: partitionValues keys ${JSON.stringify(Object.keys(pv))} are not the partition columns ${JSON.stringify(partitionPhysical)}`);
      }
      let numRecords: number | undefined;
      if (typeof add.stats !== 'string') problems.push(`${label}: stats is missing`);
      else {
        try {
          const stats = JSON.parse(add.stats) as Json;
          if (typeof stats.numRecords !== 'number' || !Number.isInteger(stats.numRecords)) problems.push(`${label}: stats has no numRecords`);
          else numRecords = stats.numRecords;
        } catch {
          problems.push(`${label}: stats is not JSON`);
        }
      }
      let rel: string | undefined;
      if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/')) problems.push(`${label}: path is absolute; our writer writes relative paths`);
      else if (/ |%(?![0-9A-Fa-f]{2})/.test(p)) problems.push(`${label}: path is not URI-encoded (raw space or '%')`);
      else {
        try {
          rel = decodeURIComponent(p);
        } catch {
          problems.push(`${label}: path is not a valid URI-encoded path`);
        }
      }
      if (live.has(p)) problems.push(`${label}: the path is already live (added in ${live.get(p)!.addedIn} and never removed)`);
      const file = path.join(dir, rel ?? p);
      live.set(p, { path: p, file, size: add.size as number, partitionValues: pv ?? {}, numRecords, addedIn: version });
      // The file must exist with the logged size while it is live; a file removed later may be gone (vacuum).
      sizeChecks.push(
        stat(file).then(
          (st) => {
            if (st.size !== add.size) problems.push(`${label}: size in the log is ${String(add.size)} but the file on disk has ${st.size} bytes`);
          },
          () => undefined,
        ),
      );
    }
    if (checkpoints.has(version)) liveAtCheckpoint.set(version, new Set(live.keys()));
  }
  await Promise.all(sizeChecks);
  for (const f of live.values()) {
    try {
      await stat(f.file);
    } catch {
      problems.push(`live file ${f.path} (added in ${f.addedIn}) does not exist at ${f.file}`);
    }
  }
  if (versions.length > 0 && (protocol === undefined || metadata === undefined)) problems.push('the log has no protocol/metaData');

  if (lastCheckpoint !== undefined) {
    try {
      const lc = JSON.parse(await readFile(path.join(logDir, lastCheckpoint), 'utf8')) as Json;
      const v = lc.version as number;
      if (!Number.isInteger(v)) problems.push('_last_checkpoint has no version');
      else {
        if (!checkpoints.has(v)) problems.push(`_last_checkpoint names version ${v}, which has no checkpoint file`);
        if (v > versions.at(-1)!) problems.push(`_last_checkpoint names version ${v}, beyond the latest commit ${versions.at(-1)}`);
      }
    } catch (e) {
      problems.push(`_last_checkpoint is not valid JSON: ${(e as Error).message}`);
    }
  }
  for (const v of checkpoints.keys()) if (v > (versions.at(-1) ?? -1)) problems.push(`checkpoint at version ${v} is beyond the latest commit`);

  return {
    dir,
    version: versions.at(-1) ?? -1,
    versions,
    commits,
    protocol,
    metadata,
    schema,
    partitionColumns,
    live,
    liveAtCheckpoint,
    checkpoints,
    problems,
  };
}

function summarize(vs: number[]): string {
  return vs.length <= 12 ? vs.join(',') : `${vs.slice(0, 5).join(',')},…,${vs.slice(-5).join(',')}`;
}

// ---------------------------------------------------------------------------------------------------------
// DuckDB.

let duck: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | undefined;

async function duckdb(): Promise<DuckDBConnection> {
  duck ??= (async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return { instance, connection: await instance.connect() };
  })();
  return (await duck).connection;
}

/** Closes the shared DuckDB instance (call from `afterAll`). */
export async function closeDuckDB(): Promise<void> {
  if (!duck) return;
  const { instance, connection } = await duck;
  duck = undefined;
  connection.closeSync();
  instance.closeSync();
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const sqlIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** Rows of the live files, read with DuckDB, joined with their partition values from the log. */
export async function duckdbRows(inspection: LogInspection): Promise<{ rows: CanonicalRow[]; perFile: Map<string, number> }> {
  const files = [...inspection.live.values()];
  const perFile = new Map<string, number>();
  if (files.length === 0) return { rows: [], perFile };
  const partition = new Set(inspection.partitionColumns);
  const dataFields = inspection.schema.filter((f) => !partition.has(f.name));
  const byFile = new Map(files.map((f) => [path.resolve(f.file), f]));
  const conn = await duckdb();
  const list = `[${files.map((f) => sqlString(path.resolve(f.file))).join(', ')}]`;
  const source = `read_parquet(${list}, hive_partitioning = false, union_by_name = true, filename = true)`;
  // Columns a file lacks (added by schema evolution after it was written) are null; union_by_name only has
  // the columns some file has, so ask DuckDB which exist.
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const present = new Set(described.getRowObjects().map((r) => String(r.column_name)));
  const cols = dataFields.filter((f) => present.has(f.physical));
  const select = [...cols.map((f) => sqlIdent(f.physical)), 'filename'].join(', ');
  const result = await conn.runAndReadAll(`SELECT ${select} FROM ${source}`);
  const rows: CanonicalRow[] = [];
  for (const r of result.getRowObjects()) {
    const file = byFile.get(path.resolve(String(r.filename)));
    if (!file) throw new Error(`log check: DuckDB returned a row of an unknown file ${String(r.filename)}`);
    perFile.set(file.path, (perFile.get(file.path) ?? 0) + 1);
    const values = inspection.schema.map((f) =>
      partition.has(f.name) ? fromPartitionValue(f.type, file.partitionValues[f.physical]) : fromDuck(f.type, present.has(f.physical) ? r[f.physical] : null),
    );
    rows.push(JSON.stringify(values));
  }
  return { rows: rows.sort(), perFile };
}

/** Rows our own reader returns for the latest snapshot, canonicalized against the log's schema. */
export async function readerRows(dir: string, schema: DeltaField[]): Promise<{ version: number; rows: CanonicalRow[] }> {
  const snapshot = await (await DeltaTable.open(dir)).snapshot();
  const rows: CanonicalRow[] = [];
  for await (const batch of snapshot.scan()) rows.push(...canonicalBatch(batch, schema));
  return { version: snapshot.version, rows: rows.sort() };
}

function canonicalBatch(batch: RecordBatch, schema: DeltaField[]): CanonicalRow[] {
  const columns = schema.map((f) => {
    const vector = batch.getChild(f.name) as Vector | null;
    if (!vector) throw new Error(`log check: our reader returned no column ${f.name} (has ${batch.schema.fields.map((x) => x.name).join(', ')})`);
    // Top-level timestamps are read raw (Arrow's getter rounds through fractional milliseconds).
    if (f.type.kind === 'primitive' && (f.type.name === 'timestamp' || f.type.name === 'timestamp_ntz')) {
      const unit = (vector.type as { unit?: number }).unit; // 0 s, 1 ms, 2 us, 3 ns
      const factor = [1_000_000n, 1000n, 1n, 1n][unit ?? 2]!;
      return (i: number): Canon => {
        if (!vector.isValid(i)) return null;
        let raw: bigint | undefined;
        let offset = i;
        for (const d of vector.data) {
          if (offset < d.length) {
            raw = BigInt((d.values as BigInt64Array)[d.offset + offset]!);
            break;
          }
          offset -= d.length;
        }
        return String(unit === 3 ? raw! / 1000n : raw! * factor);
      };
    }
    return (i: number): Canon => fromArrow(f.type, vector.get(i));
  });
  const out: CanonicalRow[] = [];
  for (let i = 0; i < batch.numRows; i++) out.push(JSON.stringify(columns.map((c) => c(i))));
  return out;
}

/** Live add paths of each classic/multi-part checkpoint, read with DuckDB. */
async function checkpointProblems(inspection: LogInspection): Promise<string[]> {
  const problems: string[] = [];
  const conn = await duckdb();
  const logDir = path.join(inspection.dir, '_delta_log');
  for (const [version, names] of inspection.checkpoints) {
    const parts = names.filter((n) => CLASSIC_CHECKPOINT.test(n) || MULTIPART_CHECKPOINT.test(n));
    if (parts.length === 0) continue; // v2 checkpoints: out of scope here.
    const classic = parts.find((n) => CLASSIC_CHECKPOINT.test(n));
    const use = classic ? [classic] : parts;
    if (!classic) {
      const total = Number(MULTIPART_CHECKPOINT.exec(parts[0]!)![3]);
      if (parts.length !== total) continue; // an incomplete multi-part checkpoint is ignored by readers
    }
    const list = `[${use.map((n) => sqlString(path.join(logDir, n))).join(', ')}]`;
    try {
      const r = await conn.runAndReadAll(
        `SELECT count(*) FILTER (WHERE protocol IS NOT NULL) AS p, count(*) FILTER (WHERE "metaData" IS NOT NULL) AS m, ` +
          `list("add".path) FILTER (WHERE "add" IS NOT NULL) AS adds FROM read_parquet(${list}, union_by_name = true)`,
      );
      const row = r.getRowObjects()[0]!;
      if (Number(row.p) !== 1 || Number(row.m) !== 1) problems.push(`checkpoint ${version} has ${String(row.p)} protocol and ${String(row.m)} metaData rows, expected 1 each`);
      const adds = new Set(((row.adds as { items?: unknown[] } | null)?.items ?? []).map(String));
      const expected = inspection.liveAtCheckpoint.get(version) ?? new Set<string>();
      const missing = [...expected].filter((p) => !adds.has(p));
      const extra = [...adds].filter((p) => !expected.has(p));
      if (missing.length > 0 || extra.length > 0) {
        problems.push(`checkpoint ${version} lists other files than the replayed log: missing ${JSON.stringify(missing.slice(0, 5))}, extra ${JSON.stringify(extra.slice(0, 5))}`);
      }
    } catch (e) {
      problems.push(`checkpoint ${version} (${use.join(', ')}) cannot be read by DuckDB: ${(e as Error).message}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// The whole check.

/** Result of {@link checkDeltaTable}. */
export interface TableCheck extends LogInspection {
  /** Canonical rows DuckDB read from the live files (sorted). */
  readonly rows: CanonicalRow[];
  /** Version our reader loaded. */
  readonly readerVersion: number | undefined;
}

/** Differences between two sorted canonical row lists, as problem sentences (at most a few rows each). */
export function diffRows(label: [string, string], a: readonly CanonicalRow[], b: readonly CanonicalRow[]): string[] {
  const counts = new Map<string, number>();
  for (const r of a) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const r of b) counts.set(r, (counts.get(r) ?? 0) - 1);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const [r, n] of counts) {
    for (let i = 0; i < n; i++) onlyA.push(r);
    for (let i = 0; i < -n; i++) onlyB.push(r);
  }
  const problems: string[] = [];
  if (a.length !== b.length) problems.push(`${label[0]} has ${a.length} rows, ${label[1]} has ${b.length}`);
  if (onlyA.length > 0) problems.push(`${onlyA.length} rows only in ${label[0]}, e.g. ${onlyA.slice(0, 3).join(' ')}`);
  if (onlyB.length > 0) problems.push(`${onlyB.length} rows only in ${label[1]}, e.g. ${onlyB.slice(0, 3).join(' ')}`);
  return problems;
}

/**
 * The full independent check of the table in `dir`: log structure, file sizes, numRecords vs the rows
 * DuckDB reads, checkpoints vs replay, and DuckDB's rows vs our reader's rows at the latest version.
 */
export async function checkDeltaTable(dir: string, options: InspectOptions = {}): Promise<TableCheck> {
  const inspection = await inspectDeltaLog(dir, options);
  const problems = [...inspection.problems];
  let rows: CanonicalRow[] = [];
  let readerVersion: number | undefined;
  if (inspection.metadata !== undefined) {
    try {
      const duckRead = await duckdbRows(inspection);
      rows = duckRead.rows;
      for (const f of inspection.live.values()) {
        const n = duckRead.perFile.get(f.path) ?? 0;
        if (f.numRecords !== undefined && n !== f.numRecords) problems.push(`add ${f.path}: stats.numRecords is ${f.numRecords} but DuckDB reads ${n} rows`);
      }
    } catch (e) {
      problems.push(`DuckDB cannot read the live files: ${(e as Error).message}`);
    }
    problems.push(...(await checkpointProblems(inspection)));
    try {
      const ours = await readerRows(dir, inspection.schema);
      readerVersion = ours.version;
      if (ours.version !== inspection.version) problems.push(`our reader loaded version ${ours.version}, the log's latest is ${inspection.version}`);
      problems.push(...diffRows(['DuckDB', 'our reader'], rows, ours.rows));
    } catch (e) {
      problems.push(`our reader failed: ${(e as Error).message}`);
    }
  }
  return { ...inspection, problems, rows, readerVersion };
}

/** {@link checkDeltaTable}, throwing one error that lists every problem. */
export async function assertDeltaTable(dir: string, options: InspectOptions = {}): Promise<TableCheck> {
  const check = await checkDeltaTable(dir, options);
  if (check.problems.length > 0) {
    throw new Error(`Delta table ${dir} (version ${check.version}) failed the log check:\n  - ${check.problems.join('\n  - ')}`);
  }
  return check;
}

/** Parses a canonical row back into its values (for assertions on specific columns). */
export function rowValues(row: CanonicalRow): Canon[] {
  return JSON.parse(row) as Canon[];
}

/** The canonical value of column `name` in every row, using the check's schema order. */
export function columnValues(check: Pick<TableCheck, 'schema' | 'rows'>, name: string): Canon[] {
  const i = check.schema.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`log check: no column ${name}`);
  return check.rows.map((r) => rowValues(r)[i]!);
}
