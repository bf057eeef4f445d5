// SqlSession: a DuckDB engine plus a root location; runs SQL in which delta_scan() reads Delta tables.
import { tableFromArrays, type Table } from 'apache-arrow';
import type { StorageOptions } from '@duckrun/storage';
import { prepareDeltaScans, type DeltaScanContext, type DeltaScanReport, type PrepareOptions } from './delta-scan.js';
import type { Engine, ResultStream } from './engine/engine.js';
import { openEngine, type EngineKind } from './engine/open-engine.js';
import { EngineClosedError, ReadOnlySessionError, WriteStatementError } from './errors.js';
import { resolveRoot } from './table-uri.js';
import { sessionWorkers } from './engine/parquet-encoder.js';
import type { ParquetWorkers } from '@duckrun/delta/node';
import { duckdbTableNames } from './write/duckdb-tables.js';
import { executeWriteStatement, type WriteContext, type WriteOutcome, type WriteStatementOptions } from './write/execute.js';
import { describeWriteStatement, parseWriteStatement, type WriteStatement } from './write/statement.js';
import { tableLocation } from './write/table-name.js';

/** Options of {@link openSession}. */
export interface SessionOptions {
  /** Location relative table URIs resolve against (URL or local path); default the working directory. */
  readonly root?: string;
  /** Store options (`aws_region`, …) used to open tables. */
  readonly storageOptions?: StorageOptions;
  /**
   * Engine to run on: `'wasm'` (default) or `'native'` start a new engine owned (and closed) by the session;
   * an {@link Engine} object is used as is and left open.
   */
  readonly engine?: EngineKind | Engine;
  /** Called once per delta_scan call with what it read (files before and after pruning). */
  readonly onDeltaScan?: (report: DeltaScanReport) => void;
  /** Refuse statements that write Delta tables (CREATE TABLE … AS, INSERT INTO); default true. */
  readonly readOnly?: boolean;
  /** Options of write statements (e.g. allowTimestampNtz). */
  readonly write?: WriteStatementOptions;
  /**
   * How delta_scan reads: file pruning by partitions and stats, column projection and the engine's own
   * parquet reader (all on by default), and the chunk size of a write streaming one decoded delta_scan.
   */
  readonly scan?: Pick<DeltaScanContext, 'pruning' | 'statsPruning' | 'projection' | 'nativeParquet' | 'chunkBytes'>;
}

let sessions = 0;

/**
 * Opens a SQL session.
 * @example
 * const session = await openSession({ root: './lake' });
 * const table = await session.sql("SELECT count(*) FROM delta_scan('orders') WHERE day = DATE '2024-05-01'");
 * await session.close();
 */
export async function openSession(options: SessionOptions = {}): Promise<SqlSession> {
  const root = resolveRoot(options.root);
  const choice = options.engine ?? 'wasm';
  const engine = typeof choice === 'string' ? await openEngine(choice) : choice;
  return new SqlSession(engine, root, options, typeof choice === 'string');
}

/** A DuckDB engine bound to a root location; statements may use `delta_scan('uri', …)` anywhere a table can appear. */
export class SqlSession {
  /** The root URL relative table URIs resolve against. */
  readonly root: string;
  /** The engine statements run on. */
  readonly engine: Engine;
  /** Whether statements that write Delta tables are refused. */
  readonly readOnly: boolean;
  #options: SessionOptions;
  #ownsEngine: boolean;
  #closed = false;
  #prefix = `__duckrun_delta_${++sessions}`;
  /** Parquet workers of the Arrow path (encoder of writes, decoder of delta_scan); none with encodeThreads 0. */
  readonly #workers: ParquetWorkers | undefined;

  /** Use {@link openSession}. */
  constructor(engine: Engine, root: string, options: SessionOptions, ownsEngine: boolean) {
    this.engine = engine;
    this.root = root;
    this.#options = options;
    this.#ownsEngine = ownsEngine;
    this.readOnly = options.readOnly !== false;
    this.#workers = sessionWorkers(options.write?.encodeThreads);
  }

  /**
   * Runs SQL (one or more statements) and returns the last statement's result. A write statement (see
   * {@link SqlSession.write}) returns one row: action, table, version, rows.
   */
  async sql(text: string): Promise<Table> {
    const write = await this.#writeStatement(text);
    if (write !== undefined) return outcomeTable(await this.write(write));
    const prepared = await this.#prepare(text);
    try {
      return await this.engine.query(prepared.sql);
    } finally {
      await prepared.release();
    }
  }

