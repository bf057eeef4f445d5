// Loads a dbt project and its packages from disk into plain data: nodes with resolved configs,
// sources, macros, docs, run hooks and per-package vars. Jinja inside the files is left for the
// caller, except YAML strings, which are rendered through the caller's callback.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { findBlocks, macroNameOf } from './blocks.js';
import { parseDbtProjectFile, type DbtProjectFile, type DispatchConfig } from './dbt-project-file.js';
import { ProjectConfigError } from './errors.js';
import { listResourceFiles, type FoundFile } from './files.js';
import { identifyGenericTest, parseTestEntry, TEST_CONFIG_DEFAULTS, type TestTarget } from './generic-tests.js';
import { configFromTree, mergeConfigs, type NodeConfig } from './node-config.js';
import type { DocDefinition, MacroDefinition, MacroFile, NodeResourceType, ProjectNode, SourceDefinition } from './nodes.js';
import { listInstalledPackageDirs, readPackagesFile, resolvePackageDirs } from './packages-file.js';
import { projectNoRender, renderYamlTree, schemaNoRender, type YamlRenderer } from './render.js';
import { parseSchemaFile, type NodePatch, type SourceTableEntry } from './schema-file.js';
import { computeVars } from './vars.js';
import { isMap, readYamlFile, type YamlMap } from './yaml-file.js';

/** Options of {@link loadProject}. */
export interface LoadProjectOptions {
  /** Directory holding dbt_project.yml. */
  readonly projectDir: string;
  /** `--vars`, already parsed; they win over every project's vars. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Renders Jinja in YAML strings; without it such strings stay as written. */
  readonly render?: YamlRenderer;
  /** The `target` object schema YAML may read, when a profile was loaded first. */
  readonly target?: Readonly<Record<string, unknown>>;
}

/** The root project or one of its packages. */
export interface ProjectPackage {
  readonly name: string;
  readonly dir: string;
  readonly project: DbtProjectFile;
  readonly isRoot: boolean;
}

/** A run hook (`on-run-start`/`on-run-end`) with the package that declared it; SQL unrendered. */
export interface RunHook {
  readonly sql: string;
  readonly packageName: string;
  readonly index: number;
}

/** A loaded project: plain data the graph, the renderer and the runner work from. */
export interface LoadedProject {
  readonly projectDir: string;
  readonly root: ProjectPackage;
  /** Root first, then packages by name. */
  readonly packages: readonly ProjectPackage[];
  /** Enabled nodes by unique id. */
  readonly nodes: ReadonlyMap<string, ProjectNode>;
  /** Nodes whose config (project file or schema YAML) says `enabled: false`. */
  readonly disabled: readonly ProjectNode[];
  readonly sources: ReadonlyMap<string, SourceDefinition>;
  readonly macros: ReadonlyMap<string, MacroDefinition>;
  readonly macroFiles: readonly MacroFile[];
  readonly docs: ReadonlyMap<string, DocDefinition>;
  /** Package hooks first (by package name), then the root project's. */
  readonly onRunStart: readonly RunHook[];
  readonly onRunEnd: readonly RunHook[];
  /** The root project's `dispatch:` entries. */
  readonly dispatch: readonly DispatchConfig[];
  /** Variables `var()` sees in a package: its own vars, then the root's global and package-scoped vars, then `--vars`. */
  varsFor(packageName: string): Readonly<Record<string, unknown>>;
  /** Things dbt would warn about (a schema entry for a missing model, …). */
  readonly warnings: readonly string[];
}

