// DELETE FROM t [WHERE p] and DeltaTable.delete(p): files that may hold matching rows (after pruning) are
// read one at a time; a file with no match stays, a file whose rows all match goes whole, any other file is
// rewritten with the rows for which p is not true (NULL keeps the row, as in SQL).
import { pruningConjuncts } from '../sql/delta-scan-calls.js';
import { quoteIdentifier } from '../sql/literals.js';
import type { WriteContext } from '../write/execute.js';
import { preparePredicate } from './predicate.js';
import { countOf, runRewrite } from './rewrite-loop.js';
import { candidateFiles, openTarget } from './target.js';

/** Rows deleted and the commit made (version unchanged and `committed` false when nothing matched). */
export interface DeleteOutcome {
  readonly tableUri: string;
  readonly version: number;
  readonly committed: boolean;
  readonly rowsDeleted: number;
  readonly filesRemoved: number;
  readonly filesAdded: number;
}

/** What to delete: the table, its alias in the predicate, and the predicate (absent: every row). */
export interface DeleteSpec {
  readonly tableUri: string;
  /** The table as the user named it. */
  readonly label: string;
  /** Name the predicate may qualify columns with (default the table's last name part). */
  readonly alias: string;
  readonly predicate?: string;
}

/** Deletes the rows of the table matching the predicate, in one commit under Delta's conflict rules. */
export async function deleteRows(ctx: WriteContext, spec: DeleteSpec): Promise<DeleteOutcome> {
  const what = `DELETE FROM ${spec.label}`;
  const target = await openTarget(ctx, spec.tableUri, spec.label, what);
  const predicate = await preparePredicate(ctx, spec.predicate, what);
  try {
    const where = predicate.sql;
    const files = where === undefined ? target.snapshot.files() : await candidateFiles(ctx.engine, target.snapshot, pruningConjuncts(where), spec.alias);
    let rowsDeleted = 0;
    const alias = quoteIdentifier(spec.alias);
    const result = await runRewrite(ctx.engine, target, {
      what,
      files,
      rewriter: {
        async decide(table) {
          const rows = await countOf(ctx.engine, `SELECT count(*) FROM ${quoteIdentifier(table)}`);
          const matched = where === undefined ? rows : await countOf(ctx.engine, `SELECT count(*) FROM ${quoteIdentifier(table)} AS ${alias} WHERE (${where}\n)`);
          rowsDeleted += matched;
          if (matched === 0) return 'unchanged';
          return matched === rows ? 'drop' : 'rewrite';
        },
        replacement: (table) => `SELECT * FROM ${quoteIdentifier(table)} AS ${alias} WHERE (${where}\n) IS NOT TRUE`,
      },
      commit: {
        operation: 'DELETE',
        operationParameters: { predicate: spec.predicate === undefined ? [] : [spec.predicate] },
        operationMetrics: () => ({ numDeletedRows: rowsDeleted }),
      },
    });
    return {
      tableUri: spec.tableUri,
      version: result.version,
      committed: result.committed,
      rowsDeleted,
      filesRemoved: result.filesRemoved,
      filesAdded: result.filesAdded,
    };
  } finally {
    await predicate.release();
  }
}
