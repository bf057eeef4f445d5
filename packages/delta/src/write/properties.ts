// Table properties changed on their own (Spark's ALTER TABLE … SET TBLPROPERTIES): one metadata commit,
// with the protocol raised when a property turns on a feature that needs it.

import { commitTransaction, type TransactionOptions } from '../commit/transaction.js';
import { InvalidOptionError } from '../errors.js';
import type { Action } from '../kernel/actions/types.js';
import type { DeltaTable } from '../table.js';
import { planWrite } from './write-plan.js';

/** Options of {@link setTableProperties}. */
export interface SetPropertiesOptions {
  /** `commitInfo.operation` (default `SET TBLPROPERTIES`). */
  readonly operation?: string;
  readonly commit?: TransactionOptions;
}

/**
 * Merges `properties` into the latest configuration of `table` and commits it; returns the version, or
 * the current one when every property already had its value.
 */
export async function setTableProperties(table: DeltaTable, properties: Readonly<Record<string, string>>, options: SetPropertiesOptions = {}): Promise<number> {
  for (const [k, v] of Object.entries(properties)) {
    if (typeof v !== 'string') throw new InvalidOptionError(`table property "${k}" of ${table.uri} must be a string (got ${typeof v}); write numbers and booleans as text`);
  }
  const snapshot = await table.snapshot();
  const plan = planWrite(table.uri, snapshot, undefined, 'append', { properties });
  if (plan.metadata === undefined) return snapshot.version;
  const actions: Action[] = [];
  if (plan.protocol) actions.push({ protocol: plan.protocol });
  actions.push({ metaData: plan.metadata });
  const result = await commitTransaction(
    table.store,
    table.uri,
    snapshot,
    { actions, operation: options.operation ?? 'SET TBLPROPERTIES', operationParameters: { properties }, pinned: false, blindAppend: false, reads: [] },
    options.commit,
  );
  return result.version;
}
