// Typed errors of @duckrun/delta; each message names the table or file and says what to do.
import { DuckrunError } from '@duckrun/storage';

/** The log breaks the Delta protocol (missing protocol/metaData, gaps in versions, bad JSON). */
export class DeltaProtocolError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_PROTOCOL', message, options);
  }
}

/** The table needs a reader or writer feature duckrun does not implement. */
export class UnsupportedFeatureError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_UNSUPPORTED_FEATURE', message, options);
  }
}

/** The location holds no Delta table (no `_delta_log`, or an empty one). */
export class NotADeltaTableError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_NOT_A_TABLE', message, options);
  }
}

/** A deletion vector could not be read or does not match its descriptor. */
export class DeletionVectorError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_DELETION_VECTOR', message, options);
  }
}

/** A schema is malformed or cannot be mapped to or from Arrow. */
export class SchemaError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_SCHEMA', message, options);
  }
}

/** The requested version or timestamp is not available in the table's log. */
export class VersionNotFoundError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_VERSION_NOT_FOUND', message, options);
  }
}

/** A data file could not be read or does not match the table schema. */
export class DataFileError extends DuckrunError {
  /** URL of the data file concerned, when one is. */
  readonly file: string | undefined;
  constructor(message: string, options?: { cause?: unknown; file?: string }) {
    super('DELTA_DATA_FILE', message, options);
    this.file = options?.file;
  }
}

/** A checkpoint could not be written (bad input actions, a failed upload, or a file that does not verify). */
export class CheckpointError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_CHECKPOINT', message, options);
  }
}

/** An option passed to the library is invalid. */
export class InvalidOptionError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_INVALID_OPTION', message, options);
  }
}

/** A commit would remove or change data in a table marked `delta.appendOnly`. */
export class AppendOnlyError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_APPEND_ONLY', message, options);
  }
}

/** A write in mode `error` (or a create) found a table already at the location. */
export class TableExistsError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_TABLE_EXISTS', message, options);
  }
}

/** A vacuum was asked to keep removed files for less time than the table's retention safeguard allows. */
export class VacuumRetentionError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DELTA_VACUUM_RETENTION', message, options);
  }
}

/** A restore target references data or deletion-vector files that no longer exist (typically vacuumed). */
export class RestoreFilesMissingError extends DuckrunError {
  /** Store keys (or URLs) of the missing files. */
  readonly missingFiles: readonly string[];
  constructor(message: string, missingFiles: readonly string[], options?: { cause?: unknown }) {
    super('DELTA_RESTORE_FILES_MISSING', message, options);
    this.missingFiles = missingFiles;
  }
}
