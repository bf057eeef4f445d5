// SqlSession: a DuckDB engine plus a root location; runs SQL in which delta_scan() reads Delta tables.
import type { Table } from 'apache-arrow';
import type { StorageOptions } from '@duckrun/storage';
import { prepareDeltaScans, type DeltaScanReport } from './delta-scan.js';
import type { Engine, ResultStream } from './engine/engine.js';
import { openWasmEngine } from './engine/wasm.js';
import { EngineClosedError } from './errors.js';
import { resolveRoot } from './table-uri.js';

/** Options of {@link openSession}. */
export interface SessionOptions {
  /** Location relative table URIs resolve against (URL or local path); default the working directory. */
  readonly root?: string;
  /** Store options (`aws_region`, …) used to open tables. */
  readonly storageOptions?: StorageOptions;
  /** Engine to run on; default a new DuckDB-WASM engine, owned (and closed) by the session. */
  readonly engine?: Engine;
  /** Called once per delta_scan call with what it read (files before and after pruning). */
  readonly onDeltaScan?: (report: DeltaScanReport) => void;
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
  const engine = options.engine ?? (await openWasmEngine());
  return new SqlSession(engine, root, options, options.engine === undefined);
}

/** A DuckDB engine bound to a root location; statements may use `delta_scan('uri', …)` anywhere a table can appear. */
export class SqlSession {
  /** The root URL relative table URIs resolve against. */
  readonly root: string;
  /** The engine statements run on. */
  readonly engine: Engine;
  #options: SessionOptions;
  #ownsEngine: boolean;
  #closed = false;
  #prefix = `__duckrun_delta_${++sessions}`;

  /** Use {@link openSession}. */
  constructor(engine: Engine, root: string, options: SessionOptions, ownsEngine: boolean) {
    this.engine = engine;
    this.root = root;
    this.#options = options;
    this.#ownsEngine = ownsEngine;
  }

  /** Runs SQL (one or more statements) and returns the last statement's result. */
  async sql(text: string): Promise<Table> {
    const prepared = await this.#prepare(text);
    try {
      return await this.engine.query(prepared.sql);
    } finally {
      await prepared.release();
    }
  }

  /** Runs SQL and streams the last statement's result; delta_scan tables are dropped once it is consumed or closed. */
  async stream(text: string): Promise<ResultStream> {
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

  /** Closes the session (and its engine when the session created it); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsEngine) await this.engine.close();
  }

  async #prepare(text: string): ReturnType<typeof prepareDeltaScans> {
    if (this.#closed) throw new EngineClosedError('this SQL session');
    const prepared = await prepareDeltaScans(text, {
      engine: this.engine,
      root: this.root,
      namePrefix: this.#prefix,
      ...(this.#options.storageOptions ? { storageOptions: this.#options.storageOptions } : {}),
    });
    for (const report of prepared.scans) this.#options.onDeltaScan?.(report);
    return prepared;
  }
}
