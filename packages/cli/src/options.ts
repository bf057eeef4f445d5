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
