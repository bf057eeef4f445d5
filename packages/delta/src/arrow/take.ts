// Gathers rows of Arrow data by index into new, compact buffers (a "take" kernel), so rows of one
// partition spread through a batch become one batch without pinning the source batch's buffers.

import { RecordBatch, Struct, Type, makeData, type Data, type Dictionary } from 'apache-arrow';
import { nullData } from './fill.js';
import { isFixedWidth } from './fixed-width.js';

/** The rows `indices` of `batch`, copied; undefined when a column type has no take support here. */
export function takeBatch(batch: RecordBatch, indices: Int32Array): RecordBatch | undefined {
  const children: Data[] = [];
  for (const child of batch.data.children) {
    const taken = takeData(child, indices);
    if (taken === undefined) return undefined;
    children.push(taken);
  }
  return new RecordBatch(batch.schema, makeData({ type: new Struct(batch.schema.fields), length: indices.length, nullCount: 0, children }));
}

/** The rows `indices` of `data` (relative to its offset), copied; undefined for unsupported types. */
export function takeData(data: Data, indices: Int32Array): Data | undefined {
  const n = indices.length;
  const { bitmap, nulls } = takeValidity(data, indices);
  const base = { type: data.type, offset: 0, length: n, nullCount: nulls, nullBitmap: bitmap } as const;
  if (isFixedWidth(data.type.typeId)) {
    const src = data.values as unknown as ArrayBufferView & { readonly length: number; readonly BYTES_PER_ELEMENT: number };
    const stride = data.stride || 1;
    const out = new (src.constructor as new (n: number) => typeof src)(n * stride);
    copyRows(src, out, src.BYTES_PER_ELEMENT * stride, indices);
    return data.clone(data.type, 0, n, nulls, [undefined, out, bitmap] as never);
  }
  switch (data.type.typeId) {
    case Type.Null:
      return data.clone(data.type, 0, n, n);
    case Type.Bool: {
      const out = new Uint8Array((n + 7) >> 3);
      const src = data.values as Uint8Array;
      for (let j = 0; j < n; j++) {
        const pos = data.offset + indices[j]!;
        if (src[pos >> 3]! & (1 << (pos & 7))) out[j >> 3]! |= 1 << (j & 7);
      }
      return data.clone(data.type, 0, n, nulls, [undefined, out, bitmap] as never);
    }
    case Type.Utf8:
    case Type.Binary: {
      const offsets = data.valueOffsets as Int32Array;
      const values = data.values as Uint8Array;
      const outOffsets = new Int32Array(n + 1);
      let total = 0;
      for (let j = 0; j < n; j++) {
        const i = indices[j]!;
        total += offsets[i + 1]! - offsets[i]!;
        outOffsets[j + 1] = total;
      }
      const out = new Uint8Array(total);
      for (let j = 0; j < n; j++) {
        const i = indices[j]!;
        const start = offsets[i]!;
        const end = offsets[i + 1]!;
        const at = outOffsets[j]!;
        // Short values byte by byte: cheaper than a subarray view per row.
        if (end - start > 32) out.set(values.subarray(start, end), at);
        else for (let k = start; k < end; k++) out[at + k - start] = values[k]!;
      }
      return makeData({ ...base, valueOffsets: outOffsets, data: out } as never);
    }
    case Type.Struct: {
      const children: Data[] = [];
      for (const c of data.children) {
        const t = takeData(c, indices);
        if (t === undefined) return undefined;
        children.push(t);
      }
      return data.clone(data.type, 0, n, nulls, [undefined, undefined, bitmap] as never, children);
    }
    case Type.List:
    case Type.Map: {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0];
      if (child === undefined) return undefined;
      const outOffsets = new Int32Array(n + 1);
      const childIdx: number[] = [];
      for (let j = 0; j < n; j++) {
        const i = indices[j]!;
        for (let k = offsets[i]!; k < offsets[i + 1]!; k++) childIdx.push(k);
        outOffsets[j + 1] = childIdx.length;
      }
      const taken = takeData(child, Int32Array.from(childIdx));
      if (taken === undefined) return undefined;
      return data.clone(data.type, 0, n, nulls, [outOffsets, undefined, bitmap] as never, [taken]);
    }
    default:
      return undefined;
  }
}

