// The shared driver of the project commands (run, build, test, seed, snapshot, compile, show, ls):
// flags → runDbt options, the reporter as the event listener, and the exit code from RunResults.
import { artifacts, runDbt, type DbtCommand, type DbtRunOptions, type DbtRunResults } from '@duckrun/dbt';
import type { CliIO } from './cli-io.js';
import { UsageError } from './errors.js';
import { expandMultiWordFlags, optionHelp, parseOptions, type OptionSpec } from './options.js';
import { parseVarsFlag, projectDirOf } from './project-location.js';
import { RunReporter } from './reporter.js';
import { VERSION } from './version.js';

/** The runner's options, as the CLI fills them. */
export type RunDbtOptions = DbtRunOptions;
/** What runDbt returns: RunResults plus the output of compile, show and ls. */
export type DbtRunOutput = DbtRunResults;

/**
 * The flag behind each runner option (null: not a flag). Declared against the runner's option type,
 * so an option added to the API without a flag here fails to type-check.
 */
export const FLAG_OF_OPTION = {
  projectDir: 'project-dir',
  profilesDir: 'profiles-dir',
  target: 'target',
  vars: 'vars',
  select: 'select',
  exclude: 'exclude',
  fullRefresh: 'full-refresh',
  eventTimeStart: 'event-time-start',
  eventTimeEnd: 'event-time-end',
  inline: 'inline',
  limit: 'limit',
  onEvent: null,
  env: null,
  now: null,
} as const satisfies Record<keyof DbtRunOptions, string | null>;

/** Flag values any project command may have (each command's table declares a subset). */
export type ProjectFlagValues = Partial<Record<string, string | boolean | string[]>>;

/** One project command: its dbt command name, option table and help text. */
export interface DbtCommandSpec {
  readonly command: DbtCommand;
  readonly options: Record<string, OptionSpec>;
  /** The help text's first lines (usage and description); options are appended. */
  readonly summary: string;
  /** Adjusts the runner options from command-specific flags (e.g. ls --resource-type). */
  readonly prepare?: (options: RunDbtOptions, flags: ProjectFlagValues) => RunDbtOptions;
  /** Prints what the command produces beyond run events (compiled SQL, previewed rows, listed nodes). */
  readonly print?: (results: DbtRunOutput, options: RunDbtOptions, flags: ProjectFlagValues, io: CliIO) => Promise<void>;
  /** Print the `Running with duckrun=…` header (commands that emit no run events). */
  readonly header?: boolean;
}

/** Parses `args` for `spec`, runs the runner with the reporter attached and returns the exit code. */
export async function runDbtCommand(spec: DbtCommandSpec, args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(expandMultiWordFlags(args), spec.options);
  const flags = values as ProjectFlagValues;
  if (flags['help'] === true) {
    await io.stdout(`${spec.summary}\noptions:\n${optionHelp(spec.options)}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}; select nodes with --select ${positionals[0]}`);
  }
  const base = runOptions(flags);
  const options = spec.prepare === undefined ? base : spec.prepare(base, flags);
  if (spec.header === true) await io.stdout(`Running with duckrun=${VERSION} (dbt=${artifacts.DBT_VERSION} compatible)\n\n`);
  const reporter = new RunReporter({
    write: io.stdout,
    version: VERSION,
    dbtVersion: artifacts.DBT_VERSION,
    isTTY: io.isTTY === true,
    debug: flags['debug'] === true,
  });
  let results: DbtRunOutput;
  try {
    results = await runDbt(spec.command, { ...options, onEvent: reporter.onEvent });
  } finally {
    await reporter.flush();
  }
  if (spec.print !== undefined) await spec.print(results, options, flags, io);
  return results.success ? 0 : 1;
}

/** The runner options the flags ask for (flags a command does not declare are simply absent). */
export function runOptions(flags: ProjectFlagValues): RunDbtOptions {
  const str = (name: string): string | undefined => {
    const v = flags[name];
    return typeof v === 'string' ? v : undefined;
  };
  const list = (name: string): string[] | undefined => {
    const v = flags[name];
    return Array.isArray(v) && v.length > 0 ? v : undefined;
  };
  const vars = parseVarsFlag(str('vars'));
  const limitText = str('limit');
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < -1) throw new UsageError(`--limit ${limitText} must be a whole number (or -1 for no limit)`);
  }
  const inline = str('inline');
  if (inline !== undefined && inline.trim() === '') throw new UsageError('--inline needs SQL, e.g. --inline "select * from {{ ref(\'customers\') }}"');
  const options: RunDbtOptions = {
    projectDir: projectDirOf(str('project-dir')),
    ...optional('profilesDir', str('profiles-dir')),
    ...optional('target', str('target')),
    ...optional('vars', vars),
    ...optional('select', list('select')),
    ...optional('exclude', list('exclude')),
    ...optional('fullRefresh', flags['full-refresh'] === true ? true : undefined),
    ...optional('eventTimeStart', str('event-time-start')),
    ...optional('eventTimeEnd', str('event-time-end')),
    ...optional('inline', inline),
    ...optional('limit', limit),
  };
  return options;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
