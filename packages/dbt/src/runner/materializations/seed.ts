// seed: the CSV typed like dbt (agate) types it, registered in DuckDB as Arrow and written as a Delta
// overwrite, so the table's schema always follows the file.
import { readProjectText } from '../../io/index.js';
import { readSeed } from '../../seeds/index.js';
import type { NodeInfo, RunContext } from '../run-context.js';
import { maintainTable } from './maintenance.js';
import type { MaterializeOutcome } from './outcome.js';
import { writeModelQuery } from './write.js';

/** Loads a seed into its Delta table. */
export async function materializeSeed(ctx: RunContext, info: NodeInfo): Promise<MaterializeOutcome> {
  const n = info.node;
  const text = readProjectText(n.rootPath, n.originalFilePath);
  const columnTypes = info.config['column_types'];
  const delimiter = info.config['delimiter'];
  const seed = readSeed(text, {
    file: n.originalFilePath,
    ...(typeof columnTypes === 'object' && columnTypes !== null ? { columnTypes: Object.fromEntries(Object.entries(columnTypes).map(([k, v]) => [k, String(v)])) } : {}),
    ...(typeof delimiter === 'string' ? { delimiter } : {}),
  });
  const temp = `__dbt_seed_${info.identifier}`;
  const engine = ctx.warehouse.session.engine;
  await engine.registerArrow(temp, seed.table as never);
  try {
    const r = await writeModelQuery(ctx, info, `SELECT * FROM "${temp}"`, { mode: 'overwrite', operation: 'CREATE OR REPLACE TABLE AS SELECT' });
    await ctx.warehouse.removeView(info.schema, info.identifier);
    await maintainTable(ctx, info, 'overwrite');
    return { message: `INSERT ${r.rowsWritten}`, rowsAffected: r.rowsWritten };
  } finally {
    await engine.dropTable(temp).catch(() => undefined);
  }
}
