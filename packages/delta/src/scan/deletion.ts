// Deletion vectors at scan time: fetch a DV (inline, or a slice of its .bin file) and turn the deleted
// row indexes into the row ranges of a batch that survive.

import { isDuckrunError } from '@duckrun/storage';
import { DeletionVectorError } from '../errors.js';
import type { DeletionVectorDescriptor } from '../kernel/actions/types.js';
import { decodeDeletionVector, deletionVectorByteRange, resolveDeletionVector } from '../kernel/dv/descriptor.js';
import type { FileLocator } from './locate.js';

/** The sorted indexes of the rows a deletion vector removes. */
export async function loadDeletedRows(locator: FileLocator, tableUri: string, dv: DeletionVectorDescriptor): Promise<Float64Array> {
  const where = resolveDeletionVector(dv);
  if (where.kind === 'inline') return decodeDeletionVector(undefined, dv, { file: `inline deletion vector of ${tableUri}` });
  const location = await locator.locate(where.kind === 'relative' ? where.path : where.url);
  const range = deletionVectorByteRange(dv);
  let bytes: Uint8Array;
  try {
    bytes = await location.store.get(location.key, range);
  } catch (e) {
    if (isDuckrunError(e, 'STORE_NOT_FOUND')) {
      throw new DeletionVectorError(`deletion vector file ${location.url} of table ${tableUri} is missing; the table cannot be read correctly without it`, { cause: e });
    }
    throw e;
  }
  return decodeDeletionVector(bytes, dv, { bytesOffset: range.offset, file: location.url });
}

/**
 * The `[start, end)` ranges (relative to the batch) of rows `base … base+length-1` that are not in
 * `deleted` (sorted ascending).
 */
export function keptRanges(deleted: Float64Array, base: number, length: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = lowerBound(deleted, base);
  let start = 0;
  const end = base + length;
  while (i < deleted.length && deleted[i]! < end) {
    const row = deleted[i]! - base;
    if (row > start) out.push([start, row]);
    start = row + 1;
    i++;
  }
  if (start < length) out.push([start, length]);
  return out;
}

function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
