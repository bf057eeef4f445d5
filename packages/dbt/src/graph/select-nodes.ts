// --select / --exclude as dbt reads them: space-separated unions of comma-separated intersections
// of `[@][n+]method:value[+n]` atoms, then indirect selection of tests on the selected nodes.
import type { ProjectNode, SourceDefinition } from '../project/nodes.js';
import type { DependencyGraph } from './dependency-graph.js';
import { SelectorError } from './errors.js';

/** How tests attached to selected nodes are added (dbt's `--indirect-selection`). */
export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';

/** Options of {@link selectNodes}. */
export interface SelectOptions {
  /** `--select` values (each may hold several space-separated selectors); none selects everything. */
  readonly select?: readonly string[];
  readonly exclude?: readonly string[];
  readonly indirectSelection?: IndirectSelection;
}

/** What selection runs over: the graph plus the nodes and sources it was built from. */
export interface SelectionUniverse {
  readonly graph: DependencyGraph;
  readonly nodes: ReadonlyMap<string, ProjectNode>;
  readonly sources: ReadonlyMap<string, SourceDefinition>;
}

/** The ids of executable nodes (not sources) chosen by `options`, in dependency order. */
export function selectNodes(universe: SelectionUniverse, options: SelectOptions = {}): string[] {
  const mode = options.indirectSelection ?? 'eager';
  const all = new Set(universe.nodes.keys());
  const selectExprs = (options.select ?? []).flatMap(splitUnion);
  let chosen = selectExprs.length === 0 ? new Set(all) : union(selectExprs.map((e) => evalIntersection(universe, e)));
  if (selectExprs.length > 0) chosen = addIndirectTests(universe, chosen, mode);
  const excludeExprs = (options.exclude ?? []).flatMap(splitUnion);
  if (excludeExprs.length > 0) {
    let excluded = union(excludeExprs.map((e) => evalIntersection(universe, e)));
    // Eagerly, a test goes with any excluded parent.
    if (mode === 'eager') excluded = addIndirectTests(universe, excluded, 'eager', true);
    chosen = new Set([...chosen].filter((id) => !excluded.has(id)));
  }
  return universe.graph.topologicalOrder([...chosen].filter((id) => all.has(id)));
}

/** Splits one --select value into its space-separated selectors. */
function splitUnion(value: string): string[] {
  return value.split(/\s+/).filter((s) => s !== '');
}

function evalIntersection(u: SelectionUniverse, expr: string): Set<string> {
  const parts = expr.split(',').filter((s) => s !== '');
  if (parts.length === 0) throw new SelectorError(expr, 'is empty');
  const sets = parts.map((p) => evalAtom(u, p));
  return new Set([...sets[0]!].filter((id) => sets.every((s) => s.has(id))));
}

/** One `[@][n+]method:value[+n]` selector. */
function evalAtom(u: SelectionUniverse, atom: string): Set<string> {
  const m = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/.exec(atom);
  if (!m || m[3] === undefined) throw new SelectorError(atom, 'cannot be read; write e.g. my_model, +my_model, my_model+, 2+my_model, @my_model, tag:nightly');
  const at = m[1] !== undefined;
  const upDepth = atom.slice(at ? 1 : 0).match(/^\d*\+/) ? (m[2] === '' || m[2] === undefined ? Infinity : Number(m[2])) : undefined;
  const downDepth = /\+\d*$/.test(atom) ? (m[4] === '' || m[4] === undefined ? Infinity : Number(m[4])) : undefined;
  if (at && upDepth !== undefined) throw new SelectorError(atom, '@ cannot be combined with a leading +');
  const base = matchMethod(u, m[3], atom);
  const out = new Set(base);
  const depth = (d: number) => (d === Infinity ? undefined : d);
  for (const id of base) {
    if (upDepth !== undefined) for (const a of u.graph.ancestors(id, depth(upDepth))) out.add(a);
    if (downDepth !== undefined || at) for (const d of u.graph.descendants(id, depth(downDepth ?? Infinity))) out.add(d);
  }
  if (at) for (const id of [...out]) for (const a of u.graph.ancestors(id)) out.add(a);
  return out;
}

const METHODS = ['fqn', 'tag', 'path', 'file', 'resource_type', 'source', 'test_type', 'test_name', 'package', 'config'] as const;

function matchMethod(u: SelectionUniverse, body: string, atom: string): Set<string> {
  const colon = body.indexOf(':');
  let method: string;
  let value: string;
  if (colon < 0) {
    value = body;
    method = value.includes('/') ? 'path' : /\.(sql|csv|py)$/.test(value) ? 'file' : 'fqn';
  } else {
    method = body.slice(0, colon);
    value = body.slice(colon + 1);
  }
  const configKey = method.startsWith('config.') ? method.slice('config.'.length) : undefined;
  if (configKey === undefined && !(METHODS as readonly string[]).includes(method)) {
    throw new SelectorError(atom, `unknown method \`${method}\`; duckrun supports ${METHODS.filter((x) => x !== 'config').join(', ')} and config.<key>`);
  }
  const out = new Set<string>();
  const consider = (id: string, item: Selectable) => {
    if (matches(item, method, configKey, value)) out.add(id);
  };
  for (const [id, n] of u.nodes) consider(id, { kind: 'node', node: n });
  for (const [id, s] of u.sources) consider(id, { kind: 'source', source: s });
  return out;
}

