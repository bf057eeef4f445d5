// The resources a loaded project holds, as plain data: nodes (models, seeds, snapshots, tests),
// sources, macros and docs blocks, with dbt's unique ids, fqns and paths.
import type { NodeConfig } from './node-config.js';

/** Resource types of executable nodes. */
export type NodeResourceType = 'model' | 'seed' | 'snapshot' | 'test';

/** A `ref()` as written: `ref('m')`, `ref('pkg', 'm')`, `ref('m', v=2)`. */
export interface RefCall {
  readonly name: string;
  readonly package?: string;
  readonly version?: string | number;
}

/** A `source('source_name', 'table_name')` call. */
export interface SourceCall {
  readonly sourceName: string;
  readonly tableName: string;
}

/** A column described in schema YAML. */
export interface ColumnDefinition {
  readonly name: string;
  readonly description: string;
  readonly dataType?: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
  readonly quote?: boolean;
  /** Any other keys as written (constraints, granularity, …). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** What a generic test was built from (dbt's `test_metadata`). */
export interface TestMetadata {
  /** The test's macro name without `test_` (e.g. `not_null`). */
  readonly name: string;
  /** Package namespace when written `pkg.test` (e.g. `dbt_utils`). */
  readonly namespace?: string;
  /** Arguments, including `column_name` and `model` (a Jinja string), unrendered. */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** A model, seed, snapshot or test of the root project or a package. */
export interface ProjectNode {
  readonly uniqueId: string;
  readonly resourceType: NodeResourceType;
  readonly name: string;
  readonly packageName: string;
  /** Path inside the resource folder (dbt `path`), `/`-separated. */
  readonly path: string;
  /** Path from the package root (dbt `original_file_path`), `/`-separated. */
  readonly originalFilePath: string;
  /** The package's root directory (absolute). */
  readonly rootPath: string;
  readonly fqn: readonly string[];
  /** SQL/Jinja source (a snapshot's block body; a generic test's macro call). */
  readonly rawCode: string;
  readonly language: 'sql';
  /** sha256 of the file's bytes (of the block for snapshots). */
  readonly checksum: string;
  /** Config from dbt_project.yml and schema YAML; the caller merges in-file `config()` on top. */
  readonly config: NodeConfig;
  readonly description: string;
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  /** `package://path` of the schema YAML that described this node. */
  readonly patchPath?: string;
  /** 1-based line where the node starts in its file (snapshot blocks, YAML tests). */
  readonly line?: number;
  /** Model version, for versioned models (`model.pkg.name.v2`). */
  readonly version?: string | number;
  readonly latestVersion?: string | number;
  /** Schema YAML keys kept as written (access, group, constraints, docs, …). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** Generic tests only. */
  readonly testMetadata?: TestMetadata;
  /** Generic tests: the node or source the test is defined on. */
  readonly attachedNode?: string;
  readonly columnName?: string;
  /**
   * Generic tests: the refs and sources readable from the arguments without rendering; a parse
   * render of the test can replace them.
   */
  readonly staticRefs?: readonly RefCall[];
  readonly staticSources?: readonly SourceCall[];
}

/** One table of a `sources:` entry. */
export interface SourceDefinition {
  readonly uniqueId: string;
  readonly name: string;
  readonly sourceName: string;
  readonly packageName: string;
  readonly path: string;
  readonly originalFilePath: string;
  readonly rootPath: string;
  readonly fqn: readonly string[];
  readonly database?: string;
  readonly schema: string;
  readonly identifier: string;
  readonly loader: string;
  readonly description: string;
  readonly sourceDescription: string;
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  /** Source meta merged with the table's (the table wins); duckrun routes on `delta_table_path`, `location`, `format`. */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly sourceMeta: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
  readonly config: NodeConfig;
  readonly loadedAtField?: string;
  readonly external?: unknown;
  readonly quoting: Readonly<Record<string, unknown>>;
  readonly patchPath?: string;
}

/** Kinds of Jinja block a macro file defines. */
export type MacroKind = 'macro' | 'test' | 'materialization';

/** One macro (or generic test, or materialization) block. */
export interface MacroDefinition {
  readonly uniqueId: string;
  /** The callable name: `my_macro`, `test_not_null`, `materialization_table_default`. */
  readonly name: string;
  readonly kind: MacroKind;
  readonly packageName: string;
  readonly path: string;
  readonly originalFilePath: string;
  readonly rootPath: string;
  /** The whole block, from `{% macro` to `{% endmacro %}`. */
  readonly macroSql: string;
  readonly line: number;
  readonly description: string;
  readonly arguments: readonly { readonly name: string; readonly type?: string; readonly description: string }[];
  readonly meta: Readonly<Record<string, unknown>>;
}

/** A macro file as a whole, for the Jinja environment to compile once. */
export interface MacroFile {
  readonly packageName: string;
  readonly originalFilePath: string;
  readonly absolutePath: string;
  readonly text: string;
}

/** A `{% docs name %}` block. */
export interface DocDefinition {
  readonly uniqueId: string;
  readonly name: string;
  readonly packageName: string;
  readonly path: string;
  readonly originalFilePath: string;
  readonly blockContents: string;
}
