// MERGE as DuckDB joins feeding the Delta writer, snapshot-pinned:
//  1. the target version is captured first and the source is materialised once (numbered rows);
//  2. target files that may hold matches are found by pruning on the ON condition (merge-pruning.ts);
//  3. each candidate file is joined with the source on its own: files where no clause changes a row stay,
//     the others are rewritten from a LEFT JOIN that applies the first clause whose condition holds;
//  4. source rows that matched no target row are inserted (an anti-join), after the files;
//  5. one commit, valid only on the captured version, so a concurrent writer fails the MERGE loudly.
// A MERGE with only insert clauses rewrites no file: it commits as an append of the anti-join.
import { MergeCardinalityError, MergeClauseError } from '../errors.js';
import { quoteIdentifier } from '../sql/literals.js';
import type { WriteContext } from '../write/execute.js';
import { describe, resolveBareTables } from '../write/execute.js';
import { duckTypeOf } from '../write/type-mapping.js';
import { mergeCandidates } from './merge-pruning.js';
import { countOf, runRewrite } from './rewrite-loop.js';
import { findColumn, openTarget, scratchName, type DmlTarget } from './target.js';

/** Column → SQL expression, or `*` for every column by name (updateAll / insertAll). */
export type Assignments = ReadonlyArray<readonly [column: string, expression: string]> | '*';

export type MatchedClause =
  | { readonly kind: 'update'; readonly condition?: string; readonly set: Assignments }
  | { readonly kind: 'delete'; readonly condition?: string };
export interface NotMatchedClause {
  readonly kind: 'insert';
  readonly condition?: string;
  readonly values: Assignments;
}
export type NotMatchedBySourceClause =
  | { readonly kind: 'update'; readonly condition?: string; readonly set: ReadonlyArray<readonly [string, string]> }
  | { readonly kind: 'delete'; readonly condition?: string };

/** A MERGE INTO the Delta table at `tableUri` from the rows of `source` (a SQL query). */
export interface MergeSpec {
  readonly tableUri: string;
  readonly label: string;
  /** SQL query of the source rows (bare Delta table names and delta_scan allowed). */
  readonly source: string;
  readonly condition: string;
  readonly targetAlias: string;
  readonly sourceAlias: string;
  readonly matched: readonly MatchedClause[];
  readonly notMatched: readonly NotMatchedClause[];
  readonly notMatchedBySource: readonly NotMatchedBySourceClause[];
  /**
   * The version the caller read the target at (e.g. a dbt model reading `{{ this }}`): the MERGE runs on
   * that snapshot and commits only if the table is still there; default the latest version.
   */
  readonly readVersion?: number;
}

/** What a MERGE did (Delta's metric names). */
export interface MergeOutcome {
  readonly tableUri: string;
  /** The version committed, or the version read when nothing changed. */
  readonly version: number;
  readonly readVersion: number;
  readonly committed: boolean;
  readonly numSourceRows: number;
  readonly numTargetRowsInserted: number;
  readonly numTargetRowsUpdated: number;
  readonly numTargetRowsDeleted: number;
  /** Unchanged rows written again because they share a file with changed ones. */
  readonly numTargetRowsCopied: number;
  readonly numTargetFilesRemoved: number;
  readonly numTargetFilesAdded: number;
  /** Target files read after pruning, of all live files. */
  readonly numTargetFilesScanned: number;
  readonly numTargetFilesTotal: number;
}

const PRESENT = '__duckrun_present';
const SID = '__duckrun_sid';
const ACTION = '__duckrun_action';
/** Action codes: matched clause i → 1 + i, not-matched-by-source clause j → BY_SOURCE + j, 0 → row unchanged. */
const BY_SOURCE = 1000;

