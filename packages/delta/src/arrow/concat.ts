// Concatenates record batches of one schema into one batch with fresh buffers. Parquet encoders pay a cost
// per batch and column (parquet-wasm encodes 2,048-row batches, DuckDB's chunk size, 1.6x slower than
// 64k-row ones), so small batches are joined before they are encoded.

import { RecordBatch, Struct, Type, makeData, type Data } from 'apache-arrow';
import { isFixedWidth } from './fixed-width.js';

/** One batch holding the rows of `batches` in order; undefined when a column type is not supported here. */
export function concatBatches(batches: readonly RecordBatch[]): RecordBatch | undefined {
  if (batches.length === 0) return undefined;
  if (batches.length === 1) return batches[0];
  const schema = batches[0]!.schema;
  const children: Data[] = [];
  for (let c = 0; c < schema.fields.length; c++) {
    const joined = concatData(batches.map((b) => b.data.children[c]!));
    if (joined === undefined) return undefined;
    children.push(joined);
  }
  const length = batches.reduce((n, b) => n + b.numRows, 0);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/** `parts` (of one type) end to end, copied; undefined for types not handled here (dictionaries, unions, large offsets). */
export function concatData(parts: readonly Data[]): Data | undefined {
  const type = parts[0]!.type;
  const length = parts.reduce((n, p) => n + p.length, 0);
  const { bitmap, nulls } = concatValidity(parts, length);
  if (isFixedWidth(type.typeId)) {
    // apache-arrow slices fixed-width value buffers with the data, so each part's values start at row 0.
    const stride = parts[0]!.stride || 1;
    const first = parts[0]!.values as unknown as { constructor: new (n: number) => { set(a: unknown, o: number): void } };
    const out = new first.constructor(length * stride);
    let at = 0;
    for (const p of parts) {
      out.set((p.values as unknown as { subarray(a: number, b: number): unknown }).subarray(0, p.length * stride), at);
      at += p.length * stride;
    }
    return parts[0]!.clone(type, 0, length, nulls, [undefined, out, bitmap] as never);
  }
  switch (type.typeId) {
    case Type.Null:
      return parts[0]!.clone(type, 0, length, length);
    case Type.Bool: {
      const out = new Uint8Array((length + 7) >> 3);
      copyBits(parts, out, (p) => p.values as Uint8Array);
      return parts[0]!.clone(type, 0, length, nulls, [undefined, out, bitmap] as never);
    }
    case Type.Utf8:
    case Type.Binary: {
      if (!(parts[0]!.valueOffsets instanceof Int32Array)) return undefined;
      const offsets = new Int32Array(length + 1);
      const bytes = parts.reduce((n, p) => n + (p.valueOffsets[p.length]! as number) - (p.valueOffsets[0]! as number), 0);
      const values = new Uint8Array(bytes);
      let row = 0;
      let at = 0;
      for (const p of parts) {
        const src = p.valueOffsets as Int32Array;
        const start = src[0]!;
        for (let i = 1; i <= p.length; i++) offsets[row + i] = at + src[i]! - start;
        values.set((p.values as Uint8Array).subarray(start, src[p.length]!), at);
        at += src[p.length]! - start;
        row += p.length;
      }
      return parts[0]!.clone(type, 0, length, nulls, [offsets, values, bitmap] as never);
    }
    case Type.Struct: {
      const children: Data[] = [];
      for (let c = 0; c < type.children.length; c++) {
        const joined = concatData(parts.map((p) => p.children[c]!));
        if (joined === undefined) return undefined;
        children.push(joined);
      }
      return makeData({ type, length, nullCount: nulls, nullBitmap: bitmap, children } as never);
    }
    case Type.List:
    case Type.Map: {
      if (!(parts[0]!.valueOffsets instanceof Int32Array)) return undefined;
      const offsets = new Int32Array(length + 1);
      const childParts: Data[] = [];
      let row = 0;
      let at = 0;
      for (const p of parts) {
        const src = p.valueOffsets as Int32Array;
        const start = src[0]!;
        const end = src[p.length]!;
        for (let i = 1; i <= p.length; i++) offsets[row + i] = at + src[i]! - start;
        childParts.push(p.children[0]!.slice(start, end - start));
        at += end - start;
        row += p.length;
      }
      const child = concatData(childParts);
      if (child === undefined) return undefined;
      return makeData({ type, length, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, child } as never);
    }
    default:
      return undefined;
  }
}

function concatValidity(parts: readonly Data[], length: number): { bitmap: Uint8Array | undefined; nulls: number } {
  const nulls = parts.reduce((n, p) => n + p.nullCount, 0);
  if (nulls === 0 || parts[0]!.type.typeId === Type.Null) return { bitmap: undefined, nulls };
  const out = new Uint8Array((length + 7) >> 3);
  copyBits(parts, out, (p) => (p.nullCount > 0 ? p.nullBitmap : undefined));
  return { bitmap: out, nulls };
}

/** Copies each part's bits (from its offset; all set when `bits` gives none) into `out`, end to end. */
function copyBits(parts: readonly Data[], out: Uint8Array, bits: (p: Data) => Uint8Array | undefined): void {
  let row = 0;
  for (const p of parts) {
    const src = bits(p);
    for (let i = 0; i < p.length; i++, row++) {
      const pos = p.offset + i;
      if (src === undefined || src[pos >> 3]! & (1 << (pos & 7))) out[row >> 3]! |= 1 << (row & 7);
    }
  }
}
