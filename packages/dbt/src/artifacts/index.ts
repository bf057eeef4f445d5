// dbt artifacts: target/manifest.json (v12) and target/run_results.json (v6).
export { buildManifest, type CompiledNodeInfo, type ManifestArtifact, type ManifestInput } from './manifest.js';
export { buildRunResults, isoTimestamp, type NodeRunResult, type PhaseTiming, type RunResultsArtifact, type RunResultsInput, type RunStatus } from './run-results.js';
export { writeArtifact } from './write-artifact.js';
export { DBT_VERSION, MANIFEST_SCHEMA, RUN_RESULTS_SCHEMA } from './schema-versions.js';
