// The arguments of a generic test (`_dbt_generic_test_kwargs`), rendered in the test's context as
// dbt renders them: Jinja strings (`{{ get_where_subquery(ref('orders')) }}`) and bare `ref(…)` /
// `source(…)` calls (relationships' `to:`) become SQL text; other values pass through.
import { compileNode } from './compile-node.js';
import type { NodeInfo, RunContext } from './run-context.js';

/** Renders every string argument that holds Jinja or is a ref()/source() call. */
export async function renderTestKwargs(ctx: RunContext, info: NodeInfo): Promise<Record<string, unknown>> {
  const kwargs = info.node.testMetadata?.kwargs ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) out[k] = await renderValue(ctx, info, v, k);
  return out;
}

async function renderValue(ctx: RunContext, info: NodeInfo, v: unknown, key: string): Promise<unknown> {
  if (typeof v === 'string') {
    const text = /\{\{|\{%/.test(v) ? v : /^\s*(ref|source)\s*\(.*\)\s*$/s.test(v) ? `{{ ${v} }}` : undefined;
    if (text === undefined) return v;
    return compileNode(ctx, info, {}, {}, { text, name: `${info.node.originalFilePath} (test argument ${key})` });
  }
  if (Array.isArray(v)) return Promise.all(v.map((x) => renderValue(ctx, info, x, key)));
  return v;
}
