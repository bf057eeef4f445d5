// Runs the statements routed to Delta that are not plain writes of a query: UPDATE, DELETE, ALTER TABLE
// ADD COLUMN, DROP TABLE and CREATE TABLE with column definitions.
import { Table } from 'apache-arrow';
import { addColumns, createDeltaTable, DeltaTable, toArrowSchema, writeDeltaTable, type StructField } from '@duckrun/delta';
import { resolveStore } from '@duckrun/storage';
import { deleteRows } from '../dml/delete.js';
import { openTarget } from '../dml/target.js';
import { clearTombstone, writeTombstone } from '../dml/tombstone.js';
import { updateRows } from '../dml/update.js';
import { QueryError, TableExistsError, TableNotFoundError } from '../errors.js';
import { quoteIdentifier } from '../sql/literals.js';
import type { DmlStatement } from './dml-statement.js';
import { parseDuckType } from './duck-type.js';
import { REVIVE, tableState, type WriteContext, type WriteOutcome, type WriteStatementOptions } from './execute.js';
import { describeWriteStatement } from './statement.js';
import { tableLocation, tableNameText } from './table-name.js';
import { deltaTypeOf } from './type-mapping.js';

/** Executes one of the {@link DmlStatement} forms. */
export async function executeDmlStatement(statement: DmlStatement, ctx: WriteContext, options: WriteStatementOptions = {}): Promise<WriteOutcome> {
  const name = tableNameText(statement.table);
  const tableUri = tableLocation(statement.table, ctx.root);
  const what = describeWriteStatement(statement);
  const state = await tableState(tableUri, ctx.storageOptions);
  const outcome = (action: WriteOutcome['action'], version: number, rows = 0, files = 0): WriteOutcome => ({ action, table: name, tableUri, version, rowsWritten: rows, filesAdded: files });
  if (statement.kind === 'create-empty') {
    if (state.snapshot !== undefined && statement.mode === 'error') {
      throw new TableExistsError(`table ${name} already exists at ${tableUri} (version ${state.snapshot.version}); use CREATE OR REPLACE TABLE or CREATE TABLE IF NOT EXISTS`);
    }
    if (state.snapshot !== undefined && statement.mode === 'ignore') return outcome('skipped', state.snapshot.version);
    const schema = { type: 'struct' as const, fields: await columnFields(ctx, statement.columns, what) };
    const common = {
      ...(options.allowTimestampNtz === true ? { allowTimestampNtz: true } : {}),
      ...(ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {}),
    };
    if (state.snapshot === undefined && !state.dropped) {
      const table = await createDeltaTable(tableUri, schema, common);
      return outcome('created', await table.version());
    }
    // An empty Arrow table: no rows, so the overwrite removes every file and commits the new schema.
    const result = await writeDeltaTable(tableUri, new Table(toArrowSchema(schema)), { ...REVIVE, partitionBy: [], operation: 'CREATE OR REPLACE TABLE', ...common });
    if (state.dropped) await clearTombstone(tableUri, ctx.storageOptions);
    return outcome(state.snapshot !== undefined ? 'replaced' : 'created', result.version);
  }
  if (state.snapshot === undefined) {
    if (statement.kind === 'drop' && statement.ifExists) return outcome('skipped', -1);
    const why = state.dropped ? `table ${name} at ${tableUri} was dropped` : `there is no Delta table ${name} at ${tableUri} (root ${ctx.root})`;
    throw new TableNotFoundError(`${what}: ${why}; check the name, or create it with CREATE TABLE ${name} AS …`);
  }
  switch (statement.kind) {
    case 'drop': {
      const store = await resolveStore(tableUri, ctx.storageOptions ?? {});
      await writeTombstone(store, state.snapshot.version);
      return outcome('dropped', state.snapshot.version);
    }
    case 'delete': {
      const r = await deleteRows(ctx, { tableUri, label: name, alias: statement.alias, ...(statement.where !== undefined ? { predicate: statement.where } : {}) });
      return outcome('deleted', r.version, r.rowsDeleted, r.filesAdded);
    }
    case 'update': {
      const r = await updateRows(ctx, { tableUri, label: name, alias: statement.alias, set: statement.set, ...(statement.where !== undefined ? { predicate: statement.where } : {}) });
      return outcome('updated', r.version, r.rowsUpdated, r.filesAdded);
    }
    case 'add-column': {
      const target = await openTarget(ctx, tableUri, name, what);
      if (target.snapshot.schema.fields.some((f) => f.name.toLowerCase() === statement.column.toLowerCase())) {
        if (statement.ifNotExists) return outcome('skipped', target.snapshot.version);
      }
      const fields = (await columnFields(ctx, `${quoteIdentifier(statement.column)} ${statement.type}`, what)).map((f) => ({ ...f, nullable: true }));
      const r = await addColumns(await DeltaTable.open(tableUri, ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {}), fields);
      return outcome('altered', r.version);
    }
  }
}

/** Delta fields of column definitions, as DuckDB itself parses them (types normalised, NOT NULL kept). */
async function columnFields(ctx: WriteContext, definitions: string, what: string): Promise<StructField[]> {
  const scratch = `__duckrun_columns_${Date.now().toString(36)}`;
  try {
    await ctx.engine.query(`CREATE TEMP TABLE ${quoteIdentifier(scratch)} (${definitions})`);
  } catch (e) {
    if (e instanceof QueryError) throw new QueryError(`${what}: ${e.detail}`, { cause: e });
    throw e;
  }
  try {
    const described = await ctx.engine.query(`DESCRIBE ${quoteIdentifier(scratch)}`);
    const out: StructField[] = [];
    for (let i = 0; i < described.numRows; i++) {
      const column = String(described.getChild('column_name')?.get(i));
      const type = deltaTypeOf(parseDuckType(String(described.getChild('column_type')?.get(i)), column), column);
      out.push({ name: column, type, nullable: String(described.getChild('null')?.get(i)) !== 'NO', metadata: {} });
    }
    return out;
  } finally {
    await ctx.engine.dropTable(scratch);
  }
}
