// test: the test's SQL selects failing rows; it is wrapped the way dbt wraps it (fail_calc, warn_if,
// error_if, limit) and the verdict follows severity. store_failures keeps the failing rows as a Delta
// table in `<schema>_dbt_test__audit`.
import { Relation } from '../relation.js';
import type { NodeInfo, RunContext } from '../run-context.js';
import { tableToQueryResult } from '../query-result.js';
import type { MaterializeOutcome } from './outcome.js';
import { writeModelQuery } from './write.js';

/** Runs a compiled test and judges it. */
export async function runTest(ctx: RunContext, info: NodeInfo, sql: string): Promise<MaterializeOutcome> {
  const c = info.config;
  const failCalc = String(c['fail_calc'] ?? 'count(*)');
  const warnIf = String(c['warn_if'] ?? '!= 0');
  const errorIf = String(c['error_if'] ?? '!= 0');
  const limit = c['limit'] === null || c['limit'] === undefined ? '' : `\nlimit ${Number(c['limit'])}`;
  const wrapped = `select ${failCalc} as failures, (${failCalc}) ${warnIf} as should_warn, (${failCalc}) ${errorIf} as should_error from (\n${sql}${limit}\n) dbt_internal_test`;
  const result = tableToQueryResult(await ctx.warehouse.query(wrapped));
  const row = result.rows[0] ?? [0, false, false];
  const failures = Number(row[0] ?? 0);
  // run_results records failures as an integer; dbt rejects a fail_calc result that is not a whole number.
  if (!Number.isInteger(failures)) throw new Error(`fail_calc \`${failCalc}\` returned ${String(row[0])}; it must return a whole number of failures`);
  const shouldWarn = row[1] === true;
  const shouldError = row[2] === true;
  const severity = String(c['severity'] ?? 'ERROR').toUpperCase();
  const status = severity === 'ERROR' && shouldError ? 'fail' : shouldWarn || (severity === 'WARN' && shouldError) ? 'warn' : 'pass';
  if (c['store_failures'] === true) await storeFailures(ctx, info, sql);
  const message = status === 'pass' ? null : `Got ${failures} result${failures === 1 ? '' : 's'}, configured to ${status === 'fail' ? 'fail' : 'warn'} if ${status === 'fail' ? errorIf : warnIf}`;
  return { status, message: message ?? 'PASS', failures, compiledCode: sql };
}

/** Writes the failing rows to `<target schema>_dbt_test__audit.<test alias>` (or the test's schema config). */
async function storeFailures(ctx: RunContext, info: NodeInfo, sql: string): Promise<void> {
  const custom = info.config['schema'];
  const schema = typeof custom === 'string' && custom !== '' ? info.schema : `${ctx.target.schema}_dbt_test__audit`;
  const audit: NodeInfo = { ...info, schema, relation: new Relation({ schema, identifier: info.identifier, type: 'table' }), config: { ...info.config, partition_by: undefined } };
  await writeModelQuery(ctx, audit, await ctx.warehouse.expand(sql), { mode: 'overwrite', operation: 'CREATE OR REPLACE TABLE AS SELECT' });
}
