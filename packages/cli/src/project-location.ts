// Where a project command looks: --project-dir (or DBT_PROJECT_DIR, else the working directory), and
// the parsed dbt_project.yml found there, for commands that need only the project file.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { project } from '@duckrun/dbt';
import { UsageError } from './errors.js';

/** The absolute project directory named by `--project-dir`, DBT_PROJECT_DIR or the working directory. */
export function projectDirOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const dir = flag ?? (env['DBT_PROJECT_DIR'] || undefined) ?? process.cwd();
  return resolve(dir);
}

/** Reads and checks `<dir>/dbt_project.yml`; throws a one-line error naming the file. */
export function readProjectFile(dir: string): { file: string; project: project.DbtProjectFile } {
  const file = join(dir, 'dbt_project.yml');
  if (!existsSync(file)) {
    throw new project.ProjectConfigError(file, undefined, 'not found; run duckrun inside a dbt project or pass --project-dir <dir with dbt_project.yml>');
  }
  return { file, project: project.parseDbtProjectFile(project.parseYaml(readFileSync(file, 'utf8'), file), file) };
}

/** Parses `--vars` (a YAML or JSON mapping) into an object, or a usage error. */
export function parseVarsFlag(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = project.parseYaml(text, '--vars');
  } catch (e) {
    throw new UsageError(`--vars is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--vars must be a YAML or JSON mapping such as '{key: value}', got ${JSON.stringify(text)}`);
  }
  return value as Record<string, unknown>;
}
