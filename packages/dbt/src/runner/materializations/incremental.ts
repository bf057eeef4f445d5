// incremental (design §5) once the table exists: the model's rows are computed once into a DuckDB
// temp table, on_schema_change is applied, then the strategy writes them — merge (upsert through the
// pinned MERGE), insert (keys not present: an anti-join append), append (blind; pinned only when the
// SQL read {{ this }}), safeappend (pinned append), delete+insert (one commit that deletes the
// matching keys and appends the batch). Every strategy that read the table commits only against the
// version the model read, so a concurrent writer makes the model fail loudly instead of losing rows.
import { deleteRows, mergeInto } from '@duckrun/sql';
import { ModelConfigError } from '../errors.js';
import { quoteName, sqlString } from '../relation.js';
import type { NodeInfo, RunContext } from '../run-context.js';
import type { ExpandOptions } from '../sql-expand.js';
import { maintainTable } from './maintenance.js';
import type { MaterializeOutcome } from './outcome.js';
import { applySchemaChange } from './schema-change.js';
import { writeModelQuery } from './write.js';

/** Strategies duckrun runs (microbatch has its own module). */
export const INCREMENTAL_STRATEGIES = ['merge', 'insert', 'append', 'safeappend', 'delete+insert', 'microbatch'] as const;

const DEST = 'DBT_INTERNAL_DEST';
const SRC = 'DBT_INTERNAL_SOURCE';

/** The model's strategy: configured, else merge with a unique_key and append without. */
export function incrementalStrategy(info: NodeInfo): string {
  const configured = info.config['incremental_strategy'];
  if (typeof configured === 'string' && configured !== '') {
    if (!(INCREMENTAL_STRATEGIES as readonly string[]).includes(configured)) {
      throw new ModelConfigError(info.node.originalFilePath, `incremental_strategy '${configured}' is not supported; use one of ${INCREMENTAL_STRATEGIES.join(', ')}`);
    }
    return configured;
  }
  return uniqueKeys(info).length > 0 ? 'merge' : 'append';
}

/** `unique_key` as a list (one column, a list, or a comma-separated string). */
export function uniqueKeys(info: NodeInfo): string[] {
  const k = info.config['unique_key'];
  if (typeof k === 'string') return k.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (Array.isArray(k)) return k.map((x) => String(x));
  return [];
}

/** Writes an incremental run of `sql` into the existing table read at `readVersion`. */
export async function materializeIncremental(ctx: RunContext, info: NodeInfo, sql: string, expand: ExpandOptions, readVersion: number, readsThis: boolean): Promise<MaterializeOutcome> {
  const w = ctx.warehouse;
  const strategy = incrementalStrategy(info);
  const keys = uniqueKeys(info);
  const file = info.node.originalFilePath;
  if ((strategy === 'insert' || strategy === 'delete+insert') && keys.length === 0) {
    throw new ModelConfigError(file, `incremental_strategy '${strategy}' needs a unique_key; set config(unique_key='id') (or a list of columns)`);
  }
  const temp = `__dbt_tmp_${info.identifier}`;
  const uri = w.tableUri(info.schema, info.identifier);
  await w.materializeTemp(temp, await w.expand(sql, expand));
  try {
    const source = await w.describeExpanded(`SELECT * FROM "${temp}"`);
    const target = await w.describeExpanded(`SELECT * FROM delta_scan(${sqlString(uri)}, version => ${readVersion})`);
    const plan = await applySchemaChange(ctx, info, source, target, readVersion, `SELECT * FROM "${temp}"`);
    const srcSelect = `SELECT ${plan.columns.map(quoteName).join(', ')} FROM "${temp}"`;
    const predicates = incrementalPredicates(info);
    const label = info.relation.render();
    let outcome: MaterializeOutcome;
    switch (strategy) {
      case 'append':
      case 'safeappend': {
        const pinned = strategy === 'safeappend' || readsThis;
        const r = await writeModelQuery(ctx, info, srcSelect, { mode: 'append', operation: 'WRITE', ...(pinned ? { pinnedVersion: plan.readVersion } : {}) });
        outcome = { message: `INSERT 0 ${r.rowsWritten}`, rowsAffected: r.rowsWritten };
        break;
      }
      case 'merge':
      case 'insert': {
        if (keys.length === 0) {
          // dbt's merge without a unique_key inserts every row.
          const r = await writeModelQuery(ctx, info, srcSelect, { mode: 'append', operation: 'WRITE', pinnedVersion: plan.readVersion });
          outcome = { message: `INSERT 0 ${r.rowsWritten}`, rowsAffected: r.rowsWritten };
          break;
        }
        const condition = [...keys.map((k) => `${SRC}.${quoteName(k)} = ${DEST}.${quoteName(k)}`), ...predicates.map((p) => `(${p})`)].join(' AND ');
        const insertValues = plan.columns.map((c) => [c, `${SRC}.${quoteName(c)}`] as const);
        const r = await mergeInto(w.writeContext(), {
          tableUri: uri,
          label,
          source: srcSelect,
          condition,
          targetAlias: DEST,
          sourceAlias: SRC,
          matched: strategy === 'merge' ? [{ kind: 'update', set: updateColumns(info, plan.columns, keys).map((c) => [c, `${SRC}.${quoteName(c)}`] as const) }] : [],
          notMatched: [{ kind: 'insert', values: insertValues }],
          notMatchedBySource: [],
          readVersion: plan.readVersion,
        });
        const rows = r.numTargetRowsInserted + r.numTargetRowsUpdated;
        outcome = { message: strategy === 'merge' ? `MERGE ${rows}` : `INSERT 0 ${rows}`, rowsAffected: rows };
        break;
      }
      case 'delete+insert': {
        const match = keys.map((k) => `s.${quoteName(k)} = ${DEST}.${quoteName(k)}`).join(' AND ');
        const r = await deleteRows(w.writeContext(), {
          tableUri: uri,
          label,
          alias: DEST,
          predicate: [`EXISTS (SELECT 1 FROM "${temp}" AS s WHERE ${match})`, ...predicates.map((p) => `(${p})`)].join(' AND '),
          readVersion: plan.readVersion,
          append: srcSelect,
        });
        outcome = { message: `INSERT 0 ${r.rowsInserted}`, rowsAffected: r.rowsInserted };
        break;
      }
      default:
        throw new ModelConfigError(file, `incremental_strategy '${strategy}' cannot run here`);
    }
    w.forget(info.schema, info.identifier);
    await maintainTable(ctx, info, 'append');
    return { ...outcome, compiledCode: sql };
  } finally {
    await w.dropTemp(temp);
  }
}

/** Columns a matched row gets from the source: merge_update_columns, else all but merge_exclude_columns (keys stay). */
function updateColumns(info: NodeInfo, columns: readonly string[], keys: readonly string[]): string[] {
  const lower = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => String(x).toLowerCase()) : undefined);
  const include = lower(info.config['merge_update_columns']);
  const exclude = new Set(lower(info.config['merge_exclude_columns']) ?? []);
  const keySet = new Set(keys.map((k) => k.toLowerCase()));
  return columns.filter((c) => {
    const l = c.toLowerCase();
    if (include !== undefined) return include.includes(l);
    return !exclude.has(l) && !keySet.has(l);
  });
}

function incrementalPredicates(info: NodeInfo): string[] {
  const p = info.config['incremental_predicates'];
  if (typeof p === 'string') return [p];
  if (Array.isArray(p)) return p.map((x) => String(x));
  return [];
}
