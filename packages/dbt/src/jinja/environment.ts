// The Jinja environment for one dbt run: nunjucks configured with this package's parser, compiler
// and runtime, the filters/tests/globals dbt code expects, the macro registry, the docs store, and
// the "current node" slot that node-scoped globals read.
import nunjucks from 'nunjucks';
import type { ActiveRender, LogEntry } from './active-render.js';
import { JinjaRenderError, JinjaSyntaxError } from './errors.js';
import { createFilters } from './filters.js';
import { createStaticGlobals, type LogSink } from './globals.js';
import { MacroRegistry } from './macro-registry.js';
import { ensureExtraGlobal, installNodeGlobals } from './node-globals.js';
import type { NodeContext } from './node-context.js';
import { parseNode, renderNode, type ParseOutcome, type RenderOptions, type RenderOutcome, type TemplateInput } from './render.js';
import { messageOf, createRuntime } from './runtime.js';
import { ReturnSignal, SuspendSignal } from './signals.js';
import { createStatementGlobals } from './statement.js';
import { compileTemplateSource } from './syntax/compiler.js';
import type { Loose } from './syntax/internals.js';
import { TESTS } from './tests.js';

/** Options of createJinjaEnvironment. */
export interface JinjaEnvironmentOptions {
  /** Adapter prefixes for dispatch and materializations, most specific first (default duckrun, duckdb, default). */
  readonly adapterPrefixes?: readonly string[];
  /** Clock for run_started_at and modules.datetime (default: the system clock). */
  readonly now?: () => Date;
  /** Id generator for invocation_id (default: crypto.randomUUID). */
  readonly newId?: () => string;
  /** Receives log()/print()/exceptions.warn lines of every render (after it finishes). */
  readonly onLog?: LogSink;
}

/** A compiled template, ready to render many times. */
export interface JinjaTemplate {
  readonly name: string;
  /** nunjucks Template whose root uses this environment's runtime. */
  readonly compiled: nunjucks.Template;
}

/** Creates an environment; register macro files on `env.macros`, then render nodes. */
export function createJinjaEnvironment(options: JinjaEnvironmentOptions = {}): JinjaEnvironment {
  return new JinjaEnvironment(options);
}

/** See createJinjaEnvironment. */
export class JinjaEnvironment {
  /** The underlying nunjucks environment (filters, tests and globals live here). */
  readonly nunjucks: nunjucks.Environment;
  /** Macros of the project, its packages and the built-ins. */
  readonly macros: MacroRegistry;
  /** `{% docs %}` blocks seen so far, by name. */
  readonly docs = new Map<string, string>();
  private readonly runtime: Loose;
  private readonly options: JinjaEnvironmentOptions;
  private slot: ActiveRender | undefined;
  private lenientLookups = false;
  private invocationId: string | undefined;
  private runStartedAt: Date | undefined;
  private readonly cache = new Map<string, JinjaTemplate>();