/** Runs the MERGE described by `spec`; see the file comment for the steps. */
export async function mergeInto(ctx: WriteContext, spec: MergeSpec): Promise<MergeOutcome> {
  const what = `MERGE INTO ${spec.label}`;
  if (spec.matched.length + spec.notMatched.length + spec.notMatchedBySource.length === 0) {
    throw new MergeClauseError(`${what}: add at least one clause (whenMatchedUpdate, whenMatchedDelete, whenNotMatchedInsert, whenNotMatchedBySource…) before execute()`);
  }
  checkClauseOrder(spec, what);
  // Pin first: the version read here is the one the commit must still find.
  const target = await openTarget(ctx, spec.tableUri, spec.label, what, spec.readVersion);
  const engine = ctx.engine;
  const source = scratchName('merge_source');
  const matchedIds = scratchName('merge_matched');
  const prepared = await ctx.prepare(await resolveBareTables(spec.source, ctx));
  try {
    try {
      await engine.query(
        `CREATE TEMP TABLE ${quoteIdentifier(source)} AS SELECT *, TRUE AS ${PRESENT}, row_number() OVER () AS ${SID} FROM (\n${prepared.sql}\n) AS "__duckrun_merge_query"`,
      );
    } finally {
      await prepared.release();
    }
    const sourceColumns = await columnTypes(ctx, source);
    const t = quoteIdentifier(spec.targetAlias);
    const s = quoteIdentifier(spec.sourceAlias);
    const plan = planClauses(spec, target, [...sourceColumns.keys()], what);
    // Every target row of the file, with its matching source rows (if any).
    const joinFrom = (table: string): string => `FROM ${quoteIdentifier(table)} AS ${t} LEFT JOIN ${quoteIdentifier(source)} AS ${s} ON (${spec.condition}\n)`;
    const numSourceRows = await countOf(engine, `SELECT count(*) FROM ${quoteIdentifier(source)}`);
    const files =
      spec.notMatchedBySource.length > 0
        ? target.snapshot.files()
        : await mergeCandidates(engine, target, spec.condition, { target: spec.targetAlias, source: spec.sourceAlias }, { table: source, columns: sourceColumns });
    if (spec.notMatched.length > 0) await engine.query(`CREATE TEMP TABLE ${quoteIdentifier(matchedIds)} (sid BIGINT)`);

    let updated = 0;
    let deleted = 0;
    let copied = 0;
    let inserted = 0;
    const changesRows = spec.matched.length + spec.notMatchedBySource.length > 0;
    const result = await runRewrite(ctx, target, {
      what,
      files,
      userSql: clauseSql(spec),
      rowId: true,
      rewriter: {
        async decide(table, _file, rowId) {
          const from = joinFrom(table);
          if (spec.notMatched.length > 0) {
            await engine.query(`INSERT INTO ${quoteIdentifier(matchedIds)} SELECT DISTINCT ${s}.${SID} ${from} WHERE ${s}.${PRESENT}`);
          }
          if (!changesRows) return 'unchanged';
          const counts = await engine.query(
            `SELECT count(*) FILTER (WHERE a IN (${plan.updateCodes.join(', ') || '-1'})) AS updated, count(*) FILTER (WHERE a IN (${plan.deleteCodes.join(', ') || '-1'})) AS deleted, ` +
              `count(p) - count(DISTINCT CASE WHEN p THEN rid END) AS extra, count(DISTINCT rid) AS rows ` +
              `FROM (SELECT ${plan.action} AS a, ${t}.${rowId} AS rid, ${s}.${PRESENT} AS p ${from}) AS "__duckrun_merge_rows"`,
          );
          const get = (name: string): number => Number(counts.getChild(name)?.get(0) ?? 0);
          if (get('extra') > 0 && plan.checkCardinality) {
            throw new MergeCardinalityError(
              `${what}: ${get('extra')} source row${get('extra') === 1 ? '' : 's'} match a target row that another source row matches too, so the update or delete to apply is ambiguous; ` +
                'deduplicate the source on the merge key (e.g. QUALIFY row_number() OVER (PARTITION BY key ORDER BY updated_at DESC) = 1). Nothing was committed',
            );
          }
          const fileUpdated = get('updated');
          const fileDeleted = get('deleted');
          if (fileUpdated + fileDeleted === 0) return 'unchanged';
          updated += fileUpdated;
          deleted += fileDeleted;
          copied += get('rows') - fileUpdated - fileDeleted;
          return fileDeleted === get('rows') ? 'drop' : 'rewrite';
        },
        replacement: (table) =>
          `SELECT * EXCLUDE (${ACTION}) FROM (SELECT ${plan.action} AS ${ACTION}, ${plan.outputColumns.join(', ')} ${joinFrom(table)}) AS "__duckrun_merge_out" ` +
          `WHERE ${ACTION} NOT IN (${plan.deleteCodes.join(', ') || '-1'})`,
      },
      ...(spec.notMatched.length > 0
        ? {
            after: async () => {
              const unmatched = `FROM ${quoteIdentifier(source)} AS ${s} WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdentifier(matchedIds)} AS m WHERE m.sid = ${s}.${SID})`;
              const rows = `SELECT ${plan.insertAction} AS ${ACTION}, ${plan.insertColumns.join(', ')} ${unmatched}`;
              inserted = await countOf(engine, `SELECT count(*) FROM (${rows}) AS "__duckrun_merge_new" WHERE ${ACTION} <> 0`);
              // Insert columns are cast to the table's types (planClauses), so DuckDB may write them itself.
              return inserted > 0 ? { sql: `SELECT * EXCLUDE (${ACTION}) FROM (${rows}) AS "__duckrun_merge_new" WHERE ${ACTION} <> 0`, exactTypes: true } : undefined;
            },
          }
        : {}),
      commit: {
        operation: 'MERGE',
        operationParameters: {
          predicate: [spec.condition],
          matchedPredicates: spec.matched.map((c) => ({ actionType: c.kind, ...(c.condition ? { predicate: c.condition } : {}) })),
          notMatchedPredicates: spec.notMatched.map((c) => ({ actionType: c.kind, ...(c.condition ? { predicate: c.condition } : {}) })),
          notMatchedBySourcePredicates: spec.notMatchedBySource.map((c) => ({ actionType: c.kind, ...(c.condition ? { predicate: c.condition } : {}) })),
        },
        operationMetrics: () => ({
          numSourceRows,
          numTargetRowsInserted: inserted,
          numTargetRowsUpdated: updated,
          numTargetRowsDeleted: deleted,
          numTargetRowsCopied: copied,
          numTargetFilesScanned: files.length,
        }),
        pinned: true,
      },
    });
    return {
      tableUri: spec.tableUri,
      version: result.version,
      readVersion: target.snapshot.version,
      committed: result.committed,
      numSourceRows,
      numTargetRowsInserted: inserted,
      numTargetRowsUpdated: updated,
      numTargetRowsDeleted: deleted,
      numTargetRowsCopied: copied,
      numTargetFilesRemoved: result.filesRemoved,
      numTargetFilesAdded: result.filesAdded,
      numTargetFilesScanned: files.length,
      numTargetFilesTotal: target.snapshot.files().length,
    };
  } finally {
    await engine.dropTable(source).catch(() => undefined);
    await engine.dropTable(matchedIds).catch(() => undefined);
  }
}

