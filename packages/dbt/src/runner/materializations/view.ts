// view: the compiled SQL is checked by DuckDB (a DESCRIBE), then its definition is persisted beside
// the tables so every later statement, in this process or another, reads it as a subquery.
import type { NodeInfo, RunContext } from '../run-context.js';
import type { MaterializeOutcome } from './outcome.js';

/** Materializes a view. */
export async function materializeView(ctx: RunContext, info: NodeInfo, sql: string): Promise<MaterializeOutcome> {
  await ctx.warehouse.describe(sql);
  await ctx.warehouse.saveView(info.schema, info.identifier, sql);
  return { message: 'OK', compiledCode: sql };
}
