// The DAG of a project: each node's ref()/source() calls resolved to unique ids the way dbt
// resolves them, then parents/children maps, topological order and cycle detection.
import type { ProjectNode, RefCall, SourceCall, SourceDefinition } from '../project/nodes.js';
import { CompileError } from './errors.js';

/** What a parse render found a node calling; `line` locates the first call, when known. */
export interface NodeDependencies {
  readonly refs: readonly RefCall[];
  readonly sources: readonly SourceCall[];
  readonly line?: number;
}

/** Inputs of {@link buildGraph}. */
export interface GraphInput {
  readonly rootPackage: string;
  readonly nodes: Iterable<ProjectNode>;
  readonly sources: Iterable<SourceDefinition>;
  /** Per node id; a generic test without an entry uses its static refs/sources, other nodes none. */
  readonly dependencies: ReadonlyMap<string, NodeDependencies>;
  /** Disabled nodes, so a ref to one says "disabled" rather than "not found". */
  readonly disabled?: Iterable<ProjectNode>;
}

/** The resolved DAG over nodes and sources. */
export class DependencyGraph {
  readonly #parents: ReadonlyMap<string, readonly string[]>;
  readonly #children: ReadonlyMap<string, readonly string[]>;
  readonly #order: readonly string[];

  /** Use {@link buildGraph}. */
  constructor(parents: ReadonlyMap<string, readonly string[]>, order: readonly string[]) {
    this.#parents = parents;
    this.#order = order;
    const children = new Map<string, string[]>([...parents.keys()].map((k) => [k, []]));
    for (const [child, ps] of parents) for (const p of ps) children.get(p)!.push(child);
    for (const list of children.values()) list.sort();
    this.#children = children;
  }

  /** Every node and source id. */
  get ids(): readonly string[] {
    return this.#order;
  }

  /** Direct parents (sorted). */
  parents(id: string): readonly string[] {
    return this.#parents.get(id) ?? [];
  }

  /** Direct children (sorted). */
  children(id: string): readonly string[] {
    return this.#children.get(id) ?? [];
  }

  /** Ancestors up to `depth` levels (all when undefined), not including `id`. */
  ancestors(id: string, depth?: number): Set<string> {
    return this.#walk(id, depth, (x) => this.parents(x));
  }

  /** Descendants up to `depth` levels (all when undefined), not including `id`. */
  descendants(id: string, depth?: number): Set<string> {
    return this.#walk(id, depth, (x) => this.children(x));
  }

