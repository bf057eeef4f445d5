// `duckrun ls`: lists the selected nodes (by selector, name, path or as JSON), as dbt ls does.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand } from '../dbt-command.js';
import { LS_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun ls [options]

Lists the project's nodes that --select/--exclude/--resource-type choose, one per line: the selector
(package.path.name, default), the name, the file path, or a JSON object.

examples:
  duckrun ls -s +customers
  duckrun ls --resource-type test --output name
`;

/** Runs `duckrun ls`; returns the exit code. */
export function runLsCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'ls', options: LS_OPTIONS, summary: SUMMARY }, args, io);
}
