// ALTER TABLE … ADD COLUMNS: a metadata-only commit that appends nullable columns to the schema. Existing
// files simply lack them, which readers fill with nulls, so no data file is touched.

import { commitTransaction, type TransactionOptions } from '../commit/transaction.js';
import { SchemaError } from '../errors.js';
import type { Action } from '../kernel/actions/types.js';
import { toArrowSchema } from '../kernel/schema/arrow.js';
import type { StructField } from '../kernel/schema/types.js';
import type { DeltaTable } from '../table.js';
import { planWrite } from './write-plan.js';

/** The outcome of {@link addColumns}. */
export interface AddColumnsResult {
  readonly version: number;
  /** Logical names of the columns added. */
  readonly columnsAdded: readonly string[];
}

/**
 * Adds `columns` (Delta fields, all nullable) at the end of the latest schema of `table`,
 * in one `ADD COLUMNS` commit. Fails naming the column when it exists already or is not nullable.
 */
export async function addColumns(
  table: DeltaTable,
  columns: readonly StructField[],
  options: { readonly commit?: TransactionOptions } = {},
): Promise<AddColumnsResult> {
  const fields = columns.map((c) => ({ ...c, metadata: c.metadata ?? {} }));
  if (fields.length === 0) throw new SchemaError(`ADD COLUMNS on ${table.uri} needs at least one column`);
  const snapshot = await table.snapshot();
  const existing = new Set(snapshot.schema.fields.map((f) => f.name.toLowerCase()));
  const seen = new Set<string>();
  for (const f of fields) {
    const key = f.name.toLowerCase();
    if (existing.has(key) || seen.has(key)) {
      throw new SchemaError(`column "${f.name}" already exists in ${table.uri}; pick another name (Delta column names are case-insensitive)`);
    }
    seen.add(key);
    if (!f.nullable) {
      throw new SchemaError(`column "${f.name}" added to ${table.uri} must be nullable: the rows already in the table have no value for it`);
    }
  }
  const widened = toArrowSchema({ type: 'struct', fields: [...snapshot.schema.fields, ...fields] });
  const plan = planWrite(table.uri, snapshot, widened, 'append', { schemaMode: 'merge' });
  const actions: Action[] = [];
  if (plan.protocol) actions.push({ protocol: plan.protocol });
  actions.push({ metaData: plan.metadata! });
  const result = await commitTransaction(
    table.store,
    table.uri,
    snapshot,
    {
      actions,
      operation: 'ADD COLUMNS',
      operationParameters: { columns: fields.map((f) => ({ column: { name: f.name, type: f.type, nullable: true, metadata: f.metadata } })) },
      pinned: false,
      blindAppend: false,
      reads: [],
    },
    options.commit,
  );
  return { version: result.version, columnsAdded: plan.columnsAdded };
}
