// Schema YAML (models:, sources:, seeds:, snapshots:, macros: …) read into plain entries; the
// loader applies them to nodes. Exposures, metrics and semantic models are accepted and ignored.
import { ProjectConfigError } from './errors.js';
import type { ColumnDefinition } from './nodes.js';
import { expectList, expectMap, optionalString, stringList, type YamlMap } from './yaml-file.js';

/** A `models:`/`seeds:`/`snapshots:`/`analyses:` entry. */
export interface NodePatch {
  readonly section: 'models' | 'seeds' | 'snapshots' | 'analyses';
  readonly name: string;
  readonly description: string;
  readonly config: YamlMap;
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  /** Model-level test entries, unparsed. */
  readonly tests: readonly unknown[];
  /** Column name → its test entries. */
  readonly columnTests: ReadonlyMap<string, readonly unknown[]>;
  /** `versions:` of a versioned model. */
  readonly versions: readonly { readonly v: string | number; readonly definedIn?: string; readonly config: YamlMap }[];
  readonly latestVersion?: string | number;
  /** `relation:` of a YAML-defined snapshot (dbt 1.9). */
  readonly relation?: string;
  /** The entry as written, for keys the loader does not interpret. */
  readonly raw: YamlMap;
}

/** One table of a `sources:` entry, with its source's fields. */
export interface SourceTableEntry {
  readonly source: YamlMap;
  readonly table: YamlMap;
  readonly sourceName: string;
  readonly tableName: string;
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  readonly tests: readonly unknown[];
  readonly columnTests: ReadonlyMap<string, readonly unknown[]>;
}

/** A `macros:` entry: descriptions and arguments for a macro. */
export interface MacroPatch {
  readonly name: string;
  readonly description: string;
  readonly arguments: readonly { readonly name: string; readonly type?: string; readonly description: string }[];
  readonly meta: YamlMap;
}

/** Everything one schema YAML file declares. */
export interface SchemaFileContents {
  readonly patches: readonly NodePatch[];
  readonly sources: readonly SourceTableEntry[];
  readonly macros: readonly MacroPatch[];
}

/** Reads a (rendered) schema YAML document. */
export function parseSchemaFile(doc: unknown, file: string): SchemaFileContents {
  if (doc === undefined || doc === null) return { patches: [], sources: [], macros: [] };
  const top = expectMap(doc, file, 'a schema file');
  const patches: NodePatch[] = [];
  for (const section of ['models', 'seeds', 'snapshots', 'analyses'] as const) {
    for (const [i, e] of expectList(top[section], file, `\`${section}\``).entries()) patches.push(parsePatch(section, e, file, i));
  }
  const sources: SourceTableEntry[] = [];
  for (const [i, s] of expectList(top['sources'], file, '`sources`').entries()) {
    const source = expectMap(s, file, `sources entry ${i + 1}`);
    const sourceName = optionalString(source['name'], file, `sources entry ${i + 1} name`);
    if (sourceName === undefined) throw new ProjectConfigError(file, undefined, `sources entry ${i + 1} has no name`);
    for (const [j, t] of expectList(source['tables'], file, `tables of source \`${sourceName}\``).entries()) {
      const table = typeof t === 'string' ? { name: t } : expectMap(t, file, `table ${j + 1} of source \`${sourceName}\``);
      const tableName = optionalString(table['name'], file, `table ${j + 1} of source \`${sourceName}\``);
      if (tableName === undefined) throw new ProjectConfigError(file, undefined, `table ${j + 1} of source \`${sourceName}\` has no name`);
      const { columns, columnTests } = parseColumns(table['columns'], file, `source \`${sourceName}.${tableName}\``);
      sources.push({ source, table, sourceName, tableName, columns, columnTests, tests: testsOf(table, file, `source \`${sourceName}.${tableName}\``) });
    }
  }
  const macros: MacroPatch[] = expectList(top['macros'], file, '`macros`').map((m, i) => {
    const e = expectMap(m, file, `macros entry ${i + 1}`);
    const name = optionalString(e['name'], file, `macros entry ${i + 1} name`);
    if (name === undefined) throw new ProjectConfigError(file, undefined, `macros entry ${i + 1} has no name`);
    return {
      name,
      description: optionalString(e['description'], file, `description of macro \`${name}\``) ?? '',
      arguments: expectList(e['arguments'], file, `arguments of macro \`${name}\``).map((a) => {
        const am = expectMap(a, file, `an argument of macro \`${name}\``);
        const type = optionalString(am['type'], file, 'argument type');
        return { name: String(am['name'] ?? ''), ...(type === undefined ? {} : { type }), description: String(am['description'] ?? '') };
      }),
      meta: expectMap(e['meta'], file, `meta of macro \`${name}\``),
    };
  });
  return { patches, sources, macros };
}

