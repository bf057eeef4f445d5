// The MERGE builder of the connect() API (Delta's DeltaMergeBuilder): immutable, every clause call returns a
// new builder; execute() runs the pinned MERGE of dml/merge.ts.
import { MergeClauseError } from '../errors.js';
import { mergeInto, type Assignments, type MatchedClause, type MergeOutcome, type NotMatchedBySourceClause, type NotMatchedClause } from '../dml/merge.js';
import type { ConnectionContext } from './context.js';
import { refuseIfReadOnly } from './context.js';

/** Column → SQL expression (over the target and source aliases), as Delta's `set` / `values` maps. */
export type ColumnExpressions = Readonly<Record<string, string>>;

/** What the builder was started with. */
export interface MergeStart {
  readonly tableUri: string;
  readonly label: string;
  readonly targetAlias: string;
  readonly sourceAlias: string;
  /** SQL query of the source. */
  readonly source: string;
  readonly condition: string;
  /** Registers what the source query reads (an Arrow table) right before the merge runs. */
  readonly prepare?: () => Promise<void>;
  /** Drops it again once the merge ran. */
  readonly cleanup?: () => Promise<void>;
}

interface Clauses {
  readonly matched: readonly MatchedClause[];
  readonly notMatched: readonly NotMatchedClause[];
  readonly notMatchedBySource: readonly NotMatchedBySourceClause[];
}

/**
 * Clauses apply in the order given within each kind; the first whose condition holds decides a row.
 * @example
 * await (await DeltaTable.forName(conn, 'customers'))
 *   .merge(updates, 'target.id = source.id')
 *   .whenMatchedUpdate({ name: 'source.name' })
 *   .whenNotMatchedInsertAll()
 *   .execute();
 */
export class MergeBuilder {
  readonly #ctx: ConnectionContext;
  readonly #start: MergeStart;
  readonly #clauses: Clauses;

  /** Builders come from `DeltaTable.merge`. */
  constructor(ctx: ConnectionContext, start: MergeStart, clauses: Clauses = { matched: [], notMatched: [], notMatchedBySource: [] }) {
    this.#ctx = ctx;
    this.#start = start;
    this.#clauses = clauses;
    Object.freeze(this);
  }

  /** Updates matched target rows: `set` maps target columns to expressions; `condition` (optional) narrows the rows. */
  whenMatchedUpdate(set: ColumnExpressions, condition?: string): MergeBuilder {
    return this.#add('matched', { kind: 'update', set: pairs(set, 'whenMatchedUpdate'), ...cond(condition) });
  }

  /** Updates every column of matched target rows from the source column of the same name. */
  whenMatchedUpdateAll(condition?: string): MergeBuilder {
    return this.#add('matched', { kind: 'update', set: '*', ...cond(condition) });
  }

  /** Deletes matched target rows (those satisfying `condition`, when given). */
  whenMatchedDelete(condition?: string): MergeBuilder {
    return this.#add('matched', { kind: 'delete', ...cond(condition) });
  }

  /** Inserts source rows that match no target row: `values` maps target columns to expressions; unnamed columns are NULL. */
  whenNotMatchedInsert(values: ColumnExpressions, condition?: string): MergeBuilder {
    return this.#add('notMatched', { kind: 'insert', values: pairs(values, 'whenNotMatchedInsert'), ...cond(condition) });
  }

  /** Inserts unmatched source rows, every target column from the source column of the same name. */
  whenNotMatchedInsertAll(condition?: string): MergeBuilder {
    return this.#add('notMatched', { kind: 'insert', values: '*', ...cond(condition) });
  }

  /** Updates target rows that no source row matches. */
  whenNotMatchedBySourceUpdate(set: ColumnExpressions, condition?: string): MergeBuilder {
    const assignments = pairs(set, 'whenNotMatchedBySourceUpdate');
    return this.#add('notMatchedBySource', { kind: 'update', set: assignments as ReadonlyArray<readonly [string, string]>, ...cond(condition) });
  }

  /** Deletes target rows that no source row matches (those satisfying `condition`, when given). */
  whenNotMatchedBySourceDelete(condition?: string): MergeBuilder {
    return this.#add('notMatchedBySource', { kind: 'delete', ...cond(condition) });
  }

  /**
   * Runs the MERGE against the table version read when it starts; a commit by anyone else in between fails
   * it with CommitConflictError and nothing is applied. Returns Delta's row counts.
   */
  async execute(): Promise<MergeOutcome> {
    refuseIfReadOnly(this.#ctx, `MERGE INTO ${this.#start.label}`, this.#start.tableUri);
    try {
      await this.#start.prepare?.();
      return await mergeInto(this.#ctx.session.writeContext(), { ...this.#start, ...this.#clauses });
    } finally {
      await this.#start.cleanup?.();
    }
  }

  #add<K extends keyof Clauses>(kind: K, clause: Clauses[K][number]): MergeBuilder {
    return new MergeBuilder(this.#ctx, this.#start, { ...this.#clauses, [kind]: [...this.#clauses[kind], clause] });
  }
}

function cond(condition: string | undefined): { condition?: string } {
  if (condition === undefined) return {};
  if (typeof condition !== 'string' || condition.trim() === '') throw new MergeClauseError('a MERGE clause condition must be a non-empty SQL predicate string');
  return { condition };
}

function pairs(map: ColumnExpressions, clause: string): Assignments {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new MergeClauseError(`${clause} takes an object of column → SQL expression, e.g. { name: 'source.name' }`);
  }
  const entries = Object.entries(map);
  if (entries.length === 0) throw new MergeClauseError(`${clause} needs at least one column; use ${clause}All() to take every column from the source`);
  return entries.map(([k, v]) => [k, String(v)] as const);
}
