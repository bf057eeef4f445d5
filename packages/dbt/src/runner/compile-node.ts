// Execute-phase compilation of one node: its ephemeral ancestors first (their SQL is injected as
// CTEs, dbt's `__dbt__cte__<name>`), then the node's own render with database calls answered by the
// warehouse, and its hooks.
import type { ExpandOptions } from './sql-expand.js';
import { cteName, nodeContext, type CteCollector, type RenderTweaks } from './node-context.js';
import type { NodeInfo, RunContext } from './run-context.js';

/** Renders a node's SQL (or `source`, e.g. a hook) in its context, with ephemeral CTEs injected. */
export async function compileNode(ctx: RunContext, info: NodeInfo, tweaks: RenderTweaks = {}, expand: ExpandOptions = {}, source?: { text: string; name: string }): Promise<string> {
  await compileEphemeralAncestors(ctx, info);
  const ctes: CteCollector = new Set();
  const out = await ctx.env.render(
    source === undefined ? { source: info.node.rawCode, name: info.node.originalFilePath } : { source: source.text, name: source.name },
    nodeContext(ctx, info, tweaks, ctes),
    { runQuery: (sql) => ctx.warehouse.queryResult(sql, expand) },
  );
  const list = [...ctes].map((id) => [cteName(ctx.infos.get(id)!.node.name), ctx.ephemeralSql.get(id) ?? ''] as const);
  return injectCtes(out.output, list);
}

/** Compiles (once per run) every ephemeral model upstream of `info`, parents first. */
async function compileEphemeralAncestors(ctx: RunContext, info: NodeInfo): Promise<void> {
  const ancestors = ctx.graph.topologicalOrder(ctx.graph.ancestors(info.node.uniqueId));
  for (const id of ancestors) {
    const a = ctx.infos.get(id);
    if (a === undefined || a.materialized !== 'ephemeral' || ctx.ephemeralSql.has(id)) continue;
    ctx.ephemeralSql.set(id, await compileNode(ctx, a));
  }
}

/** Puts `ctes` in front of `sql`, merging with a leading WITH of its own. */
export function injectCtes(sql: string, ctes: readonly (readonly [string, string])[]): string {
  if (ctes.length === 0) return sql;
  const defs = ctes.map(([name, body]) => `${name} as (\n${body}\n)`).join(',\n');
  const lead = /^(\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*)with(\s+recursive)?\b/i.exec(sql);
  if (lead === null) return `with ${defs}\n${sql}`;
  return `${lead[1]}with${lead[2] ?? ''} ${defs},\n${sql.slice(lead[0].length)}`;
}
