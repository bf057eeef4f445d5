// The macro registry: each macro file is compiled and run once; its macros are published as
// globals (root project over packages over dbt's built-ins) and as package namespaces
// (`dbt_utils.star`), and `adapter.dispatch` resolves implementations over a search order.
import { DispatchError, MacroNotFoundError } from './errors.js';
import { isPyCallable, type PyCallable } from './py/call.js';

/** Whose macros a file holds; decides who wins a bare-name lookup. */
export type MacroPackageKind = 'root' | 'package' | 'internal';

/** One macro file to register. */
export interface MacroFile {
  /** Path used in error messages (`macros/cents_to_dollars.sql`). */
  readonly path: string;
  readonly source: string;
  /** Package (project) name: the namespace of its macros (`dbt_utils`); `dbt` for built-ins. */
  readonly packageName: string;
  readonly kind: MacroPackageKind;
}

/** A `dispatch:` entry of dbt_project.yml. */
export interface DispatchConfig {
  readonly macro_namespace: string;
  readonly search_order: readonly string[];
}

/** What the registry needs from the environment. */
export interface MacroRegistryHost {
  /** Compiles `source` and runs its top level; returns the names it exported. */
  exportsOf(source: string, path: string): Record<string, unknown>;
  /** Publishes a global (a macro or a package namespace object). */
  publish(name: string, value: unknown): void;
}

const KIND_RANK: Record<MacroPackageKind, number> = { root: 0, package: 1, internal: 2 };

/** Registered macros of every package, and the resolution rules over them. */
export class MacroRegistry {
  private readonly packages = new Map<string, { kind: MacroPackageKind; order: number; macros: Map<string, PyCallable> }>();
  private dispatchConfig: readonly DispatchConfig[] = [];

  constructor(
    private readonly host: MacroRegistryHost,
    /** Adapter prefixes tried in order by dispatch, without `__`. */
    readonly adapterPrefixes: readonly string[] = ['duckrun', 'duckdb', 'default'],
  ) {}

  /** Compiles one macro file and publishes its macros; returns their names. */
  addFile(file: MacroFile): string[] {
    const exported = this.host.exportsOf(file.source, file.path);
    let pkg = this.packages.get(file.packageName);
    if (pkg === undefined) {
      pkg = { kind: file.kind, order: this.packages.size, macros: new Map() };
      this.packages.set(file.packageName, pkg);
    }
    const names: string[] = [];
    for (const [name, value] of Object.entries(exported)) {
      if (!isPyCallable(value)) continue;
      pkg.macros.set(name, value);
      names.push(name);
    }
    this.host.publish(file.packageName, Object.fromEntries(pkg.macros));
    for (const name of names) this.publishBareName(name);
    return names;
  }

  /** Sets the project's `dispatch:` config. */
  setDispatchConfig(config: readonly DispatchConfig[]): void {
    this.dispatchConfig = config;
  }

  /** The macro a bare name resolves to: root project, then packages in registration order, then built-ins. */
  resolve(name: string): PyCallable | undefined {
    let best: { rank: number; order: number; macro: PyCallable } | undefined;
    for (const pkg of this.packages.values()) {
      const macro = pkg.macros.get(name);
      if (macro === undefined) continue;
      const rank = KIND_RANK[pkg.kind];
      if (best === undefined || rank < best.rank || (rank === best.rank && pkg.order < best.order)) best = { rank, order: pkg.order, macro };
    }
    return best?.macro;
  }

  /** A macro of one package. */
  get(packageName: string, name: string): PyCallable | undefined {
    return this.packages.get(packageName)?.macros.get(name);
  }

  /** Like resolve, but throws a MacroNotFoundError naming the macro. */
  require(name: string): PyCallable {
    const m = this.resolve(name);
    if (m === undefined) throw new MacroNotFoundError(name);
    return m;
  }

  /** `materialization_<name>_<adapter>` for the first adapter prefix that has one. */
  materialization(name: string): PyCallable | undefined {
    for (const prefix of this.adapterPrefixes) {
      const m = this.resolve(`materialization_${name}_${prefix}`);
      if (m !== undefined) return m;
    }
    return undefined;
  }

  /**
   * `adapter.dispatch(name, namespace)`: for each package of the search order (the dispatch config
   * for `namespace`, else `[namespace]`, else bare-name resolution) try `duckrun__name`,
   * `duckdb__name`, `default__name`; dbt's built-ins are the last resort.
   */
  dispatch(name: string, namespace: string | undefined): PyCallable {
    let macroName = name;
    let ns = namespace;
    if (ns === undefined && name.includes('.')) [ns, macroName] = name.split('.', 2) as [string, string];
    const order: (string | undefined)[] = ns === undefined ? [undefined] : [...(this.dispatchConfig.find((d) => d.macro_namespace === ns)?.search_order ?? [ns])];
    const internal = [...this.packages].filter(([, p]) => p.kind === 'internal').map(([n]) => n);
    for (const n of internal) if (!order.includes(n)) order.push(n);
    const searched: string[] = [];
    for (const pkg of order) {
      for (const prefix of this.adapterPrefixes) {
        const candidate = `${prefix}__${macroName}`;
        searched.push(pkg === undefined ? candidate : `${pkg}.${candidate}`);
        const m = pkg === undefined ? this.resolve(candidate) : this.get(pkg, candidate);
        if (m !== undefined) return m;
      }
    }
    throw new DispatchError(macroName, ns, searched);
  }

  private publishBareName(name: string): void {
    const winner = this.resolve(name);
    if (winner !== undefined) this.host.publish(name, winner);
  }
}
