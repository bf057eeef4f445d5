// Row values of an Arrow column in the PartitionScalar representation of their Delta type, so partition
// values and row values compare the same way (partition splitting, replaceWhere).

import { Type, Vector, type Data } from 'apache-arrow';
import type { PartitionScalar } from '../kernel/partitions/values.js';
import type { DataType } from '../kernel/schema/types.js';

/** Reads a valid row as the PartitionScalar representation of its Delta type (check validity first). */
export function scalarReader(data: Data, type: DataType): (i: number) => PartitionScalar {
  const values = data.values as ArrayLike<number | bigint> | undefined;
  const t = data.type as { typeId: Type; unit?: number; scale?: number; bitWidth?: number };
  if (typeof type === 'object' && type.type === 'decimal' && t.typeId === Type.Decimal && values !== undefined) {
    const words = (t.bitWidth ?? 128) / 32;
    const u32 = values as ArrayLike<number>;
    const top = 1n << BigInt(words * 32);
    return (i) => {
      let v = 0n;
      for (let w = words - 1; w >= 0; w--) v = (v << 32n) | BigInt(u32[i * words + w]! >>> 0);
      if (v >= top >> 1n) v -= top;
      const neg = v < 0n;
      const digits = (neg ? -v : v).toString().padStart(type.scale + 1, '0');
      const cut = digits.length - type.scale;
      return `${neg ? '-' : ''}${digits.slice(0, cut)}${type.scale > 0 ? `.${digits.slice(cut)}` : ''}`;
    };
  }
  if ((type === 'timestamp' || type === 'timestamp_ntz') && t.typeId === Type.Timestamp && values !== undefined) {
    const unit = t.unit ?? 2;
    return (i) => {
      const raw = BigInt(values[i]!);
      if (unit === 0) return raw * 1_000_000n;
      if (unit === 1) return raw * 1_000n;
      if (unit === 2) return raw;
      // Nanoseconds: floor to the microsecond Delta partition values carry.
      return raw >= 0n ? raw / 1_000n : -((-raw + 999n) / 1_000n);
    };
  }
  if (type === 'date' && t.typeId === Type.Date && values !== undefined) {
    if (t.unit === 0) return (i) => Number(values[i]!);
    return (i) => Math.floor(Number(values[i]!) / 86_400_000);
  }
  const vec = new Vector([data]);
  if (type === 'long') return (i) => BigInt(vec.get(i) as number | bigint);
  if (type === 'integer' || type === 'short' || type === 'byte') return (i) => Number(vec.get(i) as number | bigint);
  if (type === 'float' || type === 'double') return (i) => Number(vec.get(i));
  return (i) => vec.get(i) as PartitionScalar;
}
