// The parse phase: every node rendered with execute=false to capture its config(), ref() and
// source() calls (dbt's two-phase rendering), then its schema and alias from generate_schema_name /
// generate_alias_name (project macros of those names win). Generic tests keep the refs their
// arguments name; they are rendered only when they run.
import type { NodeDependencies } from '../graph/index.js';
import type { JinjaEnvironment, NodeContext } from '../jinja/index.js';
import { mergeConfigs, type LoadedProject, type ProjectNode } from '../project/index.js';
import { modelDict } from './node-context.js';
import { Relation } from './relation.js';
import type { NodeInfo } from './run-context.js';

/** What the parse phase produced. */
export interface ParsedProject {
  readonly infos: Map<string, NodeInfo>;
  readonly dependencies: Map<string, NodeDependencies>;
}

/** Parses every enabled node of `project`. Throws the first render error (it names the file). */
export function parseNodes(env: JinjaEnvironment, project: LoadedProject, target: Readonly<Record<string, unknown>>, envVars: Readonly<Record<string, string | undefined>>): ParsedProject {
  const infos = new Map<string, NodeInfo>();
  const dependencies = new Map<string, NodeDependencies>();
  for (const node of project.nodes.values()) {
    let config: Record<string, unknown> = { ...node.config };
    const base = { vars: project.varsFor(node.packageName), envVars, target };
    const placeholder = new Relation({ schema: String(target['schema'] ?? 'main'), identifier: node.name });
    let refs: NodeInfo['refs'] = node.staticRefs ?? [];
    let sources: NodeInfo['sources'] = node.staticSources ?? [];
    if (node.testMetadata === undefined && node.resourceType !== 'seed') {
      const ctx: NodeContext = {
        ...base,
        this: placeholder,
        model: { unique_id: node.uniqueId, name: node.name, resource_type: node.resourceType, package_name: node.packageName, config },
        config: {
          set: (values) => {
            config = mergeConfigs(config, values);
          },
          get: (key) => config[key],
        },
      };
      const out = env.parse({ source: node.rawCode, name: node.originalFilePath }, ctx);
      refs = out.refs.map((r) => ({ name: r.name, ...(r.package === undefined ? {} : { package: r.package }), ...(r.version === undefined ? {} : { version: r.version }) }));
      sources = out.sources.map(([sourceName, tableName]) => ({ sourceName, tableName }));
    }
    dependencies.set(node.uniqueId, { refs, sources });
    const materialized = String(config['materialized'] ?? defaultMaterialization(node));
    const info: NodeInfo = { node, config, schema: placeholder.schema, identifier: node.name, relation: placeholder, materialized, refs, sources };
    nameRelation(env, info, base);
    infos.set(node.uniqueId, info);
  }
  return { infos, dependencies };
}

function defaultMaterialization(node: ProjectNode): string {
  return node.resourceType === 'model' ? 'view' : node.resourceType;
}

/** Sets schema, identifier and relation through the naming macros. */
function nameRelation(env: JinjaEnvironment, info: NodeInfo, base: Pick<NodeContext, 'vars' | 'envVars' | 'target'>): void {
  const c = info.config;
  const ctx: NodeContext = { ...base, model: modelDict(info), config: { set: () => undefined, get: (key) => c[key] } };
  const render = (tpl: string) => env.parse({ source: tpl, name: `${info.node.originalFilePath} (naming)` }, ctx).output.trim();
  const targetSchema = typeof c['target_schema'] === 'string' && info.node.resourceType === 'snapshot' ? c['target_schema'] : undefined;
  info.schema = targetSchema ?? render(`{{ generate_schema_name(config.get('schema'), model) }}`);
  info.identifier = info.node.resourceType === 'test' && typeof c['alias'] === 'string' ? c['alias'] : render(`{{ generate_alias_name(config.get('alias'), model) }}`);
  const type = info.materialized === 'view' ? 'view' : info.materialized === 'ephemeral' ? 'cte' : 'table';
  info.relation = new Relation({ schema: info.schema, identifier: info.identifier, type });
}
