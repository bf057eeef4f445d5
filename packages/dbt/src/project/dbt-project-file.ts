// dbt_project.yml: the fields duckrun reads, with dbt's defaults and legacy spellings, checked
// so that a wrong type is reported against the file rather than failing deep in a run.
import { ProjectConfigError } from './errors.js';
import { DBT_VERSION, satisfiesVersionRange } from './dbt-version.js';
import { expectList, expectMap, isMap, optionalString, stringList, type YamlMap } from './yaml-file.js';

/** One `dispatch:` entry: where `adapter.dispatch` looks for a namespace's macros. */
export interface DispatchConfig {
  readonly macroNamespace: string;
  readonly searchOrder: readonly string[];
}

/** The parsed dbt_project.yml of the root project or a package. */
export interface DbtProjectFile {
  readonly name: string;
  readonly version?: string;
  readonly profile?: string;
  readonly modelPaths: readonly string[];
  readonly seedPaths: readonly string[];
  readonly snapshotPaths: readonly string[];
  readonly testPaths: readonly string[];
  readonly macroPaths: readonly string[];
  readonly analysisPaths: readonly string[];
  readonly docsPaths: readonly string[];
  readonly targetPath: string;
  readonly packagesInstallPath: string;
  readonly cleanTargets: readonly string[];
  /** `vars:` as written (unrendered: dbt renders vars when `var()` reads them). */
  readonly vars: Readonly<YamlMap>;
  /** Config trees per resource type (`models:`, `seeds:`, …), keys as written. */
  readonly models: Readonly<YamlMap>;
  readonly seeds: Readonly<YamlMap>;
  readonly snapshots: Readonly<YamlMap>;
  readonly tests: Readonly<YamlMap>;
  readonly sources: Readonly<YamlMap>;
  /** Unrendered SQL of the run hooks. */
  readonly onRunStart: readonly string[];
  readonly onRunEnd: readonly string[];
  readonly requireDbtVersion: readonly string[];
  readonly dispatch: readonly DispatchConfig[];
  readonly quoting: Readonly<YamlMap>;
  /** The whole file, for keys duckrun does not interpret. */
  readonly raw: Readonly<YamlMap>;
}

/** Reads a (rendered) dbt_project.yml mapping; `file` is named in errors. */
export function parseDbtProjectFile(value: unknown, file: string): DbtProjectFile {
  if (!isMap(value)) throw new ProjectConfigError(file, undefined, 'dbt_project.yml must be a mapping with at least `name:`');
  const raw = value;
  const name = optionalString(raw['name'], file, '`name`');
  if (name === undefined || name === '') throw new ProjectConfigError(file, undefined, 'dbt_project.yml has no `name:`; add the project name');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ProjectConfigError(file, undefined, `project name "${name}" must be letters, digits and underscores, not starting with a digit`);
  }
  const paths = (key: string, legacy: string | undefined, fallback: string[]): string[] => {
    const v = raw[key] ?? (legacy === undefined ? undefined : raw[legacy]);
    return v === undefined ? fallback : stringList(v, file, `\`${key}\``);
  };
  const modelPaths = paths('model-paths', 'source-paths', ['models']);
  const seedPaths = paths('seed-paths', 'data-paths', ['seeds']);
  const snapshotPaths = paths('snapshot-paths', undefined, ['snapshots']);
  const testPaths = paths('test-paths', undefined, ['tests']);
  const macroPaths = paths('macro-paths', undefined, ['macros']);
  const analysisPaths = paths('analysis-paths', undefined, ['analyses']);
  const docsPaths = paths('docs-paths', undefined, [...modelPaths, ...seedPaths, ...snapshotPaths, ...testPaths, ...macroPaths, ...analysisPaths]);
  const requireDbtVersion = stringList(raw['require-dbt-version'], file, '`require-dbt-version`');
  if (requireDbtVersion.length > 0 && !satisfiesVersionRange(DBT_VERSION, requireDbtVersion)) {
    throw new ProjectConfigError(
      file,
      undefined,
      `require-dbt-version ${JSON.stringify(requireDbtVersion)} excludes the dbt version duckrun reports (${DBT_VERSION}); widen the range`,
    );
  }
  const version = optionalString(raw['version'], file, '`version`');
  const profile = optionalString(raw['profile'], file, '`profile`');
  return {
    name,
    ...(version === undefined ? {} : { version }),
    ...(profile === undefined ? {} : { profile }),
    modelPaths,
    seedPaths,
    snapshotPaths,
    testPaths,
    macroPaths,
    analysisPaths,
    docsPaths,
    targetPath: optionalString(raw['target-path'], file, '`target-path`') ?? 'target',
    packagesInstallPath: optionalString(raw['packages-install-path'] ?? raw['modules-path'], file, '`packages-install-path`') ?? 'dbt_packages',
    cleanTargets: stringList(raw['clean-targets'], file, '`clean-targets`'),
    vars: expectMap(raw['vars'], file, '`vars`'),
    models: expectMap(raw['models'], file, '`models`'),
    seeds: expectMap(raw['seeds'], file, '`seeds`'),
    snapshots: expectMap(raw['snapshots'], file, '`snapshots`'),
    // dbt 1.8 renamed `tests:` to `data_tests:`; both are read, the new name winning per key.
    tests: { ...expectMap(raw['tests'], file, '`tests`'), ...expectMap(raw['data_tests'], file, '`data_tests`') },
    sources: expectMap(raw['sources'], file, '`sources`'),
    onRunStart: stringList(raw['on-run-start'], file, '`on-run-start`'),
    onRunEnd: stringList(raw['on-run-end'], file, '`on-run-end`'),
    requireDbtVersion,
    dispatch: expectList(raw['dispatch'], file, '`dispatch`').map((d, i) => {
      const m = expectMap(d, file, `dispatch entry ${i + 1}`);
      const ns = optionalString(m['macro_namespace'], file, '`dispatch[].macro_namespace`');
      if (ns === undefined) throw new ProjectConfigError(file, undefined, `dispatch entry ${i + 1} has no macro_namespace`);
      return { macroNamespace: ns, searchOrder: stringList(m['search_order'], file, '`dispatch[].search_order`') };
    }),
    quoting: expectMap(raw['quoting'], file, '`quoting`'),
    raw,
  };
}