/**
 * Copies rows `indices` of fixed-width `src` into `out`, `width` bytes a row, as 32-, 16- or 8-bit words:
 * element by element through the array's own type would make a BigInt per 64-bit value, and a subarray
 * per row one allocation each (both made partitioned writes GC-bound).
 */
function copyRows(src: ArrayBufferView, out: ArrayBufferView, width: number, indices: Int32Array): void {
  // Words must divide the row and sit aligned in both buffers (a byte array may start at any offset).
  const fits = (u: number): boolean => width % u === 0 && src.byteOffset % u === 0 && out.byteOffset % u === 0;
  const unit = fits(4) ? 4 : fits(2) ? 2 : 1;
  const View = unit === 4 ? Uint32Array : unit === 2 ? Uint16Array : Uint8Array;
  const from = new View(src.buffer as ArrayBuffer, src.byteOffset, src.byteLength / unit);
  const to = new View(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength / unit);
  const words = width / unit;
  if (words === 1) {
    for (let j = 0; j < indices.length; j++) to[j] = from[indices[j]!]!;
  } else if (words === 2) {
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j]! * 2;
      to[2 * j] = from[i]!;
      to[2 * j + 1] = from[i + 1]!;
    }
  } else {
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j]! * words;
      const at = j * words;
      for (let k = 0; k < words; k++) to[at + k] = from[i + k]!;
    }
  }
}

function takeValidity(data: Data, indices: Int32Array): { bitmap: Uint8Array | undefined; nulls: number } {
  if (data.nullCount <= 0 || data.nullBitmap === undefined) return { bitmap: undefined, nulls: 0 };
  const out = new Uint8Array((indices.length + 7) >> 3);
  let nulls = 0;
  for (let j = 0; j < indices.length; j++) {
    if (data.getValid(indices[j]!)) out[j >> 3]! |= 1 << (j & 7);
    else nulls++;
  }
  return nulls === 0 ? { bitmap: undefined, nulls: 0 } : { bitmap: out, nulls };
}

/** A dictionary-encoded column as plain values (so batches with different dictionaries can share a file); undefined if unsupported. */
export function decodeDictionary(data: Data): Data | undefined {
  const chunks = (data.dictionary as { data?: Data[] } | undefined)?.data;
  const dict = chunks?.length === 1 ? chunks[0] : undefined;
  const keys = data.values as ArrayLike<number | bigint> | undefined;
  if (dict === undefined || keys === undefined) return undefined;
  const n = data.length;
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = data.getValid(i) ? Number(keys[i]!) : 0;
  if (dict.length === 0) {
    // Only an all-null column can have an empty dictionary.
    return data.nullCount === n ? nullData((data.type as Dictionary).dictionary, n) : undefined;
  }
  const taken = takeData(dict, indices);
  if (taken === undefined) return undefined;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (data.getValid(i) && taken.getValid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return taken.clone(taken.type, 0, n, nulls, [taken.valueOffsets, taken.values, nulls === 0 ? undefined : bitmap] as never);
}

/** The rows `indices` of `batch`: the batch itself, a slice, a compact copy, or (types without take) slices of runs. */
export function selectRows(batch: RecordBatch, indices: Int32Array | undefined): RecordBatch[] {
  if (indices === undefined) return [batch];
  const first = indices[0] ?? 0;
  const last = indices[indices.length - 1] ?? 0;
  // A slice shares (and keeps alive) the whole batch's buffers: only worth it when it is most of the batch.
  if (last - first + 1 === indices.length && indices.length * 2 >= batch.numRows) return [batch.slice(first, last + 1)];
  const taken = takeBatch(batch, indices);
  if (taken !== undefined) return [taken];
  const runs: RecordBatch[] = [];
  let start = 0;
  for (let j = 1; j <= indices.length; j++) {
    if (j === indices.length || indices[j] !== indices[j - 1]! + 1) {
      runs.push(batch.slice(indices[start]!, indices[j - 1]! + 1));
      start = j;
    }
  }
  return runs;
}
