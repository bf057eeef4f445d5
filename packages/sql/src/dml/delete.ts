// DELETE FROM t [WHERE p] and DeltaTable.delete(p): files that may hold matching rows (after pruning) are
// read one at a time; a file with no match stays, a file whose rows all match goes whole, any other file is
// rewritten with the rows for which p is not true (NULL keeps the row, as in SQL).
import { pruningConjuncts } from '../sql/delta-scan-calls.js';
import { quoteIdentifier } from '../sql/literals.js';
import { resolveBareTables, type WriteContext } from '../write/execute.js';
import { preparePredicate } from './predicate.js';
import { countOf, runRewrite } from './rewrite-loop.js';
import type { Snapshot } from '@duckrun/delta';
import { candidateFiles, openTarget } from './target.js';
import { duckTypeOf } from '../write/type-mapping.js';

/** Rows deleted and the commit made (version unchanged and `committed` false when nothing matched). */
export interface DeleteOutcome {
  readonly tableUri: string;
  readonly version: number;
  readonly committed: boolean;
  readonly rowsDeleted: number;
  /** Rows of `append` added in the same commit. */
  readonly rowsInserted: number;
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
  /**
   * Pins the delete to the snapshot at this version (the one the caller read): it commits only if the
   * table is still there, else CommitConflictError. Default: the latest version, under Delta's conflict rules.
   */
  readonly readVersion?: number;
  /**
   * A query whose rows are added in the same commit (delete+insert as one atomic change); its columns go
   * to the table columns of the same name (missing ones NULL), cast to the table's types.
   */
  readonly append?: string;
}

/** Deletes the rows of the table matching the predicate, in one commit under Delta's conflict rules. */
export async function deleteRows(ctx: WriteContext, spec: DeleteSpec): Promise<DeleteOutcome> {
  const what = `DELETE FROM ${spec.label}`;
  const target = await openTarget(ctx, spec.tableUri, spec.label, what, spec.readVersion);
  const predicate = await preparePredicate(ctx, spec.predicate, what);
  const appended = spec.append === undefined ? undefined : await ctx.prepare(await resolveBareTables(spec.append, ctx));
  try {
    const where = predicate.sql;
    const files = where === undefined ? target.snapshot.files() : await candidateFiles(ctx.engine, target.snapshot, pruningConjuncts(where), spec.alias);
    let rowsDeleted = 0;
    let rowsInserted = 0;
    const appendSql = appended === undefined ? undefined : await appendSelect(ctx, target.snapshot, appended.sql);
    const alias = quoteIdentifier(spec.alias);
    const result = await runRewrite(ctx, target, {
      what,
      files,
      userSql: [where],
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
      ...(appendSql === undefined
        ? {}
        : {
            after: async () => {
              rowsInserted = await countOf(ctx.engine, `SELECT count(*) FROM (${appendSql}) AS "__duckrun_delete_append"`);
              // The appended query's columns are the caller's: the Arrow path conforms them to the table.
              return rowsInserted > 0 ? { sql: appendSql, exactTypes: false } : undefined;
            },
          }),
      commit: {
        operation: appendSql === undefined ? 'DELETE' : 'DELETE+INSERT',
        operationParameters: { predicate: spec.predicate === undefined ? [] : [spec.predicate] },
        operationMetrics: () => ({ numDeletedRows: rowsDeleted, ...(appendSql === undefined ? {} : { numOutputRows: rowsInserted }) }),
        ...(spec.readVersion === undefined ? {} : { pinned: true }),
      },
    });
    return {
      tableUri: spec.tableUri,
      version: result.version,
      committed: result.committed,
      rowsDeleted,
      rowsInserted,
      filesRemoved: result.filesRemoved,
      filesAdded: result.filesAdded,
    };
  } finally {
    await predicate.release();
    await appended?.release();
  }
}

/** The appended rows in the table's column order and types, matched by name. */
async function appendSelect(ctx: WriteContext, snapshot: Snapshot, query: string): Promise<string> {
  const described = await ctx.engine.query(`DESCRIBE SELECT * FROM (\n${query}\n) AS "__duckrun_append"`);
  const names = described.getChild('column_name');
  const columns: string[] = [];
  for (let i = 0; i < described.numRows; i++) columns.push(String(names?.get(i)));
  const exprs = snapshot.schema.fields.map((f) => {
    const from = columns.find((c) => c.toLowerCase() === f.name.toLowerCase());
    return `CAST(${from === undefined ? 'NULL' : `"__duckrun_append".${quoteIdentifier(from)}`} AS ${duckTypeOf(f.type, f.name)}) AS ${quoteIdentifier(f.name)}`;
  });
  return `SELECT ${exprs.join(', ')} FROM (\n${query}\n) AS "__duckrun_append"`;
}
