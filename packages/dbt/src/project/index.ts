// Project loading: dbt_project.yml, profiles.yml, packages, and the models, seeds, snapshots,
// tests, macros, sources and docs they declare, as plain data.
export { loadProject, type LoadedProject, type LoadProjectOptions, type ProjectPackage, type RunHook } from './load-project.js';
export { findProfilesDir, loadProfile, targetContext, type ProfileOptions, type ResolvedTarget } from './profile.js';
export { parseDbtProjectFile, type DbtProjectFile, type DispatchConfig } from './dbt-project-file.js';
export { DBT_VERSION, satisfiesVersionRange } from './dbt-version.js';
export { configFromTree, isConfigEntry, mergeConfigs, normalizeConfigKey, type NodeConfig } from './node-config.js';
export { hasJinja, renderYamlTree, type YamlRenderContext, type YamlRenderer } from './render.js';
export { extractStaticCalls, identifyGenericTest, parseTestEntry, synthesizeTestNames, TEST_CONFIG_DEFAULTS, type GenericTestSpec, type TestTarget } from './generic-tests.js';
export { findBlocks, macroNameOf, type FoundBlock } from './blocks.js';
export { listInstalledPackageDirs, readPackagesFile, type PackageSpec } from './packages-file.js';
export { computeVars } from './vars.js';
export { parseYaml } from './yaml-file.js';
export type {
  ColumnDefinition,
  DocDefinition,
  MacroDefinition,
  MacroFile,
  MacroKind,
  NodeResourceType,
  ProjectNode,
  RefCall,
  SourceCall,
  SourceDefinition,
  TestMetadata,
} from './nodes.js';
export { PackageNotInstalledError, ProfileError, ProjectConfigError } from './errors.js';
