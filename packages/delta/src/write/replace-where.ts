// replaceWhere (Delta's "selective overwrite"): the rows matching a predicate are replaced by the written
// data, and every written row must match it. Over partition columns whole files go; over data columns the
// files that may hold matching rows are read, and their other rows are written again.

import type { RecordBatch } from 'apache-arrow';
import { InvalidOptionError } from '../errors.js';
import type { AddFile } from '../kernel/actions/types.js';
import { physicalName, type ColumnMappingMode } from '../kernel/features/column-mapping.js';
import { parsePartitionValue, type PartitionScalar } from '../kernel/partitions/values.js';
import { compileColumnPredicate, type ColumnPredicate } from '../kernel/predicate/column-predicate.js';
import { isPrimitiveType, type StructField, type StructType } from '../kernel/schema/types.js';
import type { Snapshot } from '../snapshot.js';
import { scalarReader } from './scalar-reader.js';
import { selectRows } from '../arrow/take.js';

/** A compiled replaceWhere and what it needs to be applied. */
export interface ReplaceWhere {
  readonly predicate: ColumnPredicate;
  /** True when it references a non-partition column (files must then be read row by row). */
  readonly touchesData: boolean;
  readonly partitionFields: readonly StructField[];
  readonly columnMapping: ColumnMappingMode;
  /** Delta types of the columns the predicate reads. */
  readonly types: ReadonlyMap<string, StructField['type']>;
}

/** Compiles `text` over the table's primitive columns. */
export function compileReplaceWhere(
  text: string,
  schema: StructType,
  partitionColumns: readonly string[],
  columnMapping: ColumnMappingMode,
  table: string,
): ReplaceWhere {
  const fields = schema.fields.filter((f) => isPrimitiveType(f.type));
  const predicate = compileColumnPredicate(text, { fields, noun: 'column', hint: 'replaceWhere can use the table\'s primitive columns (not structs, arrays or maps)' }, table);
  const partitionFields = partitionColumns.map((p) => schema.fields.find((f) => f.name === p)!);
  const touchesData = predicate.columns.some((c) => !partitionColumns.includes(c));
  const types = new Map(fields.filter((f) => predicate.columns.includes(f.name)).map((f) => [f.name, f.type] as const));
  return { predicate, touchesData, partitionFields, columnMapping, types };
}

/** The logical partition values of a file. */
export function filePartitionValues(rw: ReplaceWhere, physical: Readonly<Record<string, string | null>>): Record<string, PartitionScalar> {
  const out: Record<string, PartitionScalar> = {};
  for (const f of rw.partitionFields) out[f.name] = parsePartitionValue(physical[physicalName(f, rw.columnMapping)] ?? null, f.type, f.name);
  return out;
}

/**
 * Delta's replaceWhere constraint on the written rows: throws, naming the first offending row's values,
 * unless every row of `batch` (logical columns) satisfies the predicate.
 */
export function checkWrittenRows(rw: ReplaceWhere, batch: RecordBatch, table: string): void {
  const values = rowValues(rw, batch);
  for (let i = 0; i < batch.numRows; i++) {
    const row = values(i);
    if (rw.predicate.evaluate(row) === true) continue;
    const shown = rw.predicate.columns.map((c) => `${c}=${String(row[c])}`).join(', ');
    throw new InvalidOptionError(
      `data written to ${table} does not match replaceWhere "${rw.predicate.text}" (a row with ${shown}); nothing was committed. ` +
        'Filter the data to the replaced rows, or widen the predicate',
    );
  }
}

/** What an overwrite with replaceWhere does to the live files. */
export interface Replacement {
  /** Files to remove; complete once `kept` has been consumed. */
  readonly removed: AddFile[];
  /** Rows of removed files that do not match and must be written again (only for data-column predicates). */
  readonly kept: AsyncIterable<RecordBatch>;
}

/**
 * Splits the live files of `snapshot`: files no matching row can be in stay; with a partition predicate the
 * rest go whole; with a data predicate each remaining file is read as `kept` is consumed, and goes (its
 * non-matching rows yielded to be written again) only if at least one of its rows matches. At most one
 * file's surviving rows are held at a time.
 */
export function planReplacement(rw: ReplaceWhere, snapshot: Snapshot): Replacement {
  const removed: AddFile[] = [];
  if (!rw.touchesData) {
    for (const add of snapshot.addFiles()) if (rw.predicate.evaluate(filePartitionValues(rw, add.partitionValues)) === true) removed.push(add);
    return { removed, kept: (async function* () {})() };
  }
  const known = new Set(rw.partitionFields.map((f) => f.name));
  const candidates = snapshot.files().filter((f) => rw.predicate.mayMatch(filePartitionValues(rw, f.add.partitionValues), known));
  const kept = async function* (): AsyncIterable<RecordBatch> {
    for (const file of candidates) {
      const survivors: RecordBatch[] = [];
      let matched = 0;
      for await (const batch of snapshot.scan({ files: [file] })) {
        const values = rowValues(rw, batch);
        const keep: number[] = [];
        for (let i = 0; i < batch.numRows; i++) {
          if (rw.predicate.evaluate(values(i)) === true) matched++;
          else keep.push(i);
        }
        if (keep.length === batch.numRows) survivors.push(batch);
        else if (keep.length > 0) survivors.push(...selectRows(batch, Int32Array.from(keep)));
      }
      if (matched === 0) continue;
      removed.push(file.add);
      yield* survivors;
    }
  };
  return { removed, kept: kept() };
}

/** Row `i`'s values of the predicate's columns, in PartitionScalar form (null when null). */
function rowValues(rw: ReplaceWhere, batch: RecordBatch): (i: number) => Record<string, PartitionScalar> {
  const readers = rw.predicate.columns.map((name) => {
    const data = batch.data.children[batch.schema.fields.findIndex((f) => f.name === name)];
    const type = rw.types.get(name);
    // A column absent from the batch is all nulls (the writer fills missing nullable columns the same way).
    if (data === undefined || type === undefined) return { name, read: (): PartitionScalar => null };
    const read = scalarReader(data, type);
    return { name, read: (i: number): PartitionScalar => (data.getValid(i) ? read(i) : null) };
  });
  return (i) => {
    const row: Record<string, PartitionScalar> = {};
    for (const r of readers) row[r.name] = r.read(i);
    return row;
  };
}