/** Loads the project at `options.projectDir` and its installed packages. */
export function loadProject(options: LoadProjectOptions): LoadedProject {
  const projectDir = resolve(options.projectDir);
  const cliVars = options.vars ?? {};
  const rootFile = join(projectDir, 'dbt_project.yml');
  if (!existsSync(rootFile)) {
    throw new ProjectConfigError(rootFile, undefined, 'not found; run duckrun inside a dbt project or pass --project-dir <dir with dbt_project.yml>');
  }
  const root = readPackage(projectDir, true, options.render, cliVars);
  const { file: packagesFile, packages: specs } = readPackagesFile(projectDir, options.render, cliVars);
  const installed = listInstalledPackageDirs(join(projectDir, root.project.packagesInstallPath));
  const extraLocal = packagesFile === undefined ? [] : resolvePackageDirs(packagesFile, specs, installed);
  const byName = new Map<string, ProjectPackage>([[root.name, root]]);
  for (const dir of [...installed, ...extraLocal]) {
    const pkg = readPackage(dir, false, options.render, cliVars);
    // A package vendored twice, or one that shadows the root project, keeps its first copy.
    if (!byName.has(pkg.name)) byName.set(pkg.name, pkg);
  }
  const packages = [root, ...[...byName.values()].filter((p) => !p.isRoot).sort((a, b) => (a.name < b.name ? -1 : 1))];
  const packageNames = new Set(packages.map((p) => p.name));
  const varsCache = new Map<string, Readonly<Record<string, unknown>>>();
  const varsFor = (name: string) => {
    let v = varsCache.get(name);
    if (v === undefined) {
      v = computeVars(root.project.vars, byName.get(name)?.project.vars ?? {}, name, packageNames, cliVars);
      varsCache.set(name, v);
    }
    return v;
  };
  const builder = new ProjectBuilder(root, options, varsFor);
  for (const p of packages) builder.addPackage(p);
  const hooks = (key: 'onRunStart' | 'onRunEnd') =>
    [...packages.slice(1), root].flatMap((p) => p.project[key].map((sql, index) => ({ sql, packageName: p.name, index })));
  return {
    projectDir,
    root,
    packages,
    ...builder.finish(),
    onRunStart: hooks('onRunStart'),
    onRunEnd: hooks('onRunEnd'),
    dispatch: root.project.dispatch,
    varsFor,
  };
}

/** Reads one package's dbt_project.yml, rendered with the CLI vars only (as dbt does). */
function readPackage(dir: string, isRoot: boolean, render: YamlRenderer | undefined, cliVars: Readonly<Record<string, unknown>>): ProjectPackage {
  const file = join(dir, 'dbt_project.yml');
  const raw = readYamlFile(file, file);
  const rendered = renderYamlTree(raw, render, { kind: 'project', file, vars: cliVars }, projectNoRender);
  const project = parseDbtProjectFile(rendered, file);
  return { name: project.name, dir, project, isRoot };
}

/** Accumulates nodes across packages, then applies schema YAML and builds tests. */
class ProjectBuilder {
  readonly #nodes = new Map<string, ProjectNode>();
  readonly #sources = new Map<string, SourceDefinition>();
  readonly #macros = new Map<string, MacroDefinition>();
  readonly #macroFiles: MacroFile[] = [];
  readonly #docs = new Map<string, DocDefinition>();
  readonly #warnings: string[] = [];

  constructor(
    readonly root: ProjectPackage,
    readonly options: LoadProjectOptions,
    readonly varsFor: (pkg: string) => Readonly<Record<string, unknown>>,
  ) {}

  addPackage(pkg: ProjectPackage): void {
    const p = pkg.project;
    for (const f of listResourceFiles(pkg.dir, p.modelPaths, ['.sql'])) this.#addFileNode(pkg, 'model', f, readFileSync(f.absolutePath, 'utf8'));
    for (const f of listResourceFiles(pkg.dir, p.seedPaths, ['.csv'])) this.#addFileNode(pkg, 'seed', f, '');
    for (const f of listResourceFiles(pkg.dir, p.snapshotPaths, ['.sql'])) this.#addSnapshots(pkg, f);
    for (const f of listResourceFiles(pkg.dir, p.testPaths, ['.sql'])) {
      // tests/generic/ holds generic test definitions: macro files, not singular tests.
      if (f.path.startsWith('generic/')) this.#addMacroFile(pkg, f);
      else this.#addFileNode(pkg, 'test', f, readFileSync(f.absolutePath, 'utf8'));
    }
    for (const f of listResourceFiles(pkg.dir, p.macroPaths, ['.sql'])) this.#addMacroFile(pkg, f);
    for (const f of listResourceFiles(pkg.dir, p.docsPaths, ['.md'])) this.#addDocs(pkg, f);
    const schemaPaths = [...new Set([...p.modelPaths, ...p.seedPaths, ...p.snapshotPaths, ...p.testPaths, ...p.macroPaths, ...p.analysisPaths])];
    for (const f of listResourceFiles(pkg.dir, schemaPaths, ['.yml', '.yaml'])) this.#applySchemaFile(pkg, f);
  }

