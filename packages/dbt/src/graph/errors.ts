// Typed errors of graph building and node selection; messages name the node's file (and line).
import { DuckrunError } from '@duckrun/storage';

/** A dependency cannot be resolved (unknown or disabled ref/source) or the graph has a cycle. */
export class CompileError extends DuckrunError {
  constructor(
    readonly file: string | undefined,
    readonly line: number | undefined,
    problem: string,
  ) {
    super('DBT_COMPILE', `Compilation Error${file === undefined ? '' : ` in ${file}${line === undefined ? '' : `:${line}`}`}: ${problem}`);
  }
}

/** A --select/--exclude expression is malformed or uses an unknown method. */
export class SelectorError extends DuckrunError {
  constructor(readonly selector: string, problem: string) {
    super('DBT_SELECTOR', `selector ${JSON.stringify(selector)}: ${problem}`);
  }
}
