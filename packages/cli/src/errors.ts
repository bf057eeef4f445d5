// Errors of the duckrun command line: usage mistakes exit with code 2, everything else with 1.
import { DuckrunError } from '@duckrun/storage';

/** The command line is malformed (unknown option, missing SQL, unsupported format); exit code 2. */
export class UsageError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLI_USAGE', message, options);
  }
}
