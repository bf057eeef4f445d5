// `duckrun run`: builds the selected models (views, Delta tables, incremental merges) in DAG order.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand } from '../dbt-command.js';
import { RUN_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun run [options]

Runs the project's models in dependency order: views, Delta tables (overwrite), incremental models
(merge, append, delete+insert, … on later runs) and ephemeral CTEs. Downstream models of a failed one
are skipped. Writes target/manifest.json and target/run_results.json; exits 1 if any model fails.

examples:
  duckrun run
  duckrun run -s +customers --vars '{cutoff: 2024-06-01}'
  duckrun run -s tag:nightly --exclude staging --full-refresh
`;

/** Runs `duckrun run`; returns the exit code. */
export function runRunCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'run', options: RUN_OPTIONS, summary: SUMMARY }, args, io);
}
