// UPDATE t SET c = e, … [WHERE p] and DeltaTable.update(p, set): like DELETE, file by file, but a file with
// matching rows is rewritten whole, the SET expressions applied to the rows for which p is true.
import { UnsupportedOperationError } from '../errors.js';
import { pruningConjuncts } from '../sql/delta-scan-calls.js';
import { quoteIdentifier } from '../sql/literals.js';
import type { WriteContext } from '../write/execute.js';
import { duckTypeOf } from '../write/type-mapping.js';
import { preparePredicate, type PreparedFragment } from './predicate.js';
import { countOf, runRewrite } from './rewrite-loop.js';
import { candidateFiles, findColumn, openTarget, type DmlTarget } from './target.js';

/** What an UPDATE does. */
export interface UpdateSpec {
  readonly tableUri: string;
  readonly label: string;
  /** Name the predicate and expressions may qualify columns with. */
  readonly alias: string;
  /** Column → SQL expression over the row's current values. */
  readonly set: ReadonlyArray<readonly [column: string, expression: string]>;
  readonly predicate?: string;
}

/** Rows updated and the commit made. */
export interface UpdateOutcome {
  readonly tableUri: string;
  readonly version: number;
  readonly committed: boolean;
  readonly rowsUpdated: number;
  readonly filesRemoved: number;
  readonly filesAdded: number;
}

/** Updates the rows matching the predicate, in one commit under Delta's conflict rules. */
export async function updateRows(ctx: WriteContext, spec: UpdateSpec): Promise<UpdateOutcome> {
  const what = `UPDATE ${spec.label}`;
  const target = await openTarget(ctx, spec.tableUri, spec.label, what);
  const assignments = resolveAssignments(target, spec.set, what);
  const predicate = await preparePredicate(ctx, spec.predicate, what);
  // SET expressions may read other tables too (`SET price = (SELECT max(p) FROM prices)`).
  const prepared: PreparedFragment[] = [];
  try {
    for (const [column, expr] of assignments) {
      const fragment = await preparePredicate(ctx, expr, what);
      prepared.push(fragment);
      assignments.set(column, fragment.sql ?? expr);
    }
    const where = predicate.sql;
    const alias = quoteIdentifier(spec.alias);
    const files = where === undefined ? target.snapshot.files() : await candidateFiles(ctx.engine, target.snapshot, pruningConjuncts(where), spec.alias);
    const columns = target.snapshot.schema.fields.map((f) => {
      const expr = assignments.get(f.name);
      const current = `${alias}.${quoteIdentifier(f.name)}`;
      if (expr === undefined) return current;
      const cast = `CAST((${expr}\n) AS ${duckTypeOf(f.type, f.name)})`;
      return `${where === undefined ? cast : `CASE WHEN (${where}\n) IS TRUE THEN ${cast} ELSE ${current} END`} AS ${quoteIdentifier(f.name)}`;
    });
    let rowsUpdated = 0;
    const result = await runRewrite(ctx, target, {
      what,
      files,
      userSql: [where, ...assignments.values()],
      rewriter: {
        async decide(table) {
          const matched = await countOf(ctx.engine, `SELECT count(*) FROM ${quoteIdentifier(table)} AS ${alias}${where === undefined ? '' : ` WHERE (${where}\n)`}`);
          rowsUpdated += matched;
          return matched === 0 ? 'unchanged' : 'rewrite';
        },
        replacement: (table) => `SELECT ${columns.join(', ')} FROM ${quoteIdentifier(table)} AS ${alias}`,
      },
      commit: {
        operation: 'UPDATE',
        operationParameters: { predicate: spec.predicate === undefined ? [] : [spec.predicate] },
        operationMetrics: () => ({ numUpdatedRows: rowsUpdated }),
      },
    });
    return { tableUri: spec.tableUri, version: result.version, committed: result.committed, rowsUpdated, filesRemoved: result.filesRemoved, filesAdded: result.filesAdded };
  } finally {
    for (const fragment of prepared) await fragment.release();
    await predicate.release();
  }
}

/** SET targets → table column names (as DuckDB binds them, case-insensitively); each column once. */
export function resolveAssignments(target: DmlTarget, set: ReadonlyArray<readonly [string, string]>, what: string): Map<string, string> {
  if (set.length === 0) throw new UnsupportedOperationError(`${what} needs at least one column to set, e.g. SET status = 'done'`);
  const out = new Map<string, string>();
  for (const [name, expr] of set) {
    const column = findColumn(target.snapshot, name);
    if (column === undefined) {
      throw new UnsupportedOperationError(
        `${what}: table ${target.label} has no column "${name}"; its columns are ${target.snapshot.schema.fields.map((f) => f.name).join(', ')}`,
      );
    }
    if (out.has(column)) throw new UnsupportedOperationError(`${what}: column "${column}" is set twice; set each column once`);
    if (typeof expr !== 'string' || expr.trim() === '') throw new UnsupportedOperationError(`${what}: column "${column}" needs a SQL expression to set it to`);
    out.set(column, expr);
  }
  return out;
}
