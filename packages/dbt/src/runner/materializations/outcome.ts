// What a materialization reports back for the node's result.
import type { RunStatus } from '../../artifacts/index.js';

/** The outcome of materializing one node. */
export interface MaterializeOutcome {
  /** Default `success` (`pass`/`warn`/`fail` for tests). */
  readonly status?: RunStatus;
  /** dbt-style adapter message (`OK`, `MERGE 12`, `INSERT 0 5`). */
  readonly message: string;
  readonly rowsAffected?: number;
  readonly compiledCode?: string;
  readonly failures?: number;
}
