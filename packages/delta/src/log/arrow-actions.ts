// Checkpoint rows (Arrow, one struct column per action kind) → plain Action objects.
// Values are read straight from each batch's buffers by per-column reader closures built once per batch:
// apache-arrow's row objects (`vector.get(i)` + `toJSON`) cost ~35 µs a checkpoint row, these ~2 µs.

import { Type, Vector, makeVector, type Data, type Float, type Int, type Table } from 'apache-arrow';
import type { Action, AddFile } from '../kernel/actions/types.js';
import { toAction } from '../kernel/actions/parse.js';

const ACTION_COLUMNS = ['add', 'remove', 'metaData', 'protocol', 'txn', 'domainMetadata', 'sidecar', 'checkpointMetadata'] as const;

/** The action columns present in a checkpoint schema. */
export function actionColumns(names: readonly string[]): string[] {
  return ACTION_COLUMNS.filter((c) => names.includes(c));
}

/** Converts the rows of a checkpoint (or sidecar) table into actions, in row order. */
export function actionsFromArrow(table: Table, file: string): Action[] {
  const out: Action[] = [];
  const names = ACTION_COLUMNS.filter((name) => table.getChild(name) !== null);
  for (const batch of table.batches) {
    const columns: { name: string; data: Data; read: Read }[] = [];
    for (const name of names) {
      const data = batch.getChild(name)?.data[0];
      if (data) columns.push({ name, data, read: name === 'add' ? addReader(data) : reader(data) });
    }
    for (let i = 0; i < batch.numRows; i++) {
      for (const c of columns) {
        if (!isValid(c.data, i)) continue;
        const body = c.read(i) as Record<string, unknown>;
        if (c.name === 'add' && typeof body.path === 'string') {
          // What toAction does for a valid add, without copying a million objects once more.
          body.partitionValues ??= {};
          out.push({ add: body as unknown as AddFile });
          break;
        }
        const action = toAction({ [c.name]: body }, file);
        if (action) out.push(action);
        break;
      }
    }
  }
  return out;
}

/** Arrow JS values (rows, maps, lists, bigints) → JSON-like plain values. */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Vector) return Array.from(value as Iterable<unknown>, toPlain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlain(v)]));
  const json = (value as { toJSON?: () => unknown }).toJSON;
  const obj = typeof json === 'function' ? (json.call(value) as Record<string, unknown>) : (value as Record<string, unknown>);
  if (Array.isArray(obj)) return obj.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = toPlain(v);
  return out;
}

/** Reads the plain value of row `i` of one column (null when the row is null). */
type Read = (i: number) => unknown;

/**
 * The `add` reader: like a struct reader, but `stats_parsed` and `partitionValues_parsed` are not copied
 * into the action; `stats_parsed` becomes `statsParsed` when the JSON `stats` is absent.
 */
function addReader(data: Data): Read {
  const names = data.type.children.map((f: { name: string }) => f.name) as string[];
  const keep: [string, Read][] = [];
  let parsed: Read | undefined;
  names.forEach((name, k) => {
    const child = data.children[k]!;
    if (name === 'stats_parsed') parsed = reader(child);
    else if (name !== 'partitionValues_parsed') keep.push([name, reader(child)]);
  });
  return (i) => {
    const add: Record<string, unknown> = {};
    for (const [name, read] of keep) add[name] = read(i);
    if (parsed && (add.stats === null || add.stats === undefined)) {
      const value = parsed(i);
      if (value) add.statsParsed = value;
    }
    return add;
  };
}

function reader(data: Data): Read {
  const read = valueReader(data);
  if (!hasNulls(data)) return read;
  return (i) => (isValid(data, i) ? read(i) : null);
}

function valueReader(data: Data): Read {
  const type = data.type;
  switch (type.typeId) {
    case Type.Utf8:
      return utf8Reader(data);
    case Type.Int: {
      const int = type as Int;
      const values = data.values as ArrayLike<number | bigint>;
      if (int.bitWidth < 64) return (i) => values[i];
      // Two 32-bit halves: exact for every safe integer and rounded like Number(bigint) beyond.
      const words = new Int32Array(data.values.buffer, data.values.byteOffset, data.values.length * 2);
      if (int.isSigned) return (i) => words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
      return (i) => (words[2 * i + 1]! >>> 0) * 4294967296 + (words[2 * i]! >>> 0);
    }
    case Type.Float: {
      if ((type as Float).precision === 0) break; // half floats: let apache-arrow convert them
      const values = data.values as Float32Array | Float64Array;
      return (i) => values[i];
    }
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      const offset = data.offset;
      return (i) => ((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 1;
    }
    case Type.Binary: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (i) => bytes.subarray(offsets[i]!, offsets[i + 1]!);
    }
    case Type.Struct: {
      const fields = (type.children as { name: string }[]).map((f, k) => [f.name, reader(data.children[k]!)] as const);
      return (i) => {
        const obj: Record<string, unknown> = {};
        for (const [name, read] of fields) obj[name] = read(i);
        return obj;
      };
    }
    case Type.Map: {
      const offsets = data.valueOffsets as Int32Array;
      const entries = data.children[0]!;
      // Map keys and values (partition values, tags, configuration) repeat from row to row: share them.
      const key = interned(reader(entries.children[0]!));
      const value = interned(reader(entries.children[1]!));
      return (i) => {
        const obj: Record<string, unknown> = {};
        for (let e = offsets[i]!, end = offsets[i + 1]!; e < end; e++) obj[String(key(e))] = value(e);
        return obj;
      };
    }
    case Type.List: {
      const offsets = data.valueOffsets as Int32Array;
      const element = reader(data.children[0]!);
      return (i) => {
        const out: unknown[] = [];
        for (let e = offsets[i]!, end = offsets[i + 1]!; e < end; e++) out.push(element(e));
        return out;
      };
    }
  }
  // Everything else (dates, timestamps, decimals, large or view types, dictionaries) goes through
  // apache-arrow's own getters, exactly as before.
  const vector = makeVector(data);
  return (i) => toPlain(vector.get(i));
}

/** Returns one shared instance per distinct short string value, so repeated values are kept once. */
function interned(read: Read): Read {
  const seen = new Map<string, string>();
  return (i) => {
    const v = read(i);
    if (typeof v !== 'string' || v.length > 64) return v;
    const known = seen.get(v);
    if (known !== undefined) return known;
    if (seen.size < 100_000) seen.set(v, v);
    return v;
  };
}

const DECODER = new TextDecoder();
// Above this, a column's text is decoded string by string rather than as one string.
const WHOLE_COLUMN_LIMIT = 64 * 1024 * 1024;

function utf8Reader(data: Data): Read {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const start = offsets[0] ?? 0;
  const end = offsets[data.length] ?? start;
  if (end - start <= WHOLE_COLUMN_LIMIT) {
    // Decode the column once; when it is all single-byte characters (decoded length equals byte
    // length), byte offsets are string offsets and every value is a slice of that one string.
    const text = DECODER.decode(bytes.subarray(start, end));
    if (text.length === end - start) return (i) => text.slice(offsets[i]! - start, offsets[i + 1]! - start);
  }
  return (i) => DECODER.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
}

function hasNulls(data: Data): boolean {
  return data.typeId === Type.Null || (data.nullCount !== 0 && data.nullBitmap !== undefined && data.nullBitmap.length > 0);
}

function isValid(data: Data, i: number): boolean {
  if (data.typeId === Type.Null) return false;
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return true;
  const at = data.offset + i;
  return ((bitmap[at >> 3]! >> (at & 7)) & 1) === 1;
}
