// Public API of the Jinja layer of @duckrun/dbt.
export { createJinjaEnvironment, JinjaEnvironment, type JinjaEnvironmentOptions, type JinjaTemplate } from './environment.js';
export type { RenderOptions, RenderOutcome, ParseOutcome, TemplateInput } from './render.js';
export type { NodeContext, NodeConfig, RefCall, ParseCapture } from './node-context.js';
export { MacroRegistry, type MacroFile, type MacroPackageKind, type DispatchConfig } from './macro-registry.js';
export { AgateTable, AgateColumn, AgateRow, type QueryResult } from './query-result.js';
export { JinjaRenderError, JinjaSyntaxError, CompilerError, DispatchError, MacroNotFoundError, type TemplateLocation } from './errors.js';
export { pyFunction, callPy, isPyCallable, type PyCallable, type Kwargs } from './py/call.js';
export { JINJA_MAPPING } from './py/values.js';
export { pyStr, pyRepr } from './py/repr.js';
export { findBlocks, type TemplateBlock } from './blocks.js';
export type { LogSink } from './globals.js';
