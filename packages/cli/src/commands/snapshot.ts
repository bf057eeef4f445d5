// `duckrun snapshot`: records slowly changing dimensions (timestamp and check strategies) as Delta tables.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand } from '../dbt-command.js';
import { SNAPSHOT_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun snapshot [options]

Runs the project's snapshots: new and changed rows get dbt_valid_from/dbt_valid_to history rows in a
Delta table (timestamp or check strategy). Exits 1 if any snapshot fails.
`;

/** Runs `duckrun snapshot`; returns the exit code. */
export function runSnapshotCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'snapshot', options: SNAPSHOT_OPTIONS, summary: SUMMARY }, args, io);
}
