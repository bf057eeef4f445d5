// Estimates the in-memory Arrow bytes of a (possibly sliced) column, to roll data files at a target size.

import { Type, type Data, type RecordBatch } from 'apache-arrow';

/** Approximate bytes the rows of `data` occupy (values, offsets and validity; dictionaries not counted). */
export function estimateDataBytes(data: Data): number {
  const len = data.length;
  if (len === 0) return 0;
  const validity = data.nullCount > 0 ? Math.ceil(len / 8) : 0;
  const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
  switch (data.type.typeId) {
    case Type.Null:
      return 0;
    case Type.Bool:
      return validity + Math.ceil(len / 8);
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      if (offsets === undefined) return validity;
      const width = data.type.typeId === Type.Utf8 || data.type.typeId === Type.Binary ? 4 : 8;
      return validity + width * len + (Number(offsets[len] ?? 0) - Number(offsets[0] ?? 0));
    }
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const child = data.children[0];
      if (offsets === undefined || child === undefined || child.length === 0) return validity + 4 * len;
      const count = Number(offsets[len] ?? 0) - Number(offsets[0] ?? 0);
      return validity + 4 * len + (estimateDataBytes(child) * count) / child.length;
    }
    case Type.Struct:
    case Type.FixedSizeList:
      return validity + data.children.reduce((n, c) => n + estimateDataBytes(c), 0);
    default: {
      const values = data.values as { BYTES_PER_ELEMENT?: number } | undefined;
      return validity + (values?.BYTES_PER_ELEMENT ?? 8) * (data.stride || 1) * len;
    }
  }
}

/** Approximate in-memory bytes of a record batch's rows (see {@link estimateDataBytes}). */
export function estimateBatchBytes(batch: RecordBatch): number {
  return batch.data.children.reduce((n, c) => n + estimateDataBytes(c), 0);
}
