// table: a Delta overwrite that replaces the table's rows, schema and partitioning in one commit
// (readers never see it half-written); a persisted view of the same name is removed first.
import type { ExpandOptions } from '../sql-expand.js';
import type { NodeInfo, RunContext } from '../run-context.js';
import { maintainTable } from './maintenance.js';
import type { MaterializeOutcome } from './outcome.js';
import { writeModelQuery } from './write.js';

/** Materializes a table (also the first run or full refresh of an incremental model). */
export async function materializeTable(ctx: RunContext, info: NodeInfo, sql: string, expand: ExpandOptions, operation = 'CREATE OR REPLACE TABLE AS SELECT'): Promise<MaterializeOutcome> {
  const expanded = await ctx.warehouse.expand(sql, expand);
  const result = await writeModelQuery(ctx, info, expanded, { mode: 'overwrite', operation });
  await ctx.warehouse.removeView(info.schema, info.identifier);
  await maintainTable(ctx, info, 'overwrite');
  return { message: `OK ${result.rowsWritten}`, rowsAffected: result.rowsWritten, compiledCode: sql };
}
