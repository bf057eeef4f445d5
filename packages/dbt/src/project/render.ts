// Jinja in YAML: strings holding `{{ … }}` or `{% … %}` are rendered through a callback the caller
// supplies (the Jinja environment lives elsewhere), skipping the keys dbt renders late or never.

/** What a YAML render is for; the caller builds the matching Jinja context. */
export interface YamlRenderContext {
  /** Which file kind is rendered: profiles.yml gets only env_var; project files also get CLI vars. */
  readonly kind: 'profile' | 'project' | 'packages' | 'schema';
  /** The file being rendered, as shown in messages. */
  readonly file: string;
  /** The package whose file this is (absent for profiles.yml). */
  readonly packageName?: string;
  /** Variables visible to `var()` in this file. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The selected target, when known (schema YAML may read `target.name`). */
  readonly target?: Readonly<Record<string, unknown>>;
}

/** Renders one Jinja string; throw to report an error (it is wrapped with the file and key path). */
export type YamlRenderer = (text: string, context: YamlRenderContext) => string;

/** Decides, by key path, whether a string is left unrendered. */
export type NoRenderRule = (keyPath: readonly (string | number)[]) => boolean;

/** True when `text` contains Jinja. */
export function hasJinja(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

/**
 * Returns a copy of `value` with every Jinja string rendered, except under key paths `skip` accepts.
 * Without a renderer the value is returned as it is.
 */
export function renderYamlTree(value: unknown, render: YamlRenderer | undefined, context: YamlRenderContext, skip: NoRenderRule = () => false): unknown {
  if (render === undefined) return value;
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (!hasJinja(v) || skip(path)) return v;
      return render(v, context);
    }
    if (Array.isArray(v)) return skip(path) ? v : v.map((x, i) => walk(x, [...path, i]));
    if (typeof v === 'object' && v !== null) {
      if (skip(path)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...path, k]);
      return out;
    }
    return v;
  };
  return walk(value, []);
}

const HOOK_KEYS = new Set(['pre-hook', 'post-hook', 'pre_hook', 'post_hook']);

/** dbt_project.yml: run hooks, query-comment and vars render at run time; so do model/seed/snapshot/test hooks. */
export const projectNoRender: NoRenderRule = (path) => {
  const first = path[0];
  if (first === 'on-run-start' || first === 'on-run-end' || first === 'query-comment' || first === 'vars') return true;
  return path.some((k) => typeof k === 'string' && HOOK_KEYS.has(k.replace(/^\+/, '')));
};

/** Schema YAML: descriptions are never rendered; test arguments and hooks render later, in the node's context. */
export const schemaNoRender: NoRenderRule = (path) =>
  path.some((k) => typeof k === 'string' && (k === 'description' || k === 'tests' || k === 'data_tests' || HOOK_KEYS.has(k.replace(/^\+/, ''))));