/** The SQL the clauses compile to. */
interface ClausePlan {
  /** CASE expression giving each joined row its action code. */
  readonly action: string;
  readonly updateCodes: number[];
  readonly deleteCodes: number[];
  /** Output columns of a rewritten file (table order, cast to the table types), using ACTION. */
  readonly outputColumns: string[];
  /** CASE giving each unmatched source row its insert clause (0: none applies). */
  readonly insertAction: string;
  readonly insertColumns: string[];
  /** Whether several source rows matching one target row is an error (not when all matched clauses are unconditional deletes). */
  readonly checkCardinality: boolean;
}

function planClauses(spec: MergeSpec, target: DmlTarget, sourceColumns: readonly string[], what: string): ClausePlan {
  const t = quoteIdentifier(spec.targetAlias);
  const s = quoteIdentifier(spec.sourceAlias);
  const present = `${s}.${PRESENT}`;
  const fields = target.snapshot.schema.fields;
  const cond = (c: string | undefined): string => (c === undefined ? '' : ` AND (${c}\n)`);
  const whens: string[] = [];
  const updateCodes: number[] = [];
  const deleteCodes: number[] = [];
  const setsByCode = new Map<number, Map<string, string>>();
  spec.matched.forEach((c, i) => {
    const code = 1 + i;
    whens.push(`WHEN ${present} IS NOT NULL${cond(c.condition)} THEN ${code}`);
    if (c.kind === 'delete') deleteCodes.push(code);
    else {
      updateCodes.push(code);
      setsByCode.set(code, resolveSet(c.set, target, spec, sourceColumns, what, 'whenMatchedUpdate'));
    }
  });
  spec.notMatchedBySource.forEach((c, j) => {
    const code = BY_SOURCE + j;
    whens.push(`WHEN ${present} IS NULL${cond(c.condition)} THEN ${code}`);
    if (c.kind === 'delete') deleteCodes.push(code);
    else {
      updateCodes.push(code);
      setsByCode.set(code, resolveSet(c.set, target, spec, sourceColumns, what, 'whenNotMatchedBySourceUpdate'));
    }
  });
  const action = whens.length === 0 ? '0' : `CASE ${whens.join(' ')} ELSE 0 END`;
  const outputColumns = fields.map((f) => {
    const current = `${t}.${quoteIdentifier(f.name)}`;
    const branches = [...setsByCode].filter(([, set]) => set.has(f.name)).map(([code, set]) => `WHEN ${code} THEN CAST((${set.get(f.name)}\n) AS ${duckTypeOf(f.type, f.name)})`);
    return branches.length === 0 ? current : `CASE ${ACTION} ${branches.join(' ')} ELSE ${current} END AS ${quoteIdentifier(f.name)}`;
  });

  const insertWhens = spec.notMatched.map((c, k) => `WHEN TRUE${cond(c.condition)} THEN ${1 + k}`);
  const insertAction = insertWhens.length === 0 ? '0' : `CASE ${insertWhens.join(' ')} ELSE 0 END`;
  const valuesByCode = spec.notMatched.map((c) => resolveSet(c.values, target, spec, sourceColumns, what, 'whenNotMatchedInsert'));
  const insertColumns = fields.map((f) => {
    const type = duckTypeOf(f.type, f.name);
    const branches = valuesByCode.flatMap((values, k) => (values.has(f.name) ? [`WHEN ${1 + k} THEN CAST((${values.get(f.name)}\n) AS ${type})`] : []));
    return branches.length === 0 ? `CAST(NULL AS ${type}) AS ${quoteIdentifier(f.name)}` : `CASE ${ACTION} ${branches.join(' ')} ELSE NULL END AS ${quoteIdentifier(f.name)}`;
  });
  const checkCardinality = !spec.matched.every((c) => c.kind === 'delete' && c.condition === undefined);
  return { action, updateCodes, deleteCodes, outputColumns, insertAction, insertColumns, checkCardinality };
}

