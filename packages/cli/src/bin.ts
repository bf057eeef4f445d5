// argv → command → exit code. Commands load lazily so `duckrun --version` starts no engine.
import { isDuckrunError } from '@duckrun/storage';
import { processIO, type CliIO } from './cli-io.js';
import { VERSION } from './version.js';

type Command = (args: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  sql: async () => (await import('./commands/sql.js')).runSqlCommand,
  run: async () => (await import('./commands/run.js')).runRunCommand,
  build: async () => (await import('./commands/build.js')).runBuildCommand,
  test: async () => (await import('./commands/test.js')).runTestCommand,
  seed: async () => (await import('./commands/seed.js')).runSeedCommand,
  snapshot: async () => (await import('./commands/snapshot.js')).runSnapshotCommand,
  compile: async () => (await import('./commands/compile.js')).runCompileCommand,
  show: async () => (await import('./commands/show.js')).runShowCommand,
  ls: async () => (await import('./commands/ls.js')).runLsCommand,
  list: async () => (await import('./commands/ls.js')).runLsCommand,
  debug: async () => (await import('./commands/debug.js')).runDebugCommand,
  clean: async () => (await import('./commands/clean.js')).runCleanCommand,
  deps: async () => (await import('./commands/deps.js')).runDepsCommand,
  init: async () => (await import('./commands/init.js')).runInitCommand,
};

const USAGE = `usage: duckrun <command> [options]

commands:
  sql       run SQL in DuckDB; delta_scan('uri') reads Delta tables (duckrun sql --help)

dbt project commands (a dbt project whose profile has type: duckrun; duckrun <command> --help):
  build     seeds, models, snapshots and tests in DAG order
  run       models: views, Delta tables, incremental merges
  test      data tests against built tables
  seed      load CSV seeds as Delta tables
  snapshot  record slowly changing dimensions
  compile   render models (or --inline SQL) to SQL
  show      preview a model's (or --inline SQL's) rows
  ls        list selected nodes
  debug     check dbt_project.yml, the profile and store access
  clean     delete target/ and dbt_packages/ (clean-targets)
  deps      install local: packages into dbt_packages/
  init      scaffold a new project with a duckrun profile

options:
  -h, --help       show this help
  -v, --version    print the version
`;

/** Runs the CLI and returns its exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    await io.stdout(`duckrun ${VERSION}\n`);
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    await io.stdout(USAGE);
    return 0;
  }
  const load = command === undefined ? undefined : COMMANDS[command];
  if (load === undefined) {
    await io.stderr(command === undefined ? USAGE : `error: unknown command ${JSON.stringify(command)}; run duckrun --help\n`);
    return 2;
  }
  const debug = rest.includes('--debug');
  try {
    return await (await load())(rest, io);
  } catch (e) {
    await reportError(e, debug, io, command!);
    return isDuckrunError(e, 'CLI_USAGE') ? 2 : 1;
  }
}

async function reportError(e: unknown, debug: boolean, io: CliIO, command: string): Promise<void> {
  const message = e instanceof Error ? e.message : String(e);
  let text = `error: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`;
  if (isDuckrunError(e, 'CLI_USAGE')) text += `run duckrun ${command} --help for usage\n`;
  if (debug) {
    let cause: unknown = e;
    while (cause instanceof Error) {
      const detail = (cause as { detail?: unknown }).detail;
      text += `${typeof detail === 'string' ? `${detail}\n` : ''}${cause.stack ?? cause.message}\n`;
      cause = cause.cause;
      if (cause !== undefined) text += 'caused by: ';
    }
  }
  await io.stderr(text);
}
