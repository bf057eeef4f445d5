// Partition pruning: WHERE conjuncts of a query block are evaluated by DuckDB itself against a small
// table of the files' typed partition values, so pruning follows DuckDB's own semantics exactly.
import type { Schema } from 'apache-arrow';
import type { ScanFile } from '@duckrun/delta';
import { isDuckrunError } from '@duckrun/storage';
import type { Engine } from './engine/engine.js';
import { duckdbTypeOf, partitionLiteral, quoteIdentifier } from './sql/literals.js';

/** Outcome of pruning one table's files. */
export interface PruneResult {
  /** Files that may hold rows satisfying every applied filter. */
  readonly files: readonly ScanFile[];
  /** Filters DuckDB evaluated against the partition values. */
  readonly applied: readonly string[];
  /** Filters skipped because they did not bind to partition columns alone (or failed to evaluate). */
  readonly skipped: readonly string[];
}

const FILE_COLUMN = '__duckrun_file';
const DEFAULT_ALIAS = '__duckrun_partitions';

/**
 * Keeps the files whose partition values satisfy every filter that DuckDB can bind and evaluate using only
 * the partition columns. A filter that fails is skipped, which is always safe: the full query still applies
 * the whole WHERE clause to the rows read.
 */
export async function prunePartitions(
  engine: Engine,
  input: {
    readonly files: readonly ScanFile[];
    readonly schema: Schema;
    readonly partitionColumns: readonly string[];
    readonly alias?: string;
    readonly filters: readonly string[];
  },
): Promise<PruneResult> {
  const columns: { name: string; type: string }[] = [];
  for (const name of input.partitionColumns) {
    const field = input.schema.fields.find((f) => f.name === name);
    const type = field === undefined ? undefined : duckdbTypeOf(field.type);
    if (type !== undefined) columns.push({ name, type });
  }
  if (columns.length === 0 || input.files.length === 0 || input.filters.length === 0) {
    return { files: input.files, applied: [], skipped: [...input.filters] };
  }
  const rows = input.files.map(
    (file, i) => `(${i}, ${columns.map((c) => partitionLiteral(file.partitionValues[c.name] ?? null, c.type)).join(', ')})`,
  );
  const names = [FILE_COLUMN, ...columns.map((c) => c.name)].map(quoteIdentifier).join(', ');
  // The inner subquery hides DuckDB's rowid pseudo-column, which must not bind to a file number.
  const source = `(SELECT * FROM (VALUES ${rows.join(', ')}) AS "__duckrun_values"(${names})) AS ${quoteIdentifier(input.alias ?? DEFAULT_ALIAS)}`;
  let keep: Set<number> | undefined;
  const applied: string[] = [];
  const skipped: string[] = [];
  for (const filter of input.filters) {
    let selected: Set<number>;
    try {
      const result = await engine.query(`SELECT ${quoteIdentifier(FILE_COLUMN)} FROM ${source} WHERE (${filter}\n)`);
      selected = new Set(Array.from(result.getChildAt(0)?.toArray() ?? [], Number));
    } catch (e) {
      if (!isDuckrunError(e, 'SQL_QUERY')) throw e;
      skipped.push(filter);
      continue;
    }
    applied.push(filter);
    keep = keep === undefined ? selected : new Set([...keep].filter((i) => selected.has(i)));
  }
  return { files: keep === undefined ? input.files : input.files.filter((_, i) => keep.has(i)), applied, skipped };
}