function parsePatch(section: NodePatch['section'], e: unknown, file: string, i: number): NodePatch {
  const raw = expectMap(e, file, `${section} entry ${i + 1}`);
  const name = optionalString(raw['name'], file, `${section} entry ${i + 1} name`);
  if (name === undefined) throw new ProjectConfigError(file, undefined, `${section} entry ${i + 1} has no name`);
  const what = `${section.replace(/s$/, '')} \`${name}\``;
  const { columns, columnTests } = parseColumns(raw['columns'], file, what);
  const config: YamlMap = { ...expectMap(raw['config'], file, `config of ${what}`) };
  // Top-level meta and tags are shorthands for config meta/tags, as dbt treats them.
  if (raw['meta'] !== undefined) config['meta'] = { ...expectMap(raw['meta'], file, `meta of ${what}`), ...expectMap(config['meta'], file, `config.meta of ${what}`) };
  if (raw['tags'] !== undefined) config['tags'] = [...stringList(raw['tags'], file, `tags of ${what}`), ...stringList(config['tags'], file, `config.tags of ${what}`)];
  if (raw['docs'] !== undefined && config['docs'] === undefined) config['docs'] = raw['docs'];
  const versions = expectList(raw['versions'], file, `versions of ${what}`).map((v, j) => {
    const vm = expectMap(v, file, `version ${j + 1} of ${what}`);
    const vv = vm['v'];
    if (typeof vv !== 'string' && typeof vv !== 'number') throw new ProjectConfigError(file, undefined, `version ${j + 1} of ${what} has no \`v:\``);
    const definedIn = optionalString(vm['defined_in'], file, 'defined_in');
    return { v: vv, ...(definedIn === undefined ? {} : { definedIn }), config: expectMap(vm['config'], file, `config of version ${String(vv)} of ${what}`) };
  });
  const latest = raw['latest_version'];
  const relation = optionalString(raw['relation'], file, `relation of ${what}`);
  return {
    section,
    name,
    description: optionalString(raw['description'], file, `description of ${what}`) ?? '',
    config,
    columns,
    tests: testsOf(raw, file, what),
    columnTests,
    versions,
    ...(typeof latest === 'string' || typeof latest === 'number' ? { latestVersion: latest } : {}),
    ...(relation === undefined ? {} : { relation }),
    raw,
  };
}

function parseColumns(value: unknown, file: string, what: string): { columns: Record<string, ColumnDefinition>; columnTests: Map<string, unknown[]> } {
  const columns: Record<string, ColumnDefinition> = {};
  const columnTests = new Map<string, unknown[]>();
  for (const [i, c] of expectList(value, file, `columns of ${what}`).entries()) {
    const col = expectMap(c, file, `column ${i + 1} of ${what}`);
    const name = optionalString(col['name'], file, `column ${i + 1} of ${what}`);
    if (name === undefined) throw new ProjectConfigError(file, undefined, `column ${i + 1} of ${what} has no name`);
    const { name: _n, description, data_type, meta, tags, quote, tests: _t, data_tests: _d, ...extra } = col;
    const dataType = optionalString(data_type, file, `data_type of column \`${name}\``);
    columns[name] = {
      name,
      description: optionalString(description, file, `description of column \`${name}\``) ?? '',
      ...(dataType === undefined ? {} : { dataType }),
      meta: expectMap(meta, file, `meta of column \`${name}\``),
      tags: stringList(tags, file, `tags of column \`${name}\``),
      ...(typeof quote === 'boolean' ? { quote } : {}),
      extra,
    };
    const tests = testsOf(col, file, `column \`${name}\` of ${what}`);
    if (tests.length > 0) columnTests.set(name, tests);
  }
  return { columns, columnTests };
}

/** `tests:` and `data_tests:` (dbt 1.8's name) together. */
function testsOf(m: YamlMap, file: string, what: string): unknown[] {
  return [...expectList(m['data_tests'], file, `data_tests of ${what}`), ...expectList(m['tests'], file, `tests of ${what}`)];
}
