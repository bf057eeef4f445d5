// Typed errors of @duckrun/sql; each message names the statement, table or engine and says what to do.
import { DuckrunError } from '@duckrun/storage';

/** DuckDB rejected or failed a statement; `detail` keeps DuckDB's full, multi-line message. */
export class QueryError extends DuckrunError {
  /** DuckDB's own message, including its `LINE n:` context when it gave one. */
  readonly detail: string;
  constructor(detail: string, options?: { cause?: unknown }) {
    super('SQL_QUERY', summarizeDuckdbMessage(detail), options);
    this.detail = detail;
  }
}

/** A `delta_scan(...)` call is malformed (non-literal URI, unknown or conflicting named argument). */
export class DeltaScanArgumentError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_DELTA_SCAN_ARGUMENT', message, options);
  }
}

/** The SQL engine could not be started (missing wasm bundle, failed instantiation). */
export class EngineStartError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_ENGINE_START', message, options);
  }
}

/** `engine: 'native'` was asked for, but the optional package @duckdb/node-api cannot be loaded. */
export class NativeEngineUnavailableError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_NATIVE_ENGINE_UNAVAILABLE', message, options);
  }
}

/** The engine or session was used after `close()`. */
export class EngineClosedError extends DuckrunError {
  constructor(what: string) {
    super('SQL_ENGINE_CLOSED', `${what} is closed; open a new one to run more statements`);
  }
}

/** A statement was issued while a streamed result still holds the engine's connection. */
export class EngineBusyError extends DuckrunError {
  constructor() {
    super(
      'SQL_ENGINE_BUSY',
      'the engine is still streaming an earlier result; finish iterating it (or break out of the loop) before running another statement',
    );
  }
}

/** A result could not be written in the requested output format. */
export class OutputFormatError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_OUTPUT_FORMAT', message, options);
  }
}

/** DuckDB messages span several lines (`LINE 1: …` plus a caret); keep the lines that say what is wrong. */
function summarizeDuckdbMessage(detail: string): string {
  let text = detail;
  // Some duckdb-wasm calls (Arrow inserts, pending queries) report errors as JSON objects.
  if (detail.startsWith('{')) {
    try {
      const parsed = JSON.parse(detail) as { exception_type?: unknown; exception_message?: unknown };
      if (typeof parsed.exception_message === 'string') {
        text = `${typeof parsed.exception_type === 'string' ? `${parsed.exception_type} Error: ` : ''}${parsed.exception_message}`;
      }
    } catch {
      // Not JSON after all: summarise the text as it is.
    }
  }
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('LINE ')) break;
    if (line !== '') lines.push(line);
  }
  return lines.length > 0 ? lines.join(' ') : text.trim();
}

/** A write statement (CREATE TABLE … AS, INSERT INTO) is malformed, or uses a form duckrun cannot run. */
export class WriteStatementError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_WRITE_STATEMENT', message, options);
  }
}

/** A statement would write a Delta table, but the session is read-only. */
export class ReadOnlySessionError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_READ_ONLY', message, options);
  }
}

/** A table name cannot be a table under the session root (empty part, path separator, `..`). */
export class TableNameError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_TABLE_NAME', message, options);
  }
}

/** CREATE TABLE found a Delta table where it was asked to create one. */
export class TableExistsError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_TABLE_EXISTS', message, options);
  }
}

/** A statement needs an existing Delta table (INSERT INTO) and there is none at its location. */
export class TableNotFoundError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_TABLE_NOT_FOUND', message, options);
  }
}

/** A result column has a DuckDB type a Delta table cannot hold, or cannot be written to its table column. */
export class ColumnTypeError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_COLUMN_TYPE', message, options);
  }
}

/** The columns of an INSERT do not line up with the table's (unknown, duplicate, missing NOT NULL, count). */
export class ColumnMismatchError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_COLUMN_MISMATCH', message, options);
  }
}

/** A connect() API call got an option or argument it cannot use (unknown format, option, or mode). */
export class ConnectOptionError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_CONNECT_OPTION', message, options);
  }
}

/** The operation exists in the API but cannot run here yet (engine capability or a missing lower-layer feature). */
export class UnsupportedOperationError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_UNSUPPORTED', message, options);
  }
}

/** A MERGE whose source has several rows matching one target row, where Delta cannot tell which applies. */
export class MergeCardinalityError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_MERGE_CARDINALITY', message, options);
  }
}

/** A MERGE clause list or expression that cannot run (unknown column, missing clauses, clause order). */
export class MergeClauseError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SQL_MERGE_CLAUSE', message, options);
  }
}