  /** `ids` (default all) in dependency order: parents before children, ties by id. */
  topologicalOrder(ids?: Iterable<string>): string[] {
    if (ids === undefined) return [...this.#order];
    const wanted = new Set(ids);
    return this.#order.filter((id) => wanted.has(id));
  }

  /** dbt's `parent_map`: every id → its parents. */
  parentMap(): Record<string, string[]> {
    return Object.fromEntries([...this.#parents.keys()].sort().map((k) => [k, [...this.parents(k)]]));
  }

  /** dbt's `child_map`: every id → its children. */
  childMap(): Record<string, string[]> {
    return Object.fromEntries([...this.#children.keys()].sort().map((k) => [k, [...this.children(k)]]));
  }

  #walk(id: string, depth: number | undefined, next: (x: string) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    let frontier = [id];
    for (let d = 0; frontier.length > 0 && (depth === undefined || d < depth); d++) {
      const nextFrontier: string[] = [];
      for (const x of frontier) for (const y of next(x)) if (!seen.has(y) && y !== id) (seen.add(y), nextFrontier.push(y));
      frontier = nextFrontier;
    }
    return seen;
  }
}

/**
 * Resolves every node's refs and sources and orders the graph. An unknown or disabled ref or
 * source, or a cycle, is a {@link CompileError} naming the file (and line when given).
 */
export function buildGraph(input: GraphInput): DependencyGraph {
  const nodes = [...input.nodes];
  const sources = [...input.sources];
  const resolver = new RefResolver(input.rootPackage, nodes, [...(input.disabled ?? [])]);
  const sourceIds = new Map<string, SourceDefinition[]>();
  for (const s of sources) {
    const key = `${s.sourceName}.${s.name}`;
    sourceIds.set(key, [...(sourceIds.get(key) ?? []), s]);
  }
  const parents = new Map<string, string[]>();
  for (const s of sources) parents.set(s.uniqueId, []);
  for (const n of nodes) {
    const deps = input.dependencies.get(n.uniqueId) ?? { refs: n.staticRefs ?? [], sources: n.staticSources ?? [] };
    const ps = new Set<string>();
    for (const ref of deps.refs) ps.add(resolver.resolve(ref, n, deps.line));
    for (const call of deps.sources) {
      const candidates = sourceIds.get(`${call.sourceName}.${call.tableName}`) ?? [];
      const hit = candidates.find((s) => s.packageName === n.packageName) ?? candidates.find((s) => s.packageName === input.rootPackage) ?? candidates[0];
      if (hit === undefined) {
        throw new CompileError(n.originalFilePath, deps.line, `${n.uniqueId} depends on a source named '${call.sourceName}.${call.tableName}' which was not found; declare it under sources: in a schema YAML file`);
      }
      ps.add(hit.uniqueId);
    }
    parents.set(n.uniqueId, [...ps].sort());
  }
  const files = new Map<string, string>(nodes.map((n) => [n.uniqueId, n.originalFilePath]));
  return new DependencyGraph(parents, orderOrThrow(parents, files));
}

/** dbt's ref lookup: the calling package first, then the root project, then any package. */
class RefResolver {
  readonly #byName = new Map<string, ProjectNode[]>();
  readonly #disabled = new Map<string, ProjectNode[]>();

  constructor(
    readonly rootPackage: string,
    nodes: readonly ProjectNode[],
    disabled: readonly ProjectNode[],
  ) {
    for (const n of nodes) if (n.resourceType !== 'test') push(this.#byName, n.name, n);
    for (const n of disabled) push(this.#disabled, n.name, n);
  }

  resolve(ref: RefCall, from: ProjectNode, line: number | undefined): string {
    const candidates = (this.#byName.get(ref.name) ?? []).filter((c) => ref.package === undefined || c.packageName === ref.package);
    const pick = (pkg: string | undefined) => candidates.filter((c) => pkg === undefined || c.packageName === pkg);
    const pool = ref.package !== undefined ? candidates : [pick(from.packageName), pick(this.rootPackage), candidates].find((l) => l.length > 0) ?? [];
    const hit = this.#pickVersion(pool, ref);
    if (hit !== undefined) return hit.uniqueId;
    const label = `${ref.package === undefined ? '' : `${ref.package}.`}${ref.name}${ref.version === undefined ? '' : ` (version ${String(ref.version)})`}`;
    if (pool.length > 0) {
      throw new CompileError(from.originalFilePath, line, `${from.uniqueId} depends on '${label}', which has no such version; available: ${pool.map((c) => String(c.version)).join(', ')}`);
    }
    if ((this.#disabled.get(ref.name) ?? []).some((d) => ref.package === undefined || d.packageName === ref.package)) {
      throw new CompileError(from.originalFilePath, line, `${from.uniqueId} depends on a node named '${label}' which is disabled; enable it or remove the ref`);
    }
    throw new CompileError(from.originalFilePath, line, `${from.uniqueId} depends on a node named '${label}' which was not found`);
  }

  /** Unversioned refs take the latest version (or the highest when none is declared latest). */
  #pickVersion(pool: readonly ProjectNode[], ref: RefCall): ProjectNode | undefined {
    if (pool.length === 0) return undefined;
    if (ref.version !== undefined) return pool.find((c) => String(c.version) === String(ref.version));
    if (pool.length === 1) return pool[0];
    const latest = pool.find((c) => c.latestVersion !== undefined && String(c.version) === String(c.latestVersion));
    return latest ?? [...pool].sort((a, b) => Number(a.version ?? 0) - Number(b.version ?? 0)).pop();
  }
}

/** Kahn's algorithm with sorted ties; a leftover means a cycle, reported with its path. */
function orderOrThrow(parents: ReadonlyMap<string, readonly string[]>, files: ReadonlyMap<string, string>): string[] {
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const [id, ps] of parents) {
    indegree.set(id, ps.length);
    for (const p of ps) push(children, p, id);
  }
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    const freed: string[] = [];
    for (const c of children.get(id) ?? []) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) freed.push(c);
    }
    if (freed.length > 0) {
      ready.push(...freed);
      ready.sort();
    }
  }
  if (order.length === parents.size) return order;
  const cycle = findCycle(parents, new Set(order));
  const first = cycle[0]!;
  throw new CompileError(files.get(first), undefined, `found a cycle: ${cycle.map((id) => `${id} (${files.get(id) ?? '?'})`).join(' --> ')} --> ${first}; remove one of these refs`);
}

function findCycle(parents: ReadonlyMap<string, readonly string[]>, done: ReadonlySet<string>): string[] {
  const remaining = [...parents.keys()].filter((k) => !done.has(k)).sort();
  const state = new Map<string, 'visiting' | 'visited'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const p of parents.get(id) ?? []) {
      if (done.has(p)) continue;
      if (state.get(p) === 'visiting') return stack.slice(stack.indexOf(p)).reverse();
      if (state.get(p) === undefined) {
        const found = visit(p);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'visited');
    return undefined;
  };
  for (const id of remaining) {
    if (state.get(id) === undefined) {
      const c = visit(id);
      if (c) return c;
    }
  }
  return remaining;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}
