// pre-hook / post-hook of a node: each rendered in the node's context and run as SQL.
import { compileNode } from './compile-node.js';
import type { RenderTweaks } from './node-context.js';
import type { NodeInfo, RunContext } from './run-context.js';
import type { ExpandOptions } from './sql-expand.js';

/** Runs the node's `pre-hook` or `post-hook` statements in order. */
export async function runNodeHooks(ctx: RunContext, info: NodeInfo, which: 'pre-hook' | 'post-hook', tweaks: RenderTweaks, expand: ExpandOptions): Promise<void> {
  const hooks = hookList(info.config[which]);
  for (const [i, text] of hooks.entries()) {
    const sql = await compileNode(ctx, info, tweaks, expand, { text, name: `${info.node.originalFilePath} (${which} ${i + 1})` });
    if (sql.trim() !== '') await ctx.warehouse.query(sql, expand);
  }
}

/** Hooks as written in config: one string, a list of strings, or `{sql: …}` entries. */
export function hookList(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((h) => (typeof h === 'object' && h !== null && 'sql' in h ? String((h as { sql: unknown }).sql) : String(h))).filter((s) => s.trim() !== '');
}
