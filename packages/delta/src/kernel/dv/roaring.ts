// The 64-bit "portable" Roaring bitmap serialization Delta uses for deletion vectors (PROTOCOL.md
// "Deletion Vector Format"; RoaringFormatSpec): decode to sorted row indexes, and encode them back.
import { DeletionVectorError } from '../../errors.js';

/** Cookie of a 32-bit bitmap serialization that has no run containers. */
export const ROARING_COOKIE_NO_RUNS = 12346;
/** Cookie (low 16 bits) of a 32-bit bitmap serialization that may hold run containers. */
export const ROARING_COOKIE_WITH_RUNS = 12347;

/** Array containers hold at most this many values; fuller containers are bitmaps (RoaringFormatSpec). */
const ARRAY_MAX = 4096;
/** With the run cookie, the offset header is written only from this many containers on. */
const NO_OFFSET_THRESHOLD = 4;
const BITMAP_BYTES = 8192;
/** Row indexes are returned as doubles, exact up to 2^53: bucket keys must stay below 2^21. */
const MAX_BUCKET_KEY = 2 ** 21 - 1;

/**
 * Decodes a RoaringBitmapArray in the portable 64-bit format (8-byte LE bucket count, then per bucket a
 * 4-byte LE high key and a standard 32-bit Roaring serialization) into sorted row indexes.
 */
export function decodeRoaringBitmapArray(bytes: Uint8Array): Float64Array {
  const r = new Reader(bytes);
  const countLow = r.u32();
  const countHigh = r.u32();
  if (countHigh !== 0 || countLow > bytes.length) {
    fail(`it claims ${countHigh * 2 ** 32 + countLow} buckets in ${bytes.length} bytes`);
  }
  const containers: Container[] = [];
  let total = 0;
  let previousKey = -1;
  for (let b = 0; b < countLow; b++) {
    const key = r.u32();
    if (key <= previousKey) fail(`bucket keys are not strictly ascending (${key} after ${previousKey})`);
    if (key > MAX_BUCKET_KEY) fail(`bucket key ${key} addresses rows beyond 2^53`);
    previousKey = key;
    total += readBitmap32(r, key * 2 ** 32, containers);
  }
  if (r.pos !== bytes.length) fail(`${bytes.length - r.pos} trailing bytes follow the last bucket`);
  return collect(containers, total);
}

/**
 * Decodes Delta's older "native" RoaringBitmapArray layout (used by PROTOCOL.md's inline example): a
 * big-endian bitmap count, then per bitmap a big-endian byte size and a 32-bit portable Roaring bitmap
 * whose high key is its position. The input starts after the magic number.
 */
export function decodeNativeRoaringBitmapArray(bytes: Uint8Array): Float64Array {
  const r = new Reader(bytes);
  const count = r.u32be();
  if (count > bytes.length) fail(`it claims ${count} bitmaps in ${bytes.length} bytes`);
  if (count > MAX_BUCKET_KEY + 1) fail(`${count} bitmaps address rows beyond 2^53`);
  const containers: Container[] = [];
  let total = 0;
  for (let key = 0; key < count; key++) {
    const size = r.u32be();
    const start = r.pos;
    total += readBitmap32(r, key * 2 ** 32, containers);
    if (r.pos - start !== size) fail(`bitmap ${key} is ${r.pos - start} bytes but its size prefix says ${size}`);
  }
  if (r.pos !== bytes.length) fail(`${bytes.length - r.pos} trailing bytes follow the last bitmap`);
  return collect(containers, total);
}

/**
 * Encodes sorted row indexes (non-negative integers below 2^53; duplicates are dropped) as a portable
 * RoaringBitmapArray, choosing per 16-bit block the smallest of array, bitmap and run containers.
 */
export function encodeRoaringBitmapArray(rows: ArrayLike<number>): Uint8Array {
  const buckets = groupRows(rows);
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, buckets.length, true);
  parts.push(header);
  for (const bucket of buckets) {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, bucket.key, true);
    parts.push(key, encodeBitmap32(bucket.lows));
  }
  return concat(parts);
}

// ---------------------------------------------------------------------------------------------------
// decoding

interface Container {
  fill(out: Float64Array, at: number): number;
}

function collect(containers: readonly Container[], total: number): Float64Array {
  const out = new Float64Array(total);
  let o = 0;
  for (const c of containers) o = c.fill(out, o);
  return out;
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.bytes.length) {
      fail(`it ends after ${this.bytes.length} bytes while ${this.pos + n} are needed`);
    }
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32be(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, false);
    this.pos += 4;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  view32At(pos: number): number {
    return this.view.getUint32(pos, true);
  }
}

