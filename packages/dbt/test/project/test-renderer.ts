// A stand-in for the Jinja environment in project tests: renders `{{ env_var('X'[, 'default']) }}`
// and `{{ var('x'[, default]) }}` expressions only.
import type { YamlRenderer } from '../../src/project/index.js';

export function testRenderer(env: Readonly<Record<string, string>>): YamlRenderer & { calls: string[] } {
  const calls: string[] = [];
  const render = (text: string, ctx: Parameters<YamlRenderer>[1]) => {
    calls.push(`${ctx.kind}:${text}`);
    return text.replace(/\{\{\s*(env_var|var)\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)\s*\}\}/g, (_m, fn: string, name: string, dflt?: string) => {
      const v = fn === 'env_var' ? env[name] : ctx.vars[name];
      if (v !== undefined) return String(v);
      if (dflt !== undefined) return dflt;
      throw new Error(`${fn}('${name}') is not set`);
    });
  };
  return Object.assign(render, { calls });
}