  /** Runs SQL and streams the last statement's result; delta_scan tables are dropped once it is consumed or closed. */
  async stream(text: string): Promise<ResultStream> {
    const write = await this.#writeStatement(text);
    if (write !== undefined) return tableStream(outcomeTable(await this.write(write)));
    const prepared = await this.#prepare(text);
    let inner: ResultStream;
    try {
      inner = await this.engine.stream(prepared.sql);
    } catch (e) {
      await prepared.release();
      throw e;
    }
    const close = async (): Promise<void> => {
      await inner.close();
      await prepared.release();
    };
    return {
      schema: inner.schema,
      close,
      [Symbol.asyncIterator]: async function* () {
        try {
          yield* inner;
        } finally {
          await close();
        }
      },
    };
  }

  /**
   * Runs one write statement: `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name AS query` or
   * `INSERT INTO name [BY NAME] [(columns)] query`, where `name` is a table under the root (dots nest
   * folders) written as a Delta table; the query may use delta_scan. Needs a session opened with readOnly: false.
   */
  async write(statement: string | WriteStatement): Promise<WriteOutcome> {
    if (this.#closed) throw new EngineClosedError('this SQL session');
    const parsed = typeof statement === 'string' ? await this.#writeStatement(statement) : statement;
    if (parsed === undefined) {
      throw new WriteStatementError('write() runs CREATE TABLE … AS or INSERT INTO statements; run other SQL with sql() or stream()');
    }
    if (this.readOnly) {
      throw new ReadOnlySessionError(
        `${describeWriteStatement(parsed)} would write the Delta table ${tableLocation(parsed.table, this.root)}, but this session is read-only; open it with readOnly: false to write tables`,
      );
    }
    return executeWriteStatement(parsed, this.writeContext(), this.#options.write);
  }

  /**
   * What writers outside SQL statements (the connect() DataFrame writer) need to stream a query of this
   * session into a Delta table; does not check readOnly (callers refuse writes themselves).
   */
  writeContext(): WriteContext {
    if (this.#closed) throw new EngineClosedError('this SQL session');
    return {
      engine: this.engine,
      root: this.root,
      ...(this.#options.storageOptions ? { storageOptions: this.#options.storageOptions } : {}),
      ...(this.#options.write?.nativeWrite === false ? { nativeWrite: false } : {}),
      ...(this.#workers !== undefined ? { encoder: this.#workers } : {}),
      prepare: (sql, options) => this.#prepare(sql, options),
    };
  }

  /** Options of write statements this session was opened with. */
  get writeOptions(): WriteStatementOptions {
    return this.#options.write ?? {};
  }

  /** Closes the session (and its engine when the session created it); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsEngine) await this.engine.close();
  }

  async #writeStatement(text: string): Promise<WriteStatement | undefined> {
    if (this.#closed) throw new EngineClosedError('this SQL session');
    try {
      if (parseWriteStatement(text) === undefined) return undefined;
    } catch {
      // Decide below, knowing DuckDB's own tables.
    }
    // Temp tables and views made by earlier statements of this session live in DuckDB: statements on them
    // are DuckDB's (the engine is idle here, so the catalog lookup cannot collide with a stream).
    return parseWriteStatement(text, { localTables: await duckdbTableNames(this.engine) });
  }

  async #prepare(text: string, options?: PrepareOptions): ReturnType<typeof prepareDeltaScans> {
    if (this.#closed) throw new EngineClosedError('this SQL session');
    const prepared = await prepareDeltaScans(text, {
      engine: this.engine,
      root: this.root,
      namePrefix: this.#prefix,
      ...(this.#workers !== undefined ? { decoder: this.#workers } : {}),
      ...(this.#options.storageOptions ? { storageOptions: this.#options.storageOptions } : {}),
      ...this.#options.scan,
    }, options);
    for (const report of prepared.scans) this.#options.onDeltaScan?.(report);
    return prepared;
  }
}

/** A write's outcome as a one-row table, for callers that run writes through sql(). */
function outcomeTable(outcome: WriteOutcome): Table {
  return tableFromArrays({
    action: [outcome.action],
    table: [outcome.table],
    version: BigInt64Array.of(BigInt(outcome.version)),
    rows: BigInt64Array.of(BigInt(outcome.rowsWritten)),
  });
}

function tableStream(table: Table): ResultStream {
  return {
    schema: table.schema,
    close: async () => undefined,
    [Symbol.asyncIterator]: async function* () {
      yield* table.batches;
    },
  };
}
