// `duckrun compile`: renders models (or `--inline` SQL) to the SQL they would run, without running it.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand, type DbtRunOutput, type RunDbtOptions } from '../dbt-command.js';
import { COMPILE_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun compile [options]

Renders the selected nodes' Jinja to SQL (refs resolved to the relations they read); with --select or
--inline, prints the compiled SQL.

examples:
  duckrun compile -s customers
  duckrun compile --inline "select * from {{ ref('customers') }} where number_of_orders > 1"
`;

/** Runs `duckrun compile`; returns the exit code. */
export function runCompileCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'compile', options: COMPILE_OPTIONS, summary: SUMMARY, header: true, print: printCompiled }, args, io);
}

/** dbt prints the compiled SQL of an inline query, or of the nodes named by --select. */
async function printCompiled(results: DbtRunOutput, options: RunDbtOptions, _flags: unknown, io: CliIO): Promise<void> {
  const compiled = results.compiled ?? [];
  if (options.inline !== undefined) {
    for (const c of compiled) await io.stdout(`Compiled inline node is:\n${c.compiledCode.trim()}\n`);
    return;
  }
  if (options.select === undefined) {
    await io.stdout(`Compiled ${compiled.length} ${compiled.length === 1 ? 'node' : 'nodes'}.\n`);
    return;
  }
  // As dbt: only nodes the selection names (not the tests that came along indirectly).
  const named = new Set(options.select.flatMap((s) => s.split(/[\s,+@:]+/)));
  for (const c of compiled.filter((x) => named.has(x.name))) await io.stdout(`Compiled node '${c.name}' is:\n${c.compiledCode.trim()}\n\n`);
}