/** The SQL texts of a merge's condition and clauses. */
function clauseSql(spec: MergeSpec): string[] {
  const texts = [spec.condition];
  for (const clause of [...spec.matched, ...spec.notMatched, ...spec.notMatchedBySource]) {
    if (clause.condition !== undefined) texts.push(clause.condition);
    const assignments = 'set' in clause ? clause.set : 'values' in clause ? clause.values : '*';
    if (assignments !== '*') texts.push(...assignments.map(([, expr]) => expr));
  }
  return texts;
}

/** Assignments → target column → expression; `*` pairs every target column with the source column of its name. */
function resolveSet(set: Assignments, target: DmlTarget, spec: MergeSpec, sourceColumns: readonly string[], what: string, clause: string): Map<string, string> {
  const out = new Map<string, string>();
  if (set === '*') {
    for (const f of target.snapshot.schema.fields) {
      const from = sourceColumns.find((c) => c.toLowerCase() === f.name.toLowerCase());
      if (from === undefined) {
        throw new MergeClauseError(
          `${what}: ${clause}All() needs a source column for every target column, but the source has no "${f.name}"; add it to the source query, or list the columns with ${clause}({...})`,
        );
      }
      out.set(f.name, `${quoteIdentifier(spec.sourceAlias)}.${quoteIdentifier(from)}`);
    }
    return out;
  }
  for (const [key, expr] of set) {
    // Spark accepts `target.col` as a key as well as `col`.
    const name = key.toLowerCase().startsWith(`${spec.targetAlias.toLowerCase()}.`) ? key.slice(spec.targetAlias.length + 1) : key;
    const column = findColumn(target.snapshot, name.replace(/^"(.*)"$/, '$1'));
    if (column === undefined) {
      throw new MergeClauseError(
        `${what}: ${clause} sets "${key}", which is not a column of ${target.label} (columns: ${target.snapshot.schema.fields.map((f) => f.name).join(', ')})`,
      );
    }
    if (out.has(column)) throw new MergeClauseError(`${what}: ${clause} sets column "${column}" twice; set each column once`);
    if (typeof expr !== 'string' || expr.trim() === '') throw new MergeClauseError(`${what}: ${clause} needs a SQL expression for column "${column}"`);
    out.set(column, expr);
  }
  return out;
}

/** As in Delta: within each clause kind, only the last clause may go without a condition. */
function checkClauseOrder(spec: MergeSpec, what: string): void {
  const lists: [string, readonly { condition?: string }[]][] = [
    ['whenMatched', spec.matched],
    ['whenNotMatched', spec.notMatched],
    ['whenNotMatchedBySource', spec.notMatchedBySource],
  ];
  for (const [name, list] of lists) {
    const i = list.findIndex((c) => c.condition === undefined);
    if (i !== -1 && i < list.length - 1) {
      throw new MergeClauseError(`${what}: ${name} clause ${i + 1} has no condition, so the ${name} clauses after it could never apply; give it a condition or make it the last one`);
    }
  }
}

async function columnTypes(ctx: WriteContext, table: string): Promise<Map<string, string>> {
  const columns = await describe(ctx.engine, `SELECT * FROM ${quoteIdentifier(table)}`);
  return new Map(columns.filter((c) => c.name !== PRESENT && c.name !== SID).map((c) => [c.name, c.type] as const));
}