  constructor(options: JinjaEnvironmentOptions) {
    this.options = options;
    this.nunjucks = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false, dev: true });
    this.runtime = createRuntime({ lenient: () => this.lenientLookups, defineDoc: (name, text) => this.docs.set(name, text) });
    for (const [name, f] of Object.entries(createFilters(this.nunjucks))) this.nunjucks.addFilter(name, f as never);
    for (const [name, t] of Object.entries(TESTS)) (this.nunjucks as unknown as { addTest(n: string, f: unknown): void }).addTest(name, t);
    const globals = this.globals();
    const clock = (): Date => {
      const slot = this.slot;
      const now = this.options.now ?? (() => new Date());
      return slot === undefined ? now() : slot.replay.once('clock', now);
    };
    Object.assign(globals, createStaticGlobals(clock, (message, level) => this.log({ message, level })));
    Object.assign(globals, createStatementGlobals(() => this.slot));
    globals.doc = (name: unknown) => this.docs.get(String(name)) ?? '';
    this.macros = new MacroRegistry(
      {
        exportsOf: (source, path) => this.exportsOf(source, path),
        publish: (name, value) => this.publish(name, value),
      },
      options.adapterPrefixes,
    );
    installNodeGlobals(globals, {
      active: () => this.slot,
      dispatch: (name, ns) => this.macros.dispatch(name, ns),
      invocationId: () => (this.invocationId ??= (this.options.newId ?? (() => globalThis.crypto.randomUUID()))()),
      runStartedAt: () => (this.runStartedAt ??= (this.options.now ?? (() => new Date()))()),
    });
  }

  /** Compiles a template (cached by name and source). Throws JinjaSyntaxError. */
  compile(source: string, name: string): JinjaTemplate {
    const key = `${name}\u0000${source}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    let code: string;
    try {
      code = compileTemplateSource(source, name);
    } catch (e) {
      const lineno = (e as { lineno?: unknown }).lineno;
      throw new JinjaSyntaxError(messageOf(e).replace(/^Template render error: /, ''), { template: name, line: typeof lineno === 'number' ? lineno : undefined }, { cause: e });
    }
    const props = new Function(code)() as { root: (...a: unknown[]) => void };
    const root = props.root;
    const runtime = this.runtime;
    props.root = (env: unknown, ctx: unknown, frame: unknown, _rt: unknown, cb: unknown) => root(env, ctx, frame, runtime, cb);
    const Template = nunjucks.Template as unknown as new (src: unknown, env: unknown, path: string, eager: boolean) => nunjucks.Template;
    const tpl = { name, compiled: new Template({ type: 'code', obj: props }, this.nunjucks, name, true) };
    this.cache.set(key, tpl);
    return tpl;
  }

  /** Execute-phase render of one node; database calls suspend and replay (see render.ts). */
  render(template: TemplateInput, node: NodeContext, options: RenderOptions = {}): Promise<RenderOutcome> {
    return renderNode(this, template, node, options);
  }

  /** Parse-phase render: execute=false, run_query returns None, ref/source/config recorded. */
  parse(template: TemplateInput, node: NodeContext = {}): ParseOutcome {
    return parseNode(this, template, node);
  }

  /**
   * For runner-supplied template functions (adapter methods) that need an async answer: returns
   * the memoised result of `run()` for this call, or suspends the render until it has run. Only
   * valid during `render()`.
   */
  awaitSync<T>(label: string, run: () => Promise<T>): T {
    const slot = this.slot;
    if (slot === undefined || !slot.execute) throw new Error(`awaitSync('${label}') needs an execute-phase render (env.render), not a parse`);
    return slot.replay.awaitSync(label, run);
  }

  /** Sets a global visible to every template (a macro registered by hand, a helper). */
  setGlobal(name: string, value: unknown): void {
    this.publish(name, value);
  }

  /**
   * Renders with `active` in the slot. Synchronous; a SuspendSignal escapes unwrapped so the
   * driver (render.ts) can replay. Other failures become JinjaRenderError.
   */
  renderWith(template: JinjaTemplate, active: ActiveRender | undefined, lenient: boolean): string {
    const previous = this.slot;
    const previousLenient = this.lenientLookups;
    this.slot = active;
    this.lenientLookups = lenient;
    if (active?.node.extra !== undefined) for (const name of Object.keys(active.node.extra)) ensureExtraGlobal(this.globals(), name, () => this.slot);
    try {
      return template.compiled.render({});
    } catch (e) {
      if (active?.replay.pending !== undefined) throw new SuspendSignal();
      throw toRenderError(e, template.name);
    } finally {
      this.slot = previous;
      this.lenientLookups = previousLenient;
    }
  }

  /** The log sink of the current render (buffered) or straight to onLog outside renders. */
  private log(entry: LogEntry): void {
    if (this.slot !== undefined) this.slot.logs.push(entry);
    else this.options.onLog?.(entry.message, entry.level);
  }

  /** Delivers buffered log lines. */
  flushLogs(entries: readonly LogEntry[]): void {
    for (const e of entries) this.options.onLog?.(e.message, e.level);
  }

  private globals(): Record<string, unknown> {
    return (this.nunjucks as unknown as { globals: Record<string, unknown> }).globals;
  }

  private publish(name: string, value: unknown): void {
    // A project macro named like a node-scoped global (is_incremental, ref…) overrides it, as in dbt.
    Object.defineProperty(this.globals(), name, { value, configurable: true, enumerable: true, writable: true });
  }

  private exportsOf(source: string, path: string): Record<string, unknown> {
    const tpl = this.compile(source, path);
    let out: Record<string, unknown> = {};
    let failure: unknown;
    const previous = this.slot;
    this.slot = undefined;
    try {
      (tpl.compiled as unknown as { getExported(ctx: object, cb: (err: unknown, exported: unknown) => void): void }).getExported({}, (err, exported) => {
        if (err) failure = err;
        else out = exported as Record<string, unknown>;
      });
    } finally {
      this.slot = previous;
    }
    if (failure !== undefined) throw toRenderError(failure, path);
    return out;
  }
}

/** Finds the most specific cause of a nunjucks-wrapped failure and makes it a JinjaRenderError. */
export function toRenderError(e: unknown, template: string): JinjaRenderError {
  let cur: unknown = e;
  let line: number | undefined;
  for (let depth = 0; depth < 10 && cur !== undefined && cur !== null; depth++) {
    if (cur instanceof JinjaRenderError) return cur.withTemplate(template);
    if (cur instanceof ReturnSignal) return new JinjaRenderError('return() was called outside of a macro', { template, line });
    const lineno = (cur as { lineno?: unknown }).lineno;
    if (typeof lineno === 'number' && line === undefined) line = lineno;
    const cause = (cur as { cause?: unknown }).cause;
    if (cause === undefined) break;
    cur = cause;
  }
  const message = messageOf(cur).replace(/^\([^)]*\)\s*(\[Line \d+, Column \d+\])?\s*/, '').replace(/^Template render error: /, '');
  return new JinjaRenderError(message, { template, line }, { cause: cur });
}