/** Reads one 32-bit portable Roaring bitmap; appends its containers and returns its cardinality. */
function readBitmap32(r: Reader, base: number, out: Container[]): number {
  const cookie = r.u32();
  let size: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === ROARING_COOKIE_WITH_RUNS) {
    size = (cookie >>> 16) + 1;
    const flagBytes = Math.ceil(size / 8);
    r.need(flagBytes);
    runFlags = r.bytes.subarray(r.pos, r.pos + flagBytes);
    r.pos += flagBytes;
  } else if (cookie === ROARING_COOKIE_NO_RUNS) {
    size = r.u32();
    if (size > 65536) fail(`a 32-bit bitmap claims ${size} containers (at most 65536)`);
  } else {
    fail(`cookie ${cookie} is neither ${ROARING_COOKIE_NO_RUNS} nor ${ROARING_COOKIE_WITH_RUNS}`);
  }

  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < size; i++) {
    const key = r.u16();
    if (i > 0 && key <= (keys[i - 1] ?? -1)) fail(`container keys are not strictly ascending (${key})`);
    keys.push(key);
    cards.push(r.u16() + 1);
  }
  if (runFlags === undefined || size >= NO_OFFSET_THRESHOLD) {
    // The offset header only helps random access; containers are read in order below.
    r.need(4 * size);
    r.pos += 4 * size;
  }

  let total = 0;
  for (let i = 0; i < size; i++) {
    const high = base + (keys[i] ?? 0) * 65536;
    const card = cards[i] ?? 0;
    const isRun = runFlags !== undefined && (((runFlags[i >>> 3] ?? 0) >>> (i & 7)) & 1) === 1;
    if (isRun) out.push(readRunContainer(r, high, card));
    else if (card <= ARRAY_MAX) out.push(readArrayContainer(r, high, card));
    else out.push(readBitmapContainer(r, high, card));
    total += card;
  }
  return total;
}

function readArrayContainer(r: Reader, high: number, card: number): Container {
  r.need(2 * card);
  const lows = new Uint16Array(card);
  let previous = -1;
  for (let i = 0; i < card; i++) {
    const v = r.u16();
    if (v <= previous) fail(`array container values are not strictly ascending (${v} after ${previous})`);
    lows[i] = v;
    previous = v;
  }
  return {
    fill(out, at) {
      for (let i = 0; i < lows.length; i++) out[at++] = high + (lows[i] ?? 0);
      return at;
    },
  };
}

function readBitmapContainer(r: Reader, high: number, card: number): Container {
  r.need(BITMAP_BYTES);
  const start = r.pos;
  r.pos += BITMAP_BYTES;
  let counted = 0;
  for (let w = 0; w < BITMAP_BYTES / 4; w++) counted += popcount32(r.view32At(start + 4 * w));
  if (counted !== card) fail(`a bitmap container holds ${counted} values but its header says ${card}`);
  return {
    fill(out, at) {
      for (let w = 0; w < BITMAP_BYTES / 4; w++) {
        let word = r.view32At(start + 4 * w);
        while (word !== 0) {
          const bit = 31 - Math.clz32(word & -word);
          out[at++] = high + w * 32 + bit;
          word = (word & (word - 1)) >>> 0;
        }
      }
      return at;
    },
  };
}

function readRunContainer(r: Reader, high: number, card: number): Container {
  const runCount = r.u16();
  r.need(4 * runCount);
  const runs = new Uint32Array(runCount * 2);
  let counted = 0;
  let previousEnd = -1;
  for (let i = 0; i < runCount; i++) {
    const start = r.u16();
    const length = r.u16() + 1;
    if (start <= previousEnd || start + length > 65536) {
      fail(`run ${start}+${length} overlaps the previous run or leaves its 16-bit block`);
    }
    previousEnd = start + length - 1;
    runs[2 * i] = start;
    runs[2 * i + 1] = length;
    counted += length;
  }
  if (counted !== card) fail(`a run container holds ${counted} values but its header says ${card}`);
  return {
    fill(out, at) {
      for (let i = 0; i < runCount; i++) {
        const start = high + (runs[2 * i] ?? 0);
        const length = runs[2 * i + 1] ?? 0;
        for (let k = 0; k < length; k++) out[at++] = start + k;
      }
      return at;
    },
  };
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function fail(problem: string): never {
  throw new DeletionVectorError(`deletion vector bitmap is malformed: ${problem}`);
}

// ---------------------------------------------------------------------------------------------------
// encoding

interface Bucket {
  readonly key: number;
  readonly lows: number[];
}

function groupRows(rows: ArrayLike<number>): Bucket[] {
  const buckets: Bucket[] = [];
  let current: Bucket | undefined;
  let previous = -1;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] ?? Number.NaN;
    if (!Number.isSafeInteger(row) || row < 0) {
      throw new DeletionVectorError(`cannot encode row index ${row} in a deletion vector: row indexes are integers in [0, 2^53)`);
    }
    if (row < previous) {
      throw new DeletionVectorError(`cannot encode a deletion vector from unsorted row indexes (${row} after ${previous}); sort them first`);
    }
    if (row === previous) continue;
    previous = row;
    const key = Math.floor(row / 2 ** 32);
    if (current === undefined || current.key !== key) {
      current = { key, lows: [] };
      buckets.push(current);
    }
    current.lows.push(row - key * 2 ** 32);
  }
  return buckets;
}

