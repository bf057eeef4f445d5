// @duckrun/dbt: runs dbt projects whose table and incremental models materialize as Delta tables.
export * from './jinja/index.js';
export * from './project/index.js';
export * from './graph/index.js';
export * from './seeds/index.js';
export {
  buildManifest,
  buildRunResults,
  isoTimestamp,
  writeArtifact,
  MANIFEST_SCHEMA,
  RUN_RESULTS_SCHEMA,
  type CompiledNodeInfo,
  type ManifestArtifact,
  type ManifestInput,
  type NodeRunResult,
  type PhaseTiming,
  type RunResultsArtifact,
  type RunResultsInput,
  type RunStatus,
} from './artifacts/index.js';
export * from './events.js';
