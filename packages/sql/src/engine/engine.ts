// The SQL engine contract: DuckDB (WASM or native) behind one async interface that speaks apache-arrow 21.
import type { RecordBatch, Schema, Table } from 'apache-arrow';

/** What an engine can do, declared as data so callers never test for a concrete class. */
export interface EngineCapabilities {
  /** Engine family, e.g. `duckdb-wasm`. */
  readonly name: string;
  /** DuckDB version string reported by the engine, e.g. `v1.4.3`. */
  readonly version: string;
  /** Whether `read_parquet`/`COPY … (FORMAT parquet)` work inside the engine. */
  readonly parquet: boolean;
  /** Whether the JSON extension (`read_json`, JSON type) is available. */
  readonly json: boolean;
  /** Worker threads DuckDB may use. */
  readonly threads: number;
}

/**
 * Local file operations an engine on a real file system offers next to its own file IO (DuckDB's COPY
 * writes local files; placing them is done here), so the SQL layer itself touches no file system.
 */
export interface LocalFiles {
  /** The local path of a `file://` URL, or undefined for other URLs. */
  pathOf(url: string): string | undefined;
  /** Joins a local directory path and a `/`-separated relative key. */
  join(dir: string, key: string): string;
  /** Creates a folder and its missing parents. */
  makeDirs(path: string): Promise<void>;
  /** Moves a file (creating the target's folders); the target must not exist. */
  move(from: string, to: string): Promise<void>;
  /** Removes a folder and everything below it; a missing folder is fine. */
  removeTree(path: string): Promise<void>;
}

/** Arrow data handed to {@link Engine.registerArrow}: IPC stream bytes, a table, or a schema plus batches. */
export type ArrowSource =
  | Uint8Array
  | Table
  | {
      readonly schema: Schema;
      readonly batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>;
    };

/** A result being streamed: its schema up front, then its batches; it holds the engine until consumed or closed. */
export interface ResultStream extends AsyncIterable<RecordBatch> {
  /** Schema of the result (known before the first batch, also for empty results). */
  readonly schema: Schema;
  /** Stops the stream early and frees the engine; idempotent (iterating to the end also frees it). */
  close(): Promise<void>;
}

/**
 * A DuckDB instance with one session-level connection.
 *
 * Contract: statements run one at a time in call order; `query` materialises the whole result, `stream`
 * yields record batches and holds the connection until it is exhausted or closed (a statement issued
 * meanwhile fails with `EngineBusyError`); every failure of DuckDB surfaces as `QueryError`; after
 * `close()` every method fails with `EngineClosedError`. Arrow objects crossing this interface are
 * apache-arrow 21 objects owned by the caller.
 */
export interface Engine {
  /** Declared capabilities of this engine. */
  readonly capabilities: EngineCapabilities;
  /** Local file operations, on engines that run where a file system is (native); see {@link LocalFiles}. */
  readonly localFiles?: LocalFiles;
  /** Runs SQL (one or more statements) and returns the last statement's result. */
  query(sql: string): Promise<Table>;
  /** Runs SQL and streams the last statement's result batch by batch. */
  stream(sql: string): Promise<ResultStream>;
  /** Creates table `name` (replacing nothing: the name must be free) from Arrow data. */
  registerArrow(name: string, source: ArrowSource): Promise<void>;
  /** Drops table `name` if it exists. */
  dropTable(name: string): Promise<void>;
  /** Releases the engine; idempotent. */
  close(): Promise<void>;
}
