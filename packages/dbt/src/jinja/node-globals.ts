// Node-scoped names (this, model, config, ref, source, var, adapter, …) as getters on env.globals.
// nunjucks looks globals up at call time, so a macro compiled once reads the node in the slot now.
import type { ActiveRender } from './active-render.js';
import { CompilerError } from './errors.js';
import { PyDateTime, UTC } from './modules/datetime.js';
import type { NodeContext, RefCall } from './node-context.js';
import { arg, pyFunction, type Kwargs, type PyCallable } from './py/call.js';
import { pyStr } from './py/repr.js';

/** What the getters need besides the slot. */
export interface NodeGlobalsDeps {
  readonly active: () => ActiveRender | undefined;
  /** `adapter.dispatch(name, namespace)`. */
  readonly dispatch: (name: string, namespace: string | undefined) => PyCallable;
  readonly invocationId: () => string;
  readonly runStartedAt: () => Date;
}

/** Names the slot answers; a registered macro with the same name replaces the getter. */
export const NODE_SCOPED_NAMES = [
  'this', 'model', 'target', 'execute', 'is_incremental', 'adapter', 'ref', 'source', 'config', 'var', 'env_var',
  'graph', 'flags', 'invocation_id', 'run_started_at',
] as const;

/** Defines the node-scoped getters on `globals`. */
export function installNodeGlobals(globals: Record<string, unknown>, deps: NodeGlobalsDeps): void {
  const node = (): NodeContext => deps.active()?.node ?? {};
  const fns = nodeFunctions(deps);
  const getters: Record<(typeof NODE_SCOPED_NAMES)[number], () => unknown> = {
    this: () => node().this,
    model: () => node().model,
    target: () => node().target,
    execute: () => deps.active()?.execute ?? false,
    is_incremental: () => fns.is_incremental,
    adapter: () => adapterFacade(node().adapter, deps),
    ref: () => fns.ref,
    source: () => fns.source,
    config: () => fns.config,
    var: () => fns.var,
    env_var: () => fns.env_var,
    graph: () => node().graph,
    flags: () => node().flags,
    invocation_id: () => node().invocationId ?? deps.invocationId(),
    run_started_at: () => toPyDateTime(node().runStartedAt ?? deps.runStartedAt()),
  };
  for (const [name, get] of Object.entries(getters)) {
    Object.defineProperty(globals, name, { get, configurable: true, enumerable: true });
  }
}

/** Defines a getter for an `extra` name of some node (undefined while other nodes render). */
export function ensureExtraGlobal(globals: Record<string, unknown>, name: string, active: () => ActiveRender | undefined): void {
  if (Object.prototype.hasOwnProperty.call(globals, name)) return;
  Object.defineProperty(globals, name, { get: () => active()?.node.extra?.[name], configurable: true, enumerable: true });
}

function toPyDateTime(d: Date): PyDateTime {
  return new PyDateTime(d.getTime(), d.getUTCMilliseconds() * 1000, UTC);
}

function nodeFunctions(deps: NodeGlobalsDeps) {
  const node = (): NodeContext => deps.active()?.node ?? {};
  const recordedConfig = (): Kwargs => Object.assign({}, ...(deps.active()?.capture?.configs ?? []));

  const config = Object.assign(
    pyFunction('config', (a, k) => {
      const values = { ...(a[0] !== undefined && typeof a[0] === 'object' ? (a[0] as Kwargs) : {}), ...k };
      deps.active()?.capture?.configs.push(values);
      node().config?.set(values);
      return '';
    }),
    {
      get: pyFunction('get', (a, k) => {
        const key = pyStr(arg(a, k, 0, 'name'));
        const c = node().config;
        const v = c !== undefined ? c.get(key) : recordedConfig()[key];
        return v === undefined ? arg(a, k, 1, 'default', null) : v;
      }),
      require: pyFunction('require', (a) => {
        const key = pyStr(a[0]);
        const c = node().config;
        const v = c !== undefined ? c.get(key) : recordedConfig()[key];
        if (v === undefined || v === null) throw new CompilerError(`missing required config: ${key}`);
        return v;
      }),
      set: pyFunction('set', (a) => {
        node().config?.set({ [pyStr(a[0])]: a[1] });
        return '';
      }),
      persist_relation_docs: pyFunction('persist_relation_docs', () => false),
      persist_column_docs: pyFunction('persist_column_docs', () => false),
    },
  );

  return {
    config,
    is_incremental: pyFunction('is_incremental', () => deps.active()?.execute === true && node().isIncremental === true),
    ref: pyFunction('ref', (a, k) => {
      const names = a.map((x) => pyStr(x));
      const version = k.version ?? k.v;
      const call: RefCall = names.length >= 2 ? { package: names[0], name: names[1] as string, version: version as RefCall['version'] } : { name: names[0] ?? '', version: version as RefCall['version'] };
      deps.active()?.capture?.refs.push(call);
      const resolve = node().ref;
      if (resolve !== undefined) return resolve(call);
      if (deps.active()?.capture !== undefined) return call.name;
      throw new CompilerError(`ref('${call.name}') cannot be resolved: the runner gave this node no ref() resolver`);
    }),
    source: pyFunction('source', (a) => {
      const sourceName = pyStr(a[0]);
      const tableName = pyStr(a[1]);
      deps.active()?.capture?.sources.push([sourceName, tableName]);
      const resolve = node().source;
      if (resolve !== undefined) return resolve(sourceName, tableName);
      if (deps.active()?.capture !== undefined) return `${sourceName}.${tableName}`;
      throw new CompilerError(`source('${sourceName}', '${tableName}') cannot be resolved: the runner gave this node no source() resolver`);
    }),
    var: pyFunction('var', (a, k) => {
      const name = pyStr(a[0]);
      const vars = node().vars ?? {};
      if (Object.prototype.hasOwnProperty.call(vars, name)) return vars[name];
      if (a.length > 1 || 'default' in k) return arg(a, k, 1, 'default');
      if (deps.active()?.execute === false) return undefined;
      throw new CompilerError(`Required var '${name}' not found in config: define it under vars: in dbt_project.yml or pass --vars`);
    }),
    env_var: pyFunction('env_var', (a, k) => {
      const name = pyStr(a[0]);
      const value = node().envVars?.[name];
      if (value !== undefined) return value;
      if (a.length > 1 || 'default' in k) return arg(a, k, 1, 'default');
      throw new CompilerError(`Env var required but not provided: '${name}'`);
    }),
  };
}

/** `adapter` as templates see it: `dispatch` plus the runner's adapter members. */
class AdapterFacade {
  constructor(readonly dispatch: PyCallable) {}
}

/** The node's adapter object with `dispatch` added (its own members stay reachable). */
function adapterFacade(adapter: object | undefined, deps: NodeGlobalsDeps): object {
  const dispatch = pyFunction('dispatch', (a, k) => {
    const name = pyStr(arg(a, k, 0, 'macro_name'));
    const ns = arg(a, k, 1, 'macro_namespace', null);
    return deps.dispatch(name, ns === null || ns === undefined ? undefined : pyStr(ns));
  });
  // A class instance, not a plain object, so lookups treat it as an object with attributes, not a dict.
  const target = adapter ?? {};
  return new Proxy(new AdapterFacade(dispatch), {
    has: (t, p) => p in t || p in target,
    get: (t, p) => {
      if (p in t) return Reflect.get(t, p) as unknown;
      // Bound to the adapter: private fields (#x) of the runner's adapter class reject a Proxy `this`.
      const v = Reflect.get(target, p) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
