// `duckrun test`: runs data tests (generic and singular) against tables built earlier, in any process.
import type { CliIO } from '../cli-io.js';
import { runDbtCommand } from '../dbt-command.js';
import { TEST_OPTIONS } from '../options.js';

const SUMMARY = `usage: duckrun test [options]

Runs the selected data tests (unique, not_null, accepted_values, relationships, custom generic and
singular tests) against the tables and views of earlier runs. Exits 1 if any test fails or errors;
tests with severity warn only warn.

examples:
  duckrun test
  duckrun test -s customers
`;

/** Runs `duckrun test`; returns the exit code. */
export function runTestCommand(args: string[], io: CliIO): Promise<number> {
  return runDbtCommand({ command: 'test', options: TEST_OPTIONS, summary: SUMMARY }, args, io);
}