  finish(): Pick<LoadedProject, 'nodes' | 'disabled' | 'sources' | 'macros' | 'macroFiles' | 'docs' | 'warnings'> {
    const nodes = new Map<string, ProjectNode>();
    const disabled: ProjectNode[] = [];
    for (const [id, n] of this.#nodes) {
      const attachedOff = n.attachedNode !== undefined && this.#nodes.get(n.attachedNode)?.config['enabled'] === false;
      if (n.config['enabled'] === false || attachedOff) disabled.push(n);
      else nodes.set(id, n);
    }
    return { nodes, disabled, sources: this.#sources, macros: this.#macros, macroFiles: this.#macroFiles, docs: this.#docs, warnings: this.#warnings };
  }

  #projectConfig(pkg: ProjectPackage, tree: 'models' | 'seeds' | 'snapshots' | 'tests' | 'sources', fqn: readonly string[]): NodeConfig {
    const own = configFromTree(pkg.project[tree], fqn);
    return pkg.isRoot ? own : mergeConfigs(own, configFromTree(this.root.project[tree], fqn));
  }

  #addFileNode(pkg: ProjectPackage, type: NodeResourceType, f: FoundFile, rawCode: string): void {
    const name = stripExt(basename(f.path));
    const fqn = [pkg.name, ...f.path.split('/').slice(0, -1), name];
    const tree = type === 'model' ? 'models' : type === 'seed' ? 'seeds' : 'tests';
    const defaults: NodeConfig = type === 'test' ? TEST_CONFIG_DEFAULTS : { enabled: true, materialized: type === 'seed' ? 'seed' : 'view', tags: [], meta: {} };
    const config = mergeConfigs(defaults, this.#projectConfig(pkg, tree, fqn));
    this.#put({
      uniqueId: `${type}.${pkg.name}.${name}`,
      resourceType: type,
      name,
      packageName: pkg.name,
      path: f.path,
      originalFilePath: f.originalFilePath,
      rootPath: pkg.dir,
      fqn,
      rawCode,
      language: 'sql',
      checksum: sha256(readFileSync(f.absolutePath)),
      config: type === 'test' ? normalizeSeverity(config) : config,
      description: '',
      columns: {},
      properties: {},
    });
  }

  #addSnapshots(pkg: ProjectPackage, f: FoundFile): void {
    const text = readFileSync(f.absolutePath, 'utf8');
    for (const b of findBlocks(text, ['snapshot'], f.originalFilePath)) {
      const fqn = [pkg.name, ...stripExt(f.path).split('/'), b.name];
      this.#put({
        uniqueId: `snapshot.${pkg.name}.${b.name}`,
        resourceType: 'snapshot',
        name: b.name,
        packageName: pkg.name,
        path: f.path,
        originalFilePath: f.originalFilePath,
        rootPath: pkg.dir,
        fqn,
        rawCode: b.body,
        language: 'sql',
        checksum: sha256(b.text),
        config: mergeConfigs({ enabled: true, materialized: 'snapshot', tags: [], meta: {} }, this.#projectConfig(pkg, 'snapshots', fqn)),
        description: '',
        columns: {},
        properties: {},
        line: b.line,
      });
    }
  }

  #addMacroFile(pkg: ProjectPackage, f: FoundFile): void {
    const text = readFileSync(f.absolutePath, 'utf8');
    this.#macroFiles.push({ packageName: pkg.name, originalFilePath: f.originalFilePath, absolutePath: f.absolutePath, text });
    for (const b of findBlocks(text, ['macro', 'test', 'materialization'], f.originalFilePath)) {
      const name = macroNameOf(b);
      const uniqueId = `macro.${pkg.name}.${name}`;
      const prev = this.#macros.get(uniqueId);
      if (prev !== undefined) {
        throw new ProjectConfigError(f.originalFilePath, b.line, `macro \`${name}\` is also defined in ${prev.originalFilePath}:${prev.line}; rename or remove one of them`);
      }
      this.#macros.set(uniqueId, {
        uniqueId,
        name,
        kind: b.tag as MacroDefinition['kind'],
        packageName: pkg.name,
        path: f.path,
        originalFilePath: f.originalFilePath,
        rootPath: pkg.dir,
        macroSql: b.text,
        line: b.line,
        description: '',
        arguments: [],
        meta: {},
      });
    }
  }

  #addDocs(pkg: ProjectPackage, f: FoundFile): void {
    const text = readFileSync(f.absolutePath, 'utf8');
    for (const b of findBlocks(text, ['docs'], f.originalFilePath)) {
      const uniqueId = `doc.${pkg.name}.${b.name}`;
      if (this.#docs.has(uniqueId)) throw new ProjectConfigError(f.originalFilePath, b.line, `docs block \`${b.name}\` is defined twice in package ${pkg.name}`);
      this.#docs.set(uniqueId, { uniqueId, name: b.name, packageName: pkg.name, path: f.path, originalFilePath: f.originalFilePath, blockContents: b.body.trim() });
    }
  }

  #put(node: ProjectNode): void {
    const prev = this.#nodes.get(node.uniqueId);
    if (prev !== undefined) {
      throw new ProjectConfigError(
        node.originalFilePath,
        node.line,
        `${node.resourceType} \`${node.name}\` is also defined in ${prev.originalFilePath}; ${node.resourceType} names must be unique within package ${node.packageName}`,
      );
    }
    this.#nodes.set(node.uniqueId, node);
  }

  #applySchemaFile(pkg: ProjectPackage, f: FoundFile): void {
    const raw = readYamlFile(f.absolutePath, f.originalFilePath);
    const ctx = { kind: 'schema' as const, file: f.originalFilePath, packageName: pkg.name, vars: this.varsFor(pkg.name), ...(this.options.target === undefined ? {} : { target: this.options.target }) };
    const doc = renderYamlTree(raw, this.options.render, ctx, schemaNoRender);
    const contents = parseSchemaFile(doc, f.originalFilePath);
    const patchPath = `${pkg.name}://${f.originalFilePath}`;
    const dirParts = f.path.split('/').slice(0, -1);
    for (const patch of contents.patches) this.#applyPatch(pkg, f, patch, patchPath, dirParts);
    for (const s of contents.sources) this.#addSource(pkg, f, s, patchPath, dirParts);
    for (const m of contents.macros) {
      const id = `macro.${pkg.name}.${m.name}`;
      const macro = this.#macros.get(id);
      if (macro === undefined) this.#warnings.push(`${f.originalFilePath}: macro \`${m.name}\` is described but not defined in package ${pkg.name}`);
      else this.#macros.set(id, { ...macro, description: m.description, arguments: m.arguments, meta: m.meta });
    }
  }

  #applyPatch(pkg: ProjectPackage, f: FoundFile, patch: NodePatch, patchPath: string, dirParts: readonly string[]): void {
    if (patch.section === 'analyses') return;
    const type = patch.section === 'models' ? 'model' : patch.section === 'seeds' ? 'seed' : 'snapshot';
    if (type === 'snapshot' && patch.relation !== undefined && !this.#nodes.has(`snapshot.${pkg.name}.${patch.name}`)) {
      const fqn = [pkg.name, ...dirParts, patch.name];
      this.#put({
        uniqueId: `snapshot.${pkg.name}.${patch.name}`,
        resourceType: 'snapshot',
        name: patch.name,
        packageName: pkg.name,
        path: f.path,
        originalFilePath: f.originalFilePath,
        rootPath: pkg.dir,
        fqn,
        rawCode: `select * from {{ ${patch.relation} }}`,
        language: 'sql',
        checksum: sha256(JSON.stringify(patch.raw)),
        config: mergeConfigs({ enabled: true, materialized: 'snapshot', tags: [], meta: {} }, this.#projectConfig(pkg, 'snapshots', fqn)),
        description: '',
        columns: {},
        properties: {},
      });
    }
    const targets = type === 'model' && patch.versions.length > 0 ? this.#versionNodes(pkg, patch, f) : [`${type}.${pkg.name}.${patch.name}`];
    for (const id of targets) {
      const node = this.#nodes.get(id);
      if (node === undefined) {
        this.#warnings.push(`${f.originalFilePath}: ${type} \`${patch.name}\` is described but there is no such ${type} in package ${pkg.name}`);
        continue;
      }
      if (node.patchPath !== undefined) {
        throw new ProjectConfigError(f.originalFilePath, undefined, `${type} \`${patch.name}\` is already described in ${node.patchPath.replace(/^[^:]*:\/\//, '')}; keep one entry`);
      }
      const versionConfig = patch.versions.find((v) => String(v.v) === String(node.version))?.config;
      const { name: _n, description: _d, columns: _c, config: _cf, tests: _t, data_tests: _dt, versions: _v, ...properties } = patch.raw;
      const patched: ProjectNode = {
        ...node,
        description: patch.description,
        columns: patch.columns,
        config: mergeConfigs(node.config, patch.config, versionConfig),
        patchPath,
        properties,
      };
      this.#nodes.set(id, patched);
      const target: TestTarget = { kind: 'ref', name: patch.name, uniqueId: id, ...(node.version === undefined ? {} : { version: node.version }) };
      this.#addTests(pkg, f, patch.tests, patch.columnTests, patch.columns, target, dirParts, patched.config['tags'] as string[] | undefined);
    }
  }

  /** Renames `<name>_v<v>` (or `defined_in`) models into versions of `name`; returns their ids. */
  #versionNodes(pkg: ProjectPackage, patch: NodePatch, f: FoundFile): string[] {
    const latest = patch.latestVersion ?? patch.versions.map((v) => v.v).sort((a, b) => Number(a) - Number(b)).pop();
    const ids: string[] = [];
    for (const v of patch.versions) {
      const fileName = v.definedIn ?? `${patch.name}_v${String(v.v)}`;
      const oldId = `model.${pkg.name}.${fileName}`;
      const node = this.#nodes.get(oldId) ?? this.#nodes.get(`model.${pkg.name}.${patch.name}`);
      if (node === undefined) throw new ProjectConfigError(f.originalFilePath, undefined, `version ${String(v.v)} of model \`${patch.name}\` needs a file ${fileName}.sql (or set defined_in)`);
      this.#nodes.delete(node.uniqueId);
      const id = `model.${pkg.name}.${patch.name}.v${String(v.v)}`;
      this.#put({ ...node, uniqueId: id, name: patch.name, fqn: [...node.fqn.slice(0, -1), patch.name, `v${String(v.v)}`], version: v.v, ...(latest === undefined ? {} : { latestVersion: latest }) });
      ids.push(id);
    }
    return ids;
  }

  #addSource(pkg: ProjectPackage, f: FoundFile, s: SourceTableEntry, patchPath: string, dirParts: readonly string[]): void {
    const uniqueId = `source.${pkg.name}.${s.sourceName}.${s.tableName}`;
    if (this.#sources.has(uniqueId)) throw new ProjectConfigError(f.originalFilePath, undefined, `source table \`${s.sourceName}.${s.tableName}\` is declared twice in package ${pkg.name}`);
    const sourceConfig = isMap(s.source['config']) ? s.source['config'] : {};
    const tableConfig = isMap(s.table['config']) ? s.table['config'] : {};
    const config = mergeConfigs({ enabled: true, tags: [], meta: {} }, this.#projectConfig(pkg, 'sources', [pkg.name, s.sourceName, s.tableName]), sourceConfig, tableConfig);
    if (config['enabled'] === false) return;
    const sourceMeta = { ...asMap(s.source['meta']), ...asMap(sourceConfig['meta']) };
    const meta = { ...sourceMeta, ...asMap(s.table['meta']), ...asMap(tableConfig['meta']) };
    const tags = [...new Set([...strings(s.source['tags']), ...strings(s.table['tags']), ...strings(config['tags'])])];
    const database = str(s.table['database']) ?? str(s.source['database']);
    const loadedAtField = str(s.table['loaded_at_field']) ?? str(s.source['loaded_at_field']);
    const source: SourceDefinition = {
      uniqueId,
      name: s.tableName,
      sourceName: s.sourceName,
      packageName: pkg.name,
      path: f.path,
      originalFilePath: f.originalFilePath,
      rootPath: pkg.dir,
      fqn: [pkg.name, ...dirParts, s.sourceName, s.tableName],
      ...(database === undefined ? {} : { database }),
      schema: str(s.table['schema']) ?? str(s.source['schema']) ?? s.sourceName,
      identifier: str(s.table['identifier']) ?? s.tableName,
      loader: str(s.source['loader']) ?? '',
      description: str(s.table['description']) ?? '',
      sourceDescription: str(s.source['description']) ?? '',
      columns: s.columns,
      meta,
      sourceMeta,
      tags,
      config: { ...config, meta },
      ...(loadedAtField === undefined ? {} : { loadedAtField }),
      ...(s.table['external'] === undefined ? {} : { external: s.table['external'] }),
      quoting: { ...asMap(s.source['quoting']), ...asMap(s.table['quoting']) },
      patchPath,
    };
    this.#sources.set(uniqueId, source);
    const target: TestTarget = { kind: 'source', sourceName: s.sourceName, tableName: s.tableName, uniqueId };
    this.#addTests(pkg, f, s.tests, s.columnTests, s.columns, target, dirParts, tags);
  }

  #addTests(
    pkg: ProjectPackage,
    f: FoundFile,
    modelTests: readonly unknown[],
    columnTests: ReadonlyMap<string, readonly unknown[]>,
    columns: Readonly<Record<string, { readonly tags: readonly string[] }>>,
    target: TestTarget,
    dirParts: readonly string[],
    targetTags: readonly string[] | undefined,
  ): void {
    const targetLabel = target.kind === 'ref' ? target.name : `${target.sourceName}.${target.tableName}`;
    const entries: [unknown, string | undefined][] = [
      ...modelTests.map((t): [unknown, undefined] => [t, undefined]),
      ...[...columnTests].flatMap(([col, ts]) => ts.map((t): [unknown, string] => [t, col])),
    ];
    for (const [entry, column] of entries) {
      const where = `tests of ${column === undefined ? '' : `column \`${column}\` of `}\`${targetLabel}\``;
      const spec = parseTestEntry(entry, f.originalFilePath, where);
      const id = identifyGenericTest(spec, target, column, pkg.name);
      const fqn = [pkg.name, ...dirParts, id.name];
      // Tests inherit the tags of their source (and of their column), as dbt's tests do.
      const inherited = [...(target.kind === 'source' ? (targetTags ?? []) : []), ...(column === undefined ? [] : (columns[column]?.tags ?? []))];
      const config = mergeConfigs(TEST_CONFIG_DEFAULTS, this.#projectConfig(pkg, 'tests', fqn), { tags: inherited }, spec.config);
      this.#put({
        uniqueId: id.uniqueId,
        resourceType: 'test',
        name: id.name,
        packageName: pkg.name,
        path: `${id.alias}.sql`,
        originalFilePath: f.originalFilePath,
        rootPath: pkg.dir,
        fqn,
        rawCode: id.rawCode,
        language: 'sql',
        checksum: sha256(id.rawCode + JSON.stringify(id.testMetadata)),
        config: { ...normalizeSeverity(config), alias: id.alias },
        description: spec.description,
        columns: {},
        properties: {},
        testMetadata: id.testMetadata,
        attachedNode: target.uniqueId,
        ...(column === undefined ? {} : { columnName: column }),
        staticRefs: id.staticRefs,
        staticSources: id.staticSources,
      });
    }
  }
}

/** dbt stores test severity upper-case whichever way it was written. */
function normalizeSeverity(config: NodeConfig): NodeConfig {
  return typeof config['severity'] === 'string' ? { ...config, severity: config['severity'].toUpperCase() } : config;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function stripExt(p: string): string {
  return p.replace(/\.[^./]+$/, '');
}

function asMap(v: unknown): YamlMap {
  return isMap(v) ? v : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function strings(v: unknown): string[] {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
