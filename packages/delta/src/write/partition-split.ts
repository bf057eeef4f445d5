// Groups the rows of a record batch by their partition values, serialized as the log stores them
// (PROTOCOL.md "Partition Value Serialization").

import type { RecordBatch } from 'apache-arrow';
import { SchemaError } from '../errors.js';
import { formatPartitionValue, type PartitionScalar } from '../kernel/partitions/values.js';
import type { StructField } from '../kernel/schema/types.js';
import { scalarReader } from './scalar-reader.js';

/** The rows of a batch that share one set of partition values. */
export interface PartitionGroup {
  /** Serialized values in partition column order (null for a null value). */
  readonly values: readonly (string | null)[];
  /** Grouping key of `values`. */
  readonly key: string;
  /** Row indices in ascending order; undefined when the group is the whole batch. */
  readonly indices: Int32Array | undefined;
}

/** Groups the rows of `batch` by the partition `columns` (logical fields of the table schema), in order of first appearance. */
export function partitionGroups(batch: RecordBatch, columns: readonly StructField[], table: string): PartitionGroup[] {
  if (batch.numRows === 0) return [];
  if (columns.length === 0) return [{ values: [], key: '[]', indices: undefined }];
  const readers = columns.map((f) => {
    const idx = batch.schema.fields.findIndex((x) => x.name === f.name);
    const data = batch.data.children[idx];
    if (data === undefined) {
      throw new SchemaError(`partition column "${f.name}" of ${table} is missing from the data; add the column or change partitionBy`);
    }
    const read = scalarReader(data, f.type);
    // Partitions repeat: serialize each distinct value once (bounded, for high-cardinality columns).
    const cache = new Map<PartitionScalar, string | null>();
    return (i: number): string | null => {
      if (!data.getValid(i)) return null;
      const v = read(i);
      if (v instanceof Uint8Array) return formatPartitionValue(v, f.type, f.name);
      let text = cache.get(v);
      if (text === undefined) {
        if (cache.size >= 4096) cache.clear();
        text = formatPartitionValue(v, f.type, f.name);
        cache.set(v, text);
      }
      return text;
    };
  });
  const groups = new Map<string | null, { values: (string | null)[]; rows: number[] }>();
  const single = readers.length === 1 ? readers[0]! : undefined;
  for (let i = 0; i < batch.numRows; i++) {
    let id: string | null;
    let values: (string | null)[] | undefined;
    if (single !== undefined) id = single(i);
    else {
      values = readers.map((r) => r(i));
      id = JSON.stringify(values);
    }
    const group = groups.get(id);
    if (group === undefined) groups.set(id, { values: values ?? [id], rows: [i] });
    else group.rows.push(i);
  }
  return [...groups.values()].map((g) => ({
    key: JSON.stringify(g.values),
    values: g.values,
    indices: groups.size === 1 ? undefined : Int32Array.from(g.rows),
  }));
}
