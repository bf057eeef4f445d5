// The state one invocation shares across nodes: the loaded project, graph, Jinja environment,
// warehouse, each node's resolved config and relation, and the event sink.
import type { RunEvent, NodeSummary } from '../events.js';
import type { DependencyGraph } from '../graph/index.js';
import type { JinjaEnvironment } from '../jinja/index.js';
import type { LoadedProject, ProjectNode, ResolvedTarget } from '../project/index.js';
import type { DbtCommand, DbtRunOptions } from './options.js';
import type { Relation } from './relation.js';
import type { Warehouse } from './warehouse.js';

/** A node with what the parse phase resolved. */
export interface NodeInfo {
  readonly node: ProjectNode;
  /** Project, schema YAML and in-file `config()` merged. */
  config: Record<string, unknown>;
  /** Where it lands (generate_schema_name / generate_alias_name). */
  schema: string;
  identifier: string;
  relation: Relation;
  readonly materialized: string;
  /** Calls the parse render found. */
  readonly refs: readonly { readonly name: string; readonly package?: string; readonly version?: string | number }[];
  readonly sources: readonly { readonly sourceName: string; readonly tableName: string }[];
}

/** Everything materializations need. */
export interface RunContext {
  readonly command: DbtCommand;
  readonly options: DbtRunOptions;
  readonly env: JinjaEnvironment;
  readonly project: LoadedProject;
  readonly graph: DependencyGraph;
  readonly target: ResolvedTarget;
  readonly targetContext: Readonly<Record<string, unknown>>;
  readonly warehouse: Warehouse;
  readonly infos: ReadonlyMap<string, NodeInfo>;
  readonly adapter: object;
  readonly invocationId: string;
  readonly runStartedAt: Date;
  readonly envVars: Readonly<Record<string, string | undefined>>;
  /** Compiled SQL of ephemeral models, by id (filled before a dependant renders). */
  readonly ephemeralSql: Map<string, string>;
  emit(event: RunEvent): void;
  /** The reporter's view of a node. */
  summary(id: string): NodeSummary;
}
