// `duckrun compile`: renders models (or `--inline` SQL) to the SQL they would run, without running it.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand } from '../dbt-command.js';
import { COMPILE_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun compile [options]

Renders the selected nodes' Jinja to SQL (refs resolved to delta_scan reads) and writes it under
target/compiled/; with --inline, compiles that SQL and prints it.

examples:
  duckrun compile -s customers
  duckrun compile --inline "select * from {{ ref('customers') }} where number_of_orders > 1"
`;

/** Runs `duckrun compile`; returns the exit code. */
export function runCompileCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'compile', options: COMPILE_OPTIONS, summary: SUMMARY }, args, io);
}
