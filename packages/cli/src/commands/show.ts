// `duckrun show`: runs a model's SQL (or `--inline` SQL) and previews the first rows, as dbt show does.
import { renderTextTable } from '@duckrun/sql';
import type { CliIO } from '../cli-io.js';
import { runDbtCommand, type DbtRunOutput, type RunDbtOptions } from '../dbt-command.js';
import { SHOW_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun show [options]

Compiles and runs the selected model's SQL (or --inline SQL, which may use ref() and macros) and
prints its first --limit rows (default 5); nothing is written.

examples:
  duckrun show -s customers
  duckrun show --inline "select * from {{ ref('orders') }} order by amount desc" --limit 10
`;

/** Runs `duckrun show`; returns the exit code. */
export function runShowCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'show', options: SHOW_OPTIONS, summary: SUMMARY, header: true, print: printPreview }, args, io);
}

async function printPreview(results: DbtRunOutput, options: RunDbtOptions, _flags: unknown, io: CliIO): Promise<void> {
  if (results.show === undefined) return;
  await io.stdout(options.inline !== undefined ? 'Previewing inline node:\n' : `Previewing node '${results.show.name}':\n`);
  await io.stdout(renderTextTable(results.show.table));
}
