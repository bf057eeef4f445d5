// `duckrun ls`: lists the selected nodes (by selector, name, path or as JSON), as dbt ls does.
import { project as dbtProject } from '@duckrun/dbt';
import type { CliIO } from '../cli-io.js';
import { runDbtCommand, type DbtRunOutput, type ProjectFlagValues, type RunDbtOptions } from '../dbt-command.js';
import { UsageError } from '../errors.js';
import { LS_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun ls [options]

Lists the project's nodes that --select/--exclude/--resource-type choose, one per line: the selector
(package.path.name, default), the name, the file path, or a JSON object.

examples:
  duckrun ls -s +customers
  duckrun ls --resource-type test --output name
`;

const OUTPUTS = ['selector', 'name', 'path', 'json'] as const;
const RESOURCE_TYPES = ['model', 'seed', 'snapshot', 'test', 'analysis', 'source', 'exposure', 'metric', 'semantic_model', 'unit_test', 'saved_query'];

/** Runs `duckrun ls`; returns the exit code. */
export function runLsCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'ls', options: LS_OPTIONS, summary: SUMMARY, prepare: checkFlags, print: printListed }, args, io);
}

/** Checks --output and --resource-type before the run. */
function checkFlags(options: RunDbtOptions, flags: ProjectFlagValues): RunDbtOptions {
  outputOf(flags);
  for (const t of resourceTypes(flags) ?? []) {
    if (!RESOURCE_TYPES.includes(t)) throw new UsageError(`--resource-type ${t} is not a dbt resource type; use one of ${RESOURCE_TYPES.join(', ')}`);
  }
  return options;
}

async function printListed(results: DbtRunOutput, options: RunDbtOptions, flags: ProjectFlagValues, io: CliIO): Promise<void> {
  const output = outputOf(flags);
  const types = resourceTypes(flags);
  let listed = results.listed ?? [];
  if (output === 'selector' && types === undefined) {
    for (const l of listed) await io.stdout(`${l}\n`);
    return;
  }
  // The node behind each selector, from the project as loaded, for its type, path and config.
  const loaded = dbtProject.loadProject({ projectDir: options.projectDir, ...(typeof options.vars === 'object' ? { vars: options.vars } : {}) });
  const byFqn = new Map([...loaded.nodes.values()].map((n) => [n.fqn.join('.'), n]));
  const typeOf = (l: string) => (l.startsWith('source:') ? 'source' : byFqn.get(l)?.resourceType);
  // As in dbt, --resource-type filters after selection (tests picked up indirectly drop out too).
  if (types !== undefined) listed = listed.filter((l) => types.includes(typeOf(l) ?? ''));
  for (const l of listed) {
    const node = byFqn.get(l);
    if (output === 'selector') await io.stdout(`${l}\n`);
    else if (output === 'name') await io.stdout(`${node?.name ?? l.split('.').pop()}\n`);
    else if (node === undefined) await io.stdout(`${output === 'json' ? JSON.stringify({ selector: l }) : l}\n`);
    else if (output === 'path') await io.stdout(`${node.originalFilePath}\n`);
    else {
      const json = {
        name: node.name,
        resource_type: node.resourceType,
        package_name: node.packageName,
        original_file_path: node.originalFilePath,
        unique_id: node.uniqueId,
        tags: node.config['tags'] ?? [],
        config: { materialized: node.config['materialized'] ?? null, enabled: true },
      };
      await io.stdout(`${JSON.stringify(json)}\n`);
    }
  }
}

function resourceTypes(flags: ProjectFlagValues): string[] | undefined {
  const types = flags['resource-type'];
  return Array.isArray(types) && types.length > 0 ? types : undefined;
}

function outputOf(flags: ProjectFlagValues): (typeof OUTPUTS)[number] {
  const o = flags['output'] ?? 'selector';
  if (typeof o === 'string' && (OUTPUTS as readonly string[]).includes(o)) return o as (typeof OUTPUTS)[number];
  throw new UsageError(`--output ${String(o)} is not supported; use one of ${OUTPUTS.join(', ')}`);
}
