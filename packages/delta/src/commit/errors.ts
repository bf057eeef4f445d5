// The error a commit raises when a concurrent writer won and the Delta conflict rules forbid a rebase.
import { DuckrunError } from '@duckrun/storage';

/** A concurrent commit conflicts with this transaction (or retries ran out); names the winner and the retry count. */
export class CommitConflictError extends DuckrunError {
  /** The version of the winning commit that caused the failure. */
  readonly winningVersion: number;
  /** The winning commit's `commitInfo.operation` (`'UNKNOWN'` when it has none). */
  readonly winningOperation: string;
  /** How many times this transaction had already rebased and retried. */
  readonly retries: number;
  /** The conflict rule that fired, or `'retriesExhausted'`. */
  readonly reason: string;
  constructor(
    message: string,
    details: { winningVersion: number; winningOperation: string; retries: number; reason: string },
    options?: { cause?: unknown },
  ) {
    super('DELTA_COMMIT_CONFLICT', message, options);
    this.winningVersion = details.winningVersion;
    this.winningOperation = details.winningOperation;
    this.retries = details.retries;
    this.reason = details.reason;
  }
}
