// The dbt runner: runDbt executes a command on a project and returns RunResults (plus compile/show/ls output).
export { runDbt, nodeSummary } from './run-dbt.js';
export type { DbtRunOptions, DbtRunResults, CompiledNodeOutput, ShowOutput, DbtCommand } from './options.js';
export { Relation } from './relation.js';
export { VIEWS_FOLDER } from './warehouse.js';
export { COMPACT_THRESHOLD } from './materializations/maintenance.js';
export { NodeExecutionError, ModelConfigError, SchemaChangeError, ViewExpansionError, RunOptionError } from './errors.js';
