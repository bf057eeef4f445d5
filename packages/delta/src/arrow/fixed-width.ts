// The Arrow types whose values are one fixed-width slot per row (the same copy kernels serve all of them).
import { Type } from 'apache-arrow';

const FIXED_WIDTH: ReadonlySet<Type> = new Set([
  Type.Int,
  Type.Float,
  Type.Decimal,
  Type.Date,
  Type.Time,
  Type.Timestamp,
  Type.Interval,
  Type.Duration,
  Type.FixedSizeBinary,
]);

/** Whether values of `typeId` are fixed-width slots (`data.values`, `data.stride` per row). */
export function isFixedWidth(typeId: Type): boolean {
  return FIXED_WIDTH.has(typeId);
}