type Selectable = { readonly kind: 'node'; readonly node: ProjectNode } | { readonly kind: 'source'; readonly source: SourceDefinition };

function matches(item: Selectable, method: string, configKey: string | undefined, value: string): boolean {
  const fqn = item.kind === 'node' ? item.node.fqn : item.source.fqn;
  const file = item.kind === 'node' ? item.node.originalFilePath : item.source.originalFilePath;
  const config = item.kind === 'node' ? item.node.config : item.source.config;
  const resourceType = item.kind === 'node' ? item.node.resourceType : 'source';
  if (configKey !== undefined) {
    const v = config[configKey];
    return Array.isArray(v) ? v.some((x) => glob(value, String(x))) : v !== undefined && v !== null && glob(value, String(v));
  }
  switch (method) {
    case 'fqn':
      return fqnMatches(fqn, value) || fqnMatches(fqn.slice(1), value);
    case 'tag': {
      const tags = (Array.isArray(config['tags']) ? config['tags'] : []) as unknown[];
      return tags.some((t) => glob(value, String(t)));
    }
    case 'path': {
      const want = value.replace(/^\.\//, '').replace(/\/+$/, '');
      return file === want || file.startsWith(`${want}/`) || glob(want, file);
    }
    case 'file': {
      const base = file.split('/').pop()!;
      return glob(value, base) || glob(value, base.replace(/\.[^.]+$/, ''));
    }
    case 'resource_type':
      return resourceType === value;
    case 'package':
      return glob(value, item.kind === 'node' ? item.node.packageName : item.source.packageName);
    case 'source': {
      if (item.kind !== 'source') return false;
      const s = item.source;
      const parts = value.split('.');
      if (parts.length === 1) return glob(parts[0]!, s.sourceName);
      if (parts.length === 2) return glob(parts[0]!, s.sourceName) && glob(parts[1]!, s.name);
      return glob(parts[0]!, s.packageName) && glob(parts[1]!, s.sourceName) && glob(parts.slice(2).join('.'), s.name);
    }
    case 'test_type': {
      if (item.kind !== 'node' || item.node.resourceType !== 'test') return false;
      const generic = item.node.testMetadata !== undefined;
      return value === 'generic' || value === 'schema' ? generic : value === 'singular' || value === 'data' ? !generic : false;
    }
    case 'test_name': {
      if (item.kind !== 'node' || item.node.resourceType !== 'test') return false;
      return glob(value, item.node.testMetadata?.name ?? item.node.name);
    }
  }
  return false;
}

/** dbt's fqn match: the node name, or a dotted prefix of the fqn, with globs from the first wildcard on. */
function fqnMatches(fqn: readonly string[], selector: string): boolean {
  if (fqn.length === 0) return false;
  if (fqn[fqn.length - 1] === selector) return true;
  const flat = fqn.flatMap((s) => s.split('.'));
  const parts = selector.split('.');
  if (flat.length < parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (/[*?[\]]/.test(parts[i]!)) return glob(parts.slice(i).join('.'), flat.slice(i).join('.'));
    if (flat[i] !== parts[i]) return false;
  }
  return true;
}

/** fnmatch: `*`, `?` and `[…]`. */
function glob(pattern: string, text: string): boolean {
  if (!/[*?[\]]/.test(pattern)) return pattern === text;
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\[!/g, '[^');
  return new RegExp(`^${re}$`).test(text);
}

/**
 * Adds tests attached to `selected`: eager takes a test when any parent is selected; cautious when
 * all are; buildable when all are selected or upstream of the selection. `parentsOnly` skips the
 * check that the test's other parents exist (used for exclusion).
 */
function addIndirectTests(u: SelectionUniverse, selected: Set<string>, mode: IndirectSelection, parentsOnly = false): Set<string> {
  if (mode === 'empty') return selected;
  const out = new Set(selected);
  let upstream: Set<string> | undefined;
  for (const [id, n] of u.nodes) {
    if (n.resourceType !== 'test' || out.has(id)) continue;
    const parents = u.graph.parents(id);
    if (parents.length === 0) continue;
    let take: boolean;
    if (mode === 'eager' || parentsOnly) take = parents.some((p) => selected.has(p));
    else if (mode === 'cautious') take = parents.every((p) => selected.has(p));
    else {
      upstream ??= new Set([...selected].flatMap((s) => [...u.graph.ancestors(s)]));
      take = parents.some((p) => selected.has(p)) && parents.every((p) => selected.has(p) || upstream!.has(p));
    }
    if (take) out.add(id);
  }
  return out;
}

function union(sets: readonly Set<string>[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const x of s) out.add(x);
  return out;
}
