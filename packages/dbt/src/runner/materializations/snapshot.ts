// snapshot (type-2 history): the first run copies the query with dbt_scd_id, dbt_updated_at,
// dbt_valid_from and an open dbt_valid_to; later runs build dbt's staging set (new rows and new
// versions to insert, changed rows to close, and with invalidate_hard_deletes the vanished rows to
// close) and apply it with one MERGE pinned to the version read, as dbt's snapshot_merge_sql does.
import { mergeInto } from '@duckrun/sql';
import { ModelConfigError } from '../errors.js';
import { quoteName, sqlString } from '../relation.js';
import type { NodeInfo, RunContext } from '../run-context.js';
import { maintainTable } from './maintenance.js';
import type { MaterializeOutcome } from './outcome.js';
import { writeModelQuery } from './write.js';

/** Materializes a snapshot; `readVersion` is its table's version when it exists. */
export async function materializeSnapshot(ctx: RunContext, info: NodeInfo, sql: string, readVersion: number | undefined): Promise<MaterializeOutcome> {
  const w = ctx.warehouse;
  const c = info.config;
  const file = info.node.originalFilePath;
  const strategy = String(c['strategy'] ?? '');
  const keys = Array.isArray(c['unique_key']) ? c['unique_key'].map(String) : typeof c['unique_key'] === 'string' ? [c['unique_key']] : [];
  if (keys.length === 0) throw new ModelConfigError(file, `snapshot ${info.node.name} needs a unique_key config`);
  if (strategy !== 'timestamp' && strategy !== 'check') throw new ModelConfigError(file, `snapshot ${info.node.name}: strategy must be 'timestamp' or 'check', not '${strategy}'`);
  const now = `CAST(${sqlString(ctx.runStartedAt.toISOString().replace('T', ' ').replace('Z', ''))} AS TIMESTAMP)`;
  const updatedAt = strategy === 'timestamp' ? quoteName(requireString(c['updated_at'], file, 'updated_at')) : now;
  const keyExpr = keys.length === 1 ? quoteName(keys[0]!) : keys.map((k) => `coalesce(cast(${quoteName(k)} as varchar), '')`).join(` || '|' || `);
  const scdId = `md5(coalesce(cast(${keyExpr} as varchar), '') || '|' || coalesce(cast(${updatedAt} as varchar), ''))`;
  const expanded = await w.expand(sql);
  const uri = w.tableUri(info.schema, info.identifier);

  if (readVersion === undefined || ctx.options.fullRefresh === true) {
    const first = `select *, ${scdId} as dbt_scd_id, ${updatedAt} as dbt_updated_at, ${updatedAt} as dbt_valid_from, nullif(${updatedAt}, ${updatedAt}) as dbt_valid_to from (\n${expanded}\n) as snapshot_query`;
    const r = await writeModelQuery(ctx, info, first, { mode: 'overwrite', operation: 'CREATE OR REPLACE TABLE AS SELECT' });
    await w.removeView(info.schema, info.identifier);
    await maintainTable(ctx, info, 'overwrite');
    return { message: `INSERT ${r.rowsWritten}`, rowsAffected: r.rowsWritten, compiledCode: sql };
  }

  const sourceColumns = (await w.describeExpanded(expanded)).map((col) => col.name);
  const changed =
    strategy === 'timestamp'
      ? `snapshotted_data.dbt_valid_from < source_data.${updatedAt}`
      : checkColumns(c['check_cols'], sourceColumns, keys, file).map((col) => `snapshotted_data.${quoteName(col)} is distinct from source_data.${quoteName(col)}`).join(' or ');
  const hardDeletes = c['invalidate_hard_deletes'] === true || c['hard_deletes'] === 'invalidate';
  const target = `delta_scan(${sqlString(uri)}, version => ${readVersion})`;
  const uk = keyExpr;
  const staging = `
with snapshot_query as (\n${expanded}\n),
snapshotted_data as (select *, ${uk} as dbt_unique_key from ${target} where dbt_valid_to is null),
insertions_source_data as (select *, ${uk} as dbt_unique_key, ${updatedAt} as dbt_updated_at, ${updatedAt} as dbt_valid_from, nullif(${updatedAt}, ${updatedAt}) as dbt_valid_to, ${scdId} as dbt_scd_id from snapshot_query),
updates_source_data as (select *, ${uk} as dbt_unique_key, ${updatedAt} as dbt_updated_at, ${updatedAt} as dbt_valid_from, ${updatedAt} as dbt_valid_to from snapshot_query),
insertions as (
  select 'insert' as dbt_change_type, source_data.* from insertions_source_data as source_data
  left outer join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
  where snapshotted_data.dbt_unique_key is null or (${changed})
),
updates as (
  select 'update' as dbt_change_type, source_data.*, snapshotted_data.dbt_scd_id from updates_source_data as source_data
  join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
  where (${changed})
)${
    hardDeletes
      ? `,
deletes as (
  select 'delete' as dbt_change_type, snapshotted_data.dbt_scd_id, ${now} as dbt_valid_to
  from snapshotted_data left join (select ${uk} as dbt_unique_key from snapshot_query) as source_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
  where source_data.dbt_unique_key is null
)`
      : ''
  }
select * from insertions union all by name select * from updates${hardDeletes ? ' union all by name select * from deletes' : ''}`;
  const temp = `__dbt_snapshot_staging_${info.identifier}`;
  await w.materializeTemp(temp, staging);
  try {
    const tableColumns = (await w.describeExpanded(`select * from ${target}`)).map((col) => col.name);
    const r = await mergeInto(w.writeContext(), {
      tableUri: uri,
      label: info.relation.render(),
      source: `select * from "${temp}"`,
      condition: 'DBT_INTERNAL_SOURCE.dbt_scd_id = DBT_INTERNAL_DEST.dbt_scd_id',
      targetAlias: 'DBT_INTERNAL_DEST',
      sourceAlias: 'DBT_INTERNAL_SOURCE',
      matched: [
        {
          kind: 'update',
          condition: "DBT_INTERNAL_DEST.dbt_valid_to is null and DBT_INTERNAL_SOURCE.dbt_change_type in ('update', 'delete')",
          set: [['dbt_valid_to', 'DBT_INTERNAL_SOURCE.dbt_valid_to']],
        },
      ],
      notMatched: [
        {
          kind: 'insert',
          condition: "DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'",
          values: tableColumns.filter((col) => sourceColumns.includes(col) || col.startsWith('dbt_')).map((col) => [col, `DBT_INTERNAL_SOURCE.${quoteName(col)}`] as const),
        },
      ],
      notMatchedBySource: [],
      readVersion,
    });
    w.forget(info.schema, info.identifier);
    await maintainTable(ctx, info, 'append');
    const rows = r.numTargetRowsInserted + r.numTargetRowsUpdated;
    return { message: `MERGE ${rows}`, rowsAffected: rows, compiledCode: sql };
  } finally {
    await w.dropTemp(temp);
  }
}

function requireString(v: unknown, file: string, key: string): string {
  if (typeof v !== 'string' || v === '') throw new ModelConfigError(file, `snapshot with strategy 'timestamp' needs ${key} (the column that says when a row changed)`);
  return v;
}

/** check_cols: 'all' (every column but the key) or a list. */
function checkColumns(v: unknown, sourceColumns: readonly string[], keys: readonly string[], file: string): string[] {
  if (v === 'all') return sourceColumns.filter((col) => !keys.includes(col));
  if (Array.isArray(v) && v.length > 0) return v.map(String);
  throw new ModelConfigError(file, "snapshot with strategy 'check' needs check_cols: 'all' or a list of columns");
}
