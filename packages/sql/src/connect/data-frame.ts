// DataFrame: an immutable handle on one SQL query of a connection; nothing runs until an action
// (collect, toArrow, toBatches, count, show, columns, schema) or a write asks for rows.
import type { RecordBatch, Schema, Table } from 'apache-arrow';
import { ConnectOptionError } from '../errors.js';
import { renderTextTable } from '../render/table-text.js';
import { resolveBareTables } from '../write/execute.js';
import type { ConnectionContext } from './context.js';
import { ArrowBatchReader } from './batch-reader.js';
import { DataFrameWriter } from './data-frame-writer.js';
import { tableRows, type Row } from './rows.js';

/** Alias of the subquery a DataFrame's SQL is wrapped in by count(), show(), schema(). */
const FRAME = '__duckrun_frame';

/**
 * A lazy, immutable query result. Errors in the SQL (DuckDB's own message, e.g. a syntax error) surface
 * from the first action, as a `QueryError`. Bare table names in the SQL read the Delta tables under the root.
 */
export class DataFrame {
  /** The SQL this frame stands for. */
  readonly query: string;
  readonly #ctx: ConnectionContext;

  /** Frames come from a Connection (`sql`, `table`, `read`). */
  constructor(ctx: ConnectionContext, query: string) {
    this.#ctx = ctx;
    this.query = query;
    Object.freeze(this);
  }

  /** A writer of this frame's rows into a Delta table (mode 'error' until set). */
  get write(): DataFrameWriter {
    return new DataFrameWriter(this.#ctx, this.query);
  }

  /** All rows as plain objects (integers beyond 2^53 as bigint, decimals and dates/timestamps as exact text). */
  async collect(): Promise<Row[]> {
    return tableRows(await this.toTable());
  }

  /**
   * A streaming reader of the rows' record batches (schema up front; `for await`, `readAll()`, `toTable()`,
   * `cancel()`); the engine is held until it is read to the end or cancelled.
   */
  async toArrow(): Promise<ArrowBatchReader> {
    return new ArrowBatchReader(await this.#ctx.session.stream(await this.#runnable(this.query)));
  }

  /** All rows as one apache-arrow Table (materialised). */
  async toTable(): Promise<Table> {
    return this.#ctx.session.sql(await this.#runnable(this.query));
  }

  /**
   * Streams the rows as Arrow record batches; the engine is held until the loop ends (or breaks), so run
   * other statements of this connection after it.
   */
  async *toBatches(): AsyncGenerator<RecordBatch> {
    const stream = await this.#ctx.session.stream(await this.#runnable(this.query));
    try {
      yield* stream;
    } finally {
      await stream.close();
    }
  }

  /** The number of rows. */
  async count(): Promise<number> {
    const table = await this.#ctx.session.sql(await this.#runnable(`SELECT count(*) AS n FROM (\n${this.query}\n) AS ${FRAME}`));
    return Number(table.getChildAt(0)?.get(0) ?? 0);
  }

  /** Prints the first `n` rows as a text table (to the connection's `print`, default the console) and returns the text. */
  async show(n = 20): Promise<string> {
    if (!Number.isSafeInteger(n) || n < 0) throw new ConnectOptionError(`show(${String(n)}): the row count must be a whole number ≥ 0`);
    const table = await this.#ctx.session.sql(await this.#runnable(`SELECT * FROM (\n${this.query}\n) AS ${FRAME} LIMIT ${n}`));
    const text = renderTextTable(table);
    this.#ctx.print(text);
    return text;
  }

  /** The column names, in order. */
  async columns(): Promise<string[]> {
    return (await this.schema()).fields.map((f) => f.name);
  }

  /** The Arrow schema of the result (the query runs with LIMIT 0). */
  async schema(): Promise<Schema> {
    const table = await this.#ctx.session.sql(await this.#runnable(`SELECT * FROM (\n${this.query}\n) AS ${FRAME} LIMIT 0`));
    return table.schema;
  }

  /** Bare Delta table names (`FROM orders`) become delta_scan calls, as in write statements. */
  async #runnable(sql: string): Promise<string> {
    return resolveBareTables(sql, this.#ctx.session.writeContext());
  }
}
