// @duckrun/dbt: runs dbt projects whose table and incremental models materialize as Delta tables.
// The building blocks are namespaces (their type names overlap: each area has its own NodeConfig view).
export * as jinja from './jinja/index.js';
export * as project from './project/index.js';
export * as graph from './graph/index.js';
export * as seeds from './seeds/index.js';
export * as artifacts from './artifacts/index.js';
export * from './events.js';
export * from './runner/index.js';
