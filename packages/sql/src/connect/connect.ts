// connect(): the notebook/script API over a root folder of Delta tables: SQL and table reads as lazy
// DataFrames, DataFrame writes, and a catalog, all on one SqlSession.
import type { StorageOptions } from '@duckrun/storage';
import type { Engine } from '../engine/engine.js';
import type { EngineKind } from '../engine/open-engine.js';
import { EngineClosedError, UnsupportedOperationError } from '../errors.js';
import { openSession, type SqlSession } from '../session.js';
import { quoteIdentifier, quoteString } from '../sql/literals.js';
import { statementCount } from '../sql/statements.js';
import { duckdbTableNames } from '../write/duckdb-tables.js';
import type { WriteOutcome } from '../write/execute.js';
import { describeWriteStatement, parseWriteStatement, type WriteStatement } from '../write/statement.js';
import { tableLocation } from '../write/table-name.js';
import { Catalog } from './catalog.js';
import { locateExistingTable, refuseIfReadOnly, registerConnection, type ConnectionContext } from './context.js';
import { DataFrame } from './data-frame.js';
import { DataFrameReader, requireDeltaTable } from './data-frame-reader.js';
import { isLazyQuery } from './query-kind.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Refuse every write (SQL write statements, DataFrame writes); default true. Pass false to write tables. */
  readonly readOnly?: boolean;
  /** Store options (`aws_region`, …) used to open and write tables. */
  readonly storageOptions?: StorageOptions;
  /** `'wasm'` (default), `'native'` (@duckdb/node-api, reads parquet/CSV files), or an Engine to use (left open by stop()). */
  readonly engine?: EngineKind | Engine;
  /** Where DataFrame.show() prints; default the console. */
  readonly print?: (text: string) => void;
}

let results = 0;

/**
 * Connects to a root folder of Delta tables. Table names resolve under the root: `orders` is
 * `<rootUri>/orders`, and `sales.orders` (schema.name) is `<rootUri>/sales/orders`; names never leave the root.
 * @example
 * const conn = await connect('./lake', { readOnly: false });
 * await (await conn.sql("SELECT 1 AS id, 'a' AS name")).write.mode('overwrite').saveAsTable('people');
 * await (await conn.table('people')).show();
 * await conn.stop();
 */
export async function connect(rootUri: string, options: ConnectOptions = {}): Promise<Connection> {
  const session = await openSession({
    root: rootUri,
    readOnly: options.readOnly !== false,
    ...(options.storageOptions ? { storageOptions: options.storageOptions } : {}),
    ...(options.engine !== undefined ? { engine: options.engine } : {}),
  });
  return new Connection({
    session,
    root: session.root.replace(/\/+$/, ''),
    readOnly: session.readOnly,
    ...(options.storageOptions ? { storageOptions: options.storageOptions } : {}),
    // show() exists to print: the console is its default destination, replaceable through options.print.
    print: options.print ?? ((text) => globalThis.console.log(text)),
  });
}

/** A session over one root of Delta tables (see {@link connect}). */
export class Connection {
  /** Tables and schemas under the root. */
  readonly catalog: Catalog;
  readonly #ctx: ConnectionContext;
  #stopped = false;

  /** Use {@link connect}. */
  constructor(ctx: ConnectionContext) {
    this.#ctx = ctx;
    this.catalog = new Catalog(ctx);
    registerConnection(this, ctx);
    Object.freeze(this);
  }

  /** The root URL table names resolve under. */
  get root(): string {
    return this.#ctx.root;
  }

  /** Whether writes are refused. */
  get readOnly(): boolean {
    return this.#ctx.readOnly;
  }

  /** The underlying SQL session (its engine, write()). */
  get session(): SqlSession {
    return this.#ctx.session;
  }

  /** A reader of Delta tables (with time travel) or files: `conn.read.format('delta').option('versionAsOf', 3).load(uri)`. */
  get read(): DataFrameReader {
    this.#ensureOpen();
    return new DataFrameReader(this.#ctx);
  }

  /**
   * Runs or wraps one SQL statement. A query (SELECT, WITH, FROM, VALUES, …) becomes a lazy DataFrame whose
   * errors surface on its first action; bare table names and delta_scan('uri', version => n | timestamp => '…')
   * read Delta tables. A write statement (CREATE TABLE … AS, INSERT INTO) runs now and returns a one-row
   * DataFrame (action, table, version, rows); other statements (CREATE VIEW, SET, …) run in DuckDB now.
   */
  async sql(text: string): Promise<DataFrame> {
    this.#ensureOpen();
    if (statementCount(text) > 1) {
      throw new UnsupportedOperationError(
        `conn.sql() runs one statement per call, and this text holds ${statementCount(text)}; call sql() once per statement`,
      );
    }
    const write = await this.#writeStatement(text);
    if (write !== undefined) {
      refuseIfReadOnly(this.#ctx, `conn.sql(): ${describeWriteStatement(write)}`, tableLocation(write.table, this.#ctx.root));
      return this.#outcomeFrame(await this.#ctx.session.write(write));
    }
    if (isLazyQuery(text)) return new DataFrame(this.#ctx, text);
    const result = await this.#ctx.session.sql(text);
    if (result.schema.fields.length === 0) return new DataFrame(this.#ctx, `SELECT 'ok' AS status`);
    // Keep the statement's result in DuckDB so the frame is still just SQL (results of DDL are small).
    const name = `__duckrun_result_${++results}`;
    await this.#ctx.session.engine.registerArrow(name, result);
    return new DataFrame(this.#ctx, `SELECT * FROM ${quoteIdentifier(name)}`);
  }

  /** A DataFrame over the Delta table `name` (`orders` or `schema.orders`); fails naming the table and root when there is none. */
  async table(name: string): Promise<DataFrame> {
    this.#ensureOpen();
    const table = await locateExistingTable(this.#ctx, name);
    await requireDeltaTable(this.#ctx, table.uri, `table '${name}'`);
    return new DataFrame(this.#ctx, `SELECT * FROM delta_scan(${quoteString(table.uri)})`);
  }

  /** Closes the connection and its engine (unless the engine was passed in); idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ctx.session.close();
  }

  /** Lazy frames would only fail at their first action: refuse new work on a stopped connection right away. */
  #ensureOpen(): void {
    if (this.#stopped) throw new EngineClosedError('this connection (stop() was called)');
  }

  async #writeStatement(text: string): Promise<WriteStatement | undefined> {
    try {
      if (parseWriteStatement(text) === undefined) return undefined;
    } catch {
      // Decide below, knowing DuckDB's own tables (as SqlSession does).
    }
    return parseWriteStatement(text, { localTables: await duckdbTableNames(this.#ctx.session.engine) });
  }

  #outcomeFrame(outcome: WriteOutcome): DataFrame {
    return new DataFrame(
      this.#ctx,
      `SELECT ${quoteString(outcome.action)} AS action, ${quoteString(outcome.table)} AS "table", ${outcome.version}::BIGINT AS version, ${outcome.rowsWritten}::BIGINT AS "rows"`,
    );
  }
}
