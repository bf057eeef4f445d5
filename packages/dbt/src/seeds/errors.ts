// Typed errors of seed loading; each message names the seed file, the line or column, and the fix.
import { DuckrunError } from '@duckrun/storage';

/** A seed CSV is malformed (unterminated quote, a row wider than the header, a blank or repeated column name). */
export class SeedParseError extends DuckrunError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    problem: string,
  ) {
    super('DBT_SEED_PARSE', `seed ${file}${line === undefined ? '' : `, line ${line}`}: ${problem}`);
  }
}

/** A seed value does not fit its column type (inferred or set by `column_types`), or the type name is unknown. */
export class SeedTypeError extends DuckrunError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super('DBT_SEED_TYPE', `seed ${file}: ${problem}`);
  }
}
