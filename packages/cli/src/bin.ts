// argv → command → exit code. Commands load lazily so `duckrun --version` starts no engine.
import { isDuckrunError } from '@duckrun/storage';
import { processIO, type CliIO } from './cli-io.js';
import { VERSION } from './version.js';

type Command = (args: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  sql: async () => (await import('./commands/sql.js')).runSqlCommand,
};

const USAGE = `usage: duckrun <command> [options]

commands:
  sql     run SQL in DuckDB; delta_scan('uri') reads Delta tables (duckrun sql --help)

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
