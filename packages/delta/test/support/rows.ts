// The rows the stress and crash tests write: distinct ids, a writer tag and a string column.

import { Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';

/** Rows with ids firstId…firstId+n-1; `writer` tags the process, `note` is a string column. */
export function rowsFor(firstId: number, n: number, writer: number): Table {
  const ids = Array.from({ length: n }, (_, k) => firstId + k);
  return new Table({
    id: vectorFromArray(ids.map(BigInt), new Int64()),
    writer: vectorFromArray(ids.map(() => writer), new Int32()),
    note: vectorFromArray(ids.map((i) => `row ${i} of writer ${writer}`), new Utf8()),
  });
}

/** ids firstId…firstId+n-1. */
export const idRange = (firstId: number, n: number): number[] => Array.from({ length: n }, (_, k) => firstId + k);
