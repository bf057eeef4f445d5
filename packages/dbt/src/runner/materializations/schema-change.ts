// on_schema_change of incremental models: compare the new query's columns with the table's, then
// ignore new columns, fail, or add them to the table (append_new_columns; sync_all_columns, which in
// duckrun only adds: dropping columns would rewrite the table). Columns the query no longer has are
// written as NULL by every strategy.
import { addColumns, CommitConflictError, DeltaTable } from '@duckrun/delta';
import { planCreate, type QueryColumn } from '@duckrun/sql';
import { SchemaChangeError, ModelConfigError } from '../errors.js';
import type { NodeInfo, RunContext } from '../run-context.js';

/** What the strategies write after the schema check. */
export interface SchemaPlan {
  /** Columns of the query that go into the table (in query order). */
  readonly columns: readonly string[];
  /** The table's columns after any change. */
  readonly tableColumns: readonly string[];
  /** Version to pin to (moved when columns were added). */
  readonly readVersion: number;
}

const MODES = ['ignore', 'append_new_columns', 'sync_all_columns', 'fail'] as const;

/** Applies on_schema_change; `source` are the query's columns (a temp table's), `target` the table's. */
export async function applySchemaChange(ctx: RunContext, info: NodeInfo, source: readonly QueryColumn[], target: readonly QueryColumn[], readVersion: number, sourceSql: string): Promise<SchemaPlan> {
  const mode = String(info.config['on_schema_change'] ?? 'ignore');
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new ModelConfigError(info.node.originalFilePath, `on_schema_change '${mode}' is not one of ${MODES.join(', ')}`);
  }
  const have = new Set(target.map((c) => c.name.toLowerCase()));
  const added = source.filter((c) => !have.has(c.name.toLowerCase()));
  const want = new Set(source.map((c) => c.name.toLowerCase()));
  const missing = target.filter((c) => !want.has(c.name.toLowerCase()));
  const common = source.filter((c) => have.has(c.name.toLowerCase())).map((c) => c.name);
  if (added.length === 0 && missing.length === 0) return { columns: common, tableColumns: target.map((c) => c.name), readVersion };
  const diff = `new columns: ${added.map((c) => c.name).join(', ') || 'none'}; columns no longer in the model: ${missing.map((c) => c.name).join(', ') || 'none'}`;
  if (mode === 'fail') {
    throw new SchemaChangeError(
      info.node.originalFilePath,
      `the model's columns differ from the table ${info.relation.render()} (${diff}) and on_schema_change is 'fail'; set on_schema_change to append_new_columns or sync_all_columns, or run with --full-refresh`,
    );
  }
  if (mode === 'ignore' || added.length === 0) return { columns: common, tableColumns: target.map((c) => c.name), readVersion };
  const uri = ctx.warehouse.tableUri(info.schema, info.identifier);
  const storageOptions = ctx.warehouse.storageOptions;
  const table = await DeltaTable.open(uri, Object.keys(storageOptions).length > 0 ? { storageOptions } : {});
  const current = await table.version();
  if (current !== readVersion) {
    throw new CommitConflictError(
      `${info.node.originalFilePath}: table ${info.relation.render()} moved from version ${readVersion} (read by the model) to ${current} before its new columns were added; nothing was written, run the model again`,
      { winningVersion: current, winningOperation: 'UNKNOWN', retries: 0, reason: 'the table changed after the model read it' },
    );
  }
  const fields = planCreate(sourceSql, added).fields;
  const result = (await addColumns(table, fields)).version;
  ctx.emit({ kind: 'log', level: 'info', message: `${info.relation.render()}: on_schema_change=${mode} added columns ${added.map((c) => c.name).join(', ')}`, node: ctx.summary(info.node.uniqueId) });
  ctx.warehouse.forget(info.schema, info.identifier);
  return { columns: source.map((c) => c.name), tableColumns: [...target.map((c) => c.name), ...added.map((c) => c.name)], readVersion: result };
}
