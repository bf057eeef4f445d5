// Typed option registry: one table per command drives both node:util parseArgs and the help text.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/** One command-line option. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `URI`. */
  readonly value?: string;
  readonly description: string;
}

/** Options of `duckrun sql`. */
export const SQL_OPTIONS = {
  root: { type: 'string', value: 'URI', description: 'location relative table URIs resolve against (default: the working directory)' },
  format: { type: 'string', short: 'f', value: 'table|csv|json', description: 'how to print the result (default: table)' },
  output: { type: 'string', short: 'o', value: 'FILE', description: 'write the result to FILE.parquet, FILE.csv or FILE.json instead of printing it' },
  engine: { type: 'string', value: 'wasm|native', description: 'DuckDB to run on: wasm (default, runs anywhere) or native (@duckdb/node-api: multi-threaded, for large jobs)' },
  write: { type: 'boolean', description: 'allow CREATE TABLE … AS and INSERT INTO, which write Delta tables under --root (read-only otherwise)' },
  'storage-option': { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'store option, e.g. aws_region=eu-west-1 (repeatable)' },
  debug: { type: 'boolean', description: 'print timings and the files each delta_scan read; show stack traces on error' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

/** Options every project command takes: where the project and profile are, and how to report. */
const PROJECT_OPTIONS = {
  'project-dir': { type: 'string', value: 'DIR', description: 'the dbt project: the directory with dbt_project.yml (default: the working directory)' },
  'profiles-dir': { type: 'string', value: 'DIR', description: 'directory with profiles.yml (default: DBT_PROFILES_DIR, the working directory, then ~/.dbt)' },
  target: { type: 'string', short: 't', value: 'NAME', description: "profile target to use (default: the profile's target:)" },
  vars: { type: 'string', value: 'YAML', description: "variables as a YAML or JSON mapping, e.g. '{start_date: 2024-01-01}'" },
  debug: { type: 'boolean', description: 'print debug logs and stack traces' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

const SELECTION_OPTIONS = {
  select: { type: 'string', short: 's', multiple: true, value: 'SELECTOR', description: 'nodes to include: name, +name, name+, n+name, tag:x, path:x, config.materialized:x, resource_type:x (repeatable; space-separated values union)' },
  exclude: { type: 'string', multiple: true, value: 'SELECTOR', description: 'nodes to leave out, same syntax as --select' },
} as const satisfies Record<string, OptionSpec>;

const FULL_REFRESH_OPTION = {
  'full-refresh': { type: 'boolean', description: 'rebuild incremental models and seeds from scratch instead of merging into them' },
} as const satisfies Record<string, OptionSpec>;

const EVENT_TIME_OPTIONS = {
  'event-time-start': { type: 'string', value: 'TIMESTAMP', description: 'microbatch models: first event time to build (inclusive)' },
  'event-time-end': { type: 'string', value: 'TIMESTAMP', description: 'microbatch models: event time to stop before (exclusive)' },
} as const satisfies Record<string, OptionSpec>;

const INLINE_OPTION = {
  inline: { type: 'string', value: 'SQL', description: 'compile this SQL (it may use ref(), source(), macros) instead of selected nodes' },
} as const satisfies Record<string, OptionSpec>;

/** Options of `duckrun run`. */
export const RUN_OPTIONS = { ...PROJECT_OPTIONS, ...SELECTION_OPTIONS, ...FULL_REFRESH_OPTION, ...EVENT_TIME_OPTIONS } as const;
/** Options of `duckrun build`. */
export const BUILD_OPTIONS = RUN_OPTIONS;
/** Options of `duckrun test`. */
export const TEST_OPTIONS = { ...PROJECT_OPTIONS, ...SELECTION_OPTIONS } as const;
/** Options of `duckrun seed`. */
export const SEED_OPTIONS = { ...PROJECT_OPTIONS, ...SELECTION_OPTIONS, ...FULL_REFRESH_OPTION } as const;
/** Options of `duckrun snapshot`. */
export const SNAPSHOT_OPTIONS = TEST_OPTIONS;
/** Options of `duckrun compile`. */
export const COMPILE_OPTIONS = { ...PROJECT_OPTIONS, ...SELECTION_OPTIONS, ...INLINE_OPTION } as const;
/** Options of `duckrun show`. */
export const SHOW_OPTIONS = {
  ...PROJECT_OPTIONS,
  ...SELECTION_OPTIONS,
  ...INLINE_OPTION,
  limit: { type: 'string', value: 'N', description: 'rows to preview (default 5; -1 for all)' },
} as const;
/** Options of `duckrun ls`. */
export const LS_OPTIONS = {
  ...PROJECT_OPTIONS,
  ...SELECTION_OPTIONS,
  'resource-type': { type: 'string', multiple: true, value: 'TYPE', description: 'only these resource types: model, seed, snapshot, test, source, … (repeatable)' },
  output: { type: 'string', short: 'o', value: 'selector|name|path|json', description: 'what to print per node (default: selector)' },
} as const;
/** Options of `duckrun debug`. */
export const DEBUG_OPTIONS = {
  'project-dir': PROJECT_OPTIONS['project-dir'],
  'profiles-dir': PROJECT_OPTIONS['profiles-dir'],
  target: PROJECT_OPTIONS.target,
  vars: PROJECT_OPTIONS.vars,
  debug: PROJECT_OPTIONS.debug,
  help: PROJECT_OPTIONS.help,
} as const;
/** Options of `duckrun clean` and `duckrun deps`. */
export const PROJECT_DIR_OPTIONS = { 'project-dir': PROJECT_OPTIONS['project-dir'], debug: PROJECT_OPTIONS.debug, help: PROJECT_OPTIONS.help } as const;
/** Options of `duckrun init`. */
export const INIT_OPTIONS = {
  'root-path': { type: 'string', value: 'PATH', description: "where the profile writes tables: a local path or store URL (default: ./warehouse)" },
  debug: PROJECT_OPTIONS.debug,
  help: PROJECT_OPTIONS.help,
} as const;

/** Flags whose value dbt lets run on over several words (`-s a b`): each extra word repeats the flag. */
const MULTI_WORD_FLAGS = new Set(['--select', '-s', '--exclude', '--resource-type']);

/**
 * Rewrites `--select a b --exclude c` as `--select a --select b --exclude c`, the way dbt's
 * `nargs='+'` flags read, so the option parser sees one value per flag.
 */
export function expandMultiWordFlags(args: readonly string[]): string[] {
  const out: string[] = [];
  let flag: string | undefined;
  let hasValue = false;
  for (const arg of args) {
    if (arg.startsWith('-') && arg !== '-') {
      flag = MULTI_WORD_FLAGS.has(arg) ? arg : undefined;
      hasValue = false;
      out.push(arg);
    } else if (flag !== undefined && hasValue) {
      out.push(flag, arg);
    } else {
      hasValue = true;
      out.push(arg);
    }
  }
  return out;
}

/** Parsed values of an option table. */
export type OptionValues<T extends Record<string, OptionSpec>> = {
  -readonly [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K] extends { multiple: true } ? string[] : string;
};

/** Parses `args` against `specs`; malformed input becomes a {@link UsageError}. */
export function parseOptions<T extends Record<string, OptionSpec>>(
  args: readonly string[],
  specs: T,
): { values: OptionValues<T>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.short !== undefined ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as OptionValues<T>, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0] ?? String(e), { cause: e });
  }
}

/** Help lines for an option table, aligned. */
export function optionHelp(specs: Record<string, OptionSpec>): string {
  const rows = Object.entries(specs).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`,
    spec.description,
  ]);
  const width = Math.max(...rows.map(([left]) => left!.length));
  return rows.map(([left, right]) => `  ${left!.padEnd(width)}  ${right}`).join('\n');
}
