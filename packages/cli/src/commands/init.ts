// `duckrun init <name>`: scaffolds a minimal dbt project with a `type: duckrun` profile beside it,
// so `cd <name> && duckrun build` works at once (profiles.yml in the working directory is found).
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CliIO } from '../cli-io.js';
import { UsageError } from '../errors.js';
import { INIT_OPTIONS, optionHelp, parseOptions } from '../options.js';

const HELP = `usage: duckrun init <project_name> [options]

Creates <project_name>/ with dbt_project.yml, a profiles.yml of type duckrun (tables written as Delta
under --root-path, relative paths against the project), an example seed, two models and their tests.

options:
${optionHelp(INIT_OPTIONS)}
`;

/** Runs `duckrun init`; returns the exit code. */
export async function runInitCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, INIT_OPTIONS);
  if (values.help) {
    await io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('duckrun init needs one project name, e.g. duckrun init my_project');
  const name = positionals[0]!;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`project name ${JSON.stringify(name)} must be letters, digits and underscores, not starting with a digit (dbt's rule)`);
  }
  const dir = resolve(name);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(`${dir} already exists and is not empty; pick another name or remove it`);
  }
  const rootPath = values['root-path'] ?? './warehouse';
  for (const [path, text] of Object.entries(projectFiles(name, rootPath))) {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  await io.stdout(
    `Your new dbt project "${name}" was created in ${dir}\n\n` +
      `Its profile (profiles.yml, next to dbt_project.yml) writes Delta tables under ${rootPath}.\n\n` +
      `Next:\n  cd ${name}\n  duckrun debug\n  duckrun build\n`,
  );
  return 0;
}

/** The scaffold, by path relative to the project. */
function projectFiles(name: string, rootPath: string): Record<string, string> {
  return {
    'dbt_project.yml': `name: ${name}
version: '1.0.0'
profile: ${name}

model-paths: [models]
seed-paths: [seeds]
test-paths: [tests]
macro-paths: [macros]
snapshot-paths: [snapshots]

clean-targets: [target, dbt_packages]

models:
  ${name}:
    example:
      +materialized: view
`,
    'profiles.yml': `# duckrun writes models and seeds as Delta tables under root_path (a local path or a store URL such as
# s3://bucket/warehouse with storage_options). Relative paths resolve against the project.
${name}:
  target: dev
  outputs:
    dev:
      type: duckrun
      root_path: ${JSON.stringify(rootPath)}
      schema: main
`,
    '.gitignore': 'target/\ndbt_packages/\nlogs/\nwarehouse/\n',
    'seeds/countries.csv': 'code,name,population_millions\nPT,Portugal,10.4\nNO,Norway,5.5\nKE,Kenya,55.1\nUY,Uruguay,3.4\n',
    'models/example/stg_countries.sql': `select code, name, population_millions\nfrom {{ ref('countries') }}\n`,
    'models/example/large_countries.sql': `{{ config(materialized='table') }}\n\nselect code, name\nfrom {{ ref('stg_countries') }}\nwhere population_millions > 5\n`,
    'models/example/schema.yml': `version: 2

models:
  - name: stg_countries
    columns:
      - name: code
        data_tests: [unique, not_null]
  - name: large_countries
    columns:
      - name: code
        data_tests: [unique, not_null]
`,
    'macros/.gitkeep': '',
    'tests/.gitkeep': '',
    'snapshots/.gitkeep': '',
    'README.md': `# ${name}\n\nA dbt project run by duckrun: \`duckrun build\` loads the seed, builds the models as Delta tables\nunder ${rootPath} and runs the tests.\n`,
  };
}