type Planned =
  | { readonly kind: 'array'; readonly key: number; readonly values: number[] }
  | { readonly kind: 'bitmap'; readonly key: number; readonly values: number[] }
  | { readonly kind: 'run'; readonly key: number; readonly runs: number[]; readonly card: number };

/** Serializes sorted distinct 32-bit values as one standard portable 32-bit Roaring bitmap. */
function encodeBitmap32(lows: readonly number[]): Uint8Array {
  const containers: Planned[] = [];
  let i = 0;
  while (i < lows.length) {
    const key = Math.floor((lows[i] ?? 0) / 65536);
    const values: number[] = [];
    while (i < lows.length && Math.floor((lows[i] ?? 0) / 65536) === key) values.push((lows[i++] ?? 0) & 0xffff);
    containers.push(planContainer(key, values));
  }
  const size = containers.length;
  const hasRuns = containers.some((c) => c.kind === 'run');
  const withOffsets = !hasRuns || size >= NO_OFFSET_THRESHOLD;

  const headerBytes = (hasRuns ? 4 + Math.ceil(size / 8) : 8) + 4 * size + (withOffsets ? 4 * size : 0);
  const bodyBytes = containers.reduce((n, c) => n + containerBytes(c), 0);
  const out = new Uint8Array(headerBytes + bodyBytes);
  const view = new DataView(out.buffer);
  let pos = 0;
  if (hasRuns) {
    view.setUint32(pos, (ROARING_COOKIE_WITH_RUNS | ((size - 1) << 16)) >>> 0, true);
    pos += 4;
    containers.forEach((c, k) => {
      if (c.kind === 'run') out[pos + (k >>> 3)] = (out[pos + (k >>> 3)] ?? 0) | (1 << (k & 7));
    });
    pos += Math.ceil(size / 8);
  } else {
    view.setUint32(pos, ROARING_COOKIE_NO_RUNS, true);
    view.setUint32(pos + 4, size, true);
    pos += 8;
  }
  for (const c of containers) {
    view.setUint16(pos, c.key, true);
    view.setUint16(pos + 2, (c.kind === 'run' ? c.card : c.values.length) - 1, true);
    pos += 4;
  }
  if (withOffsets) {
    let offset = headerBytes;
    for (const c of containers) {
      view.setUint32(pos, offset, true);
      pos += 4;
      offset += containerBytes(c);
    }
  }
  for (const c of containers) {
    if (c.kind === 'run') {
      view.setUint16(pos, c.runs.length / 2, true);
      pos += 2;
      for (const v of c.runs) {
        view.setUint16(pos, v, true);
        pos += 2;
      }
    } else if (c.kind === 'array') {
      for (const v of c.values) {
        view.setUint16(pos, v, true);
        pos += 2;
      }
    } else {
      for (const v of c.values) out[pos + (v >>> 3)] = (out[pos + (v >>> 3)] ?? 0) | (1 << (v & 7));
      pos += BITMAP_BYTES;
    }
  }
  return out;
}

function planContainer(key: number, values: number[]): Planned {
  const runs: number[] = [];
  let start = values[0] ?? 0;
  let end = start;
  for (let i = 1; i <= values.length; i++) {
    const v = values[i];
    if (v !== undefined && v === end + 1) {
      end = v;
      continue;
    }
    runs.push(start, end - start);
    if (v !== undefined) start = end = v;
  }
  const runSize = 2 + 2 * runs.length;
  const plainSize = values.length <= ARRAY_MAX ? 2 * values.length : BITMAP_BYTES;
  if (runSize < plainSize) return { kind: 'run', key, runs, card: values.length };
  return values.length <= ARRAY_MAX ? { kind: 'array', key, values } : { kind: 'bitmap', key, values };
}

function containerBytes(c: Planned): number {
  if (c.kind === 'run') return 2 + 2 * c.runs.length;
  return c.kind === 'array' ? 2 * c.values.length : BITMAP_BYTES;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
