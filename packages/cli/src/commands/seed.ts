// `duckrun seed`: loads the project's CSV seeds as Delta tables, typed the way dbt types them.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand } from '../dbt-command.js';
import { SEED_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun seed [options]

Loads the CSV files under seed-paths as Delta tables (whole numbers → integer, decimals → double,
ISO dates → date, …; override with column_types). Exits 1 if any seed fails.

examples:
  duckrun seed
  duckrun seed -s raw_orders --full-refresh
`;

/** Runs `duckrun seed`; returns the exit code. */
export function runSeedCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'seed', options: SEED_OPTIONS, summary: SUMMARY }, args, io);
}
