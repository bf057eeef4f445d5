// `duckrun build`: seeds, models, snapshots and tests together, each node after its parents and their tests.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand } from '../dbt-command.js';
import { BUILD_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun build [options]

Loads seeds, runs models and snapshots and runs tests, in DAG order: a node's tests run right after
it, and a failing test skips everything downstream. Exits 1 on any error or failing test.

examples:
  duckrun build
  duckrun build -s +orders --full-refresh
`;

/** Runs `duckrun build`; returns the exit code. */
export function runBuildCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'build', options: BUILD_OPTIONS, summary: SUMMARY }, args, io);
}
