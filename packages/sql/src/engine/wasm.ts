// DuckDB-WASM under Node (the blocking build): no worker, no network; results leave DuckDB as Arrow IPC
// bytes and are parsed with our apache-arrow, because duckdb-wasm bundles its own (incompatible) copy.
import { createRequire } from 'node:module';
import { DataType, RecordBatchReader, Table, tableFromIPC, type RecordBatch } from 'apache-arrow';
import { batchesToIPCStream, emptyIPCStream, tableToIPCStream } from './arrow-ipc.js';
import type { ArrowSource, Engine, EngineCapabilities, ResultStream } from './engine.js';
import { EngineBusyError, EngineClosedError, EngineStartError, QueryError } from '../errors.js';
import { statementCount } from '../sql/statements.js';

/** Options of {@link openWasmEngine}. */
export interface WasmEngineOptions {
  /** Paths of the wasm bundles; defaults to the files of the installed `@duckdb/duckdb-wasm` package. */
  readonly bundles?: WasmBundles;
  /**
   * Arrow bytes of a streamed source (a delta_scan, a registered DataFrame) kept uncompressed in DuckDB: a
   * source's first bytes up to this go in about 2.8× faster, the rest is compressed to about a quarter of
   * the memory. Default 128 MiB; 0 compresses everything.
   */
  readonly uncompressedInsertBytes?: number;
}

/** Locations of the DuckDB-WASM builds (`eh` is chosen when the runtime supports wasm exceptions). */
export interface WasmBundles {
  readonly mvp: { readonly mainModule: string; readonly mainWorker: string };
  readonly eh?: { readonly mainModule: string; readonly mainWorker: string };
}

/** Rows gathered from small batches before one insert into DuckDB. */
const INSERT_CHUNK_ROWS = 131_072;

/**
 * Default of {@link WasmEngineOptions.uncompressedInsertBytes}. DuckDB-WASM moves rows inserted in the
 * transaction that creates their table into it as they are at commit; rows appended to a table that holds
 * committed rows are compressed on the way in. Measured on SF 1 lineitem (6M rows, all of it in one
 * transaction vs none): 9.2 s and 991 MiB of table memory, against 26.2 s and 261 MiB.
 */
const UNCOMPRESSED_INSERT_BYTES = 128 * 2 ** 20;

/** Starts DuckDB-WASM in this process (about 1.5 s on a small machine: the 34 MB module is compiled). */
export async function openWasmEngine(options: WasmEngineOptions = {}): Promise<WasmEngine> {
  const budget = options.uncompressedInsertBytes ?? UNCOMPRESSED_INSERT_BYTES;
  if (!(budget >= 0)) {
    throw new RangeError(`openWasmEngine: uncompressedInsertBytes is ${String(budget)}; use a number of bytes, 0 or more`);
  }
  let bindings: WasmBindings;
  try {
    const duckdb = (await import('@duckdb/duckdb-wasm/blocking')) as unknown as DuckdbWasmModule;
    const mod = typeof duckdb.createDuckDB === 'function' ? duckdb : (duckdb as unknown as { default: DuckdbWasmModule }).default;
    bindings = await mod.createDuckDB(options.bundles ?? installedBundles(), new mod.VoidLogger(), mod.NODE_RUNTIME);
    await bindings.instantiate(() => {});
    bindings.open({ path: ':memory:', query: { castBigIntToDouble: false, castDecimalToDouble: false } });
  } catch (e) {
    throw new EngineStartError(
      `could not start DuckDB-WASM: ${e instanceof Error ? e.message : String(e)}; reinstall @duckdb/duckdb-wasm (pnpm install)`,
      { cause: e },
    );
  }
  return new WasmEngine(bindings, budget);
}

/** DuckDB-WASM with one connection; see {@link Engine} for the contract. */
export class WasmEngine implements Engine {
  /** Declared capabilities: DuckDB-WASM offline has only `core_functions` built in. */
  readonly capabilities: EngineCapabilities;
  #bindings: WasmBindings;
  #conn: number;
  #closed = false;
  #streaming = false;
  #uncompressedInsertBytes: number;

  /** Wraps instantiated bindings; use {@link openWasmEngine}. */
  constructor(bindings: WasmBindings, uncompressedInsertBytes = UNCOMPRESSED_INSERT_BYTES) {
    this.#bindings = bindings;
    this.#uncompressedInsertBytes = uncompressedInsertBytes;
    this.#conn = bindings.connect().useUnsafe((_b, id) => id);
    // Extensions would be fetched over the network; refuse fast instead of hanging offline.
    this.#run('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false');
    this.capabilities = Object.freeze({
      name: 'duckdb-wasm',
      version: bindings.getVersion(),
      parquet: false,
      json: false,
      threads: 1,
    });
  }

  /** Runs SQL and returns the last statement's result as an apache-arrow table. */
  async query(sql: string): Promise<Table> {
    // Through the streaming API, not runQuery: runQuery returns the rows produced before an execution
    // error (e.g. error() or a failed cast on row 150,000) as if the result were complete.
    const stream = await this.stream(sql);
    const batches: RecordBatch[] = [];
    for await (const batch of stream) batches.push(batch);
    return new Table(stream.schema, batches);
  }

  /** Runs SQL and streams the last statement's result in DuckDB's batches (2,048 rows each). */
  async stream(sql: string): Promise<ResultStream> {
    this.#ready();
    this.#streaming = true;
    let reader: RecordBatchReader;
    try {
      let header = this.#call(() => this.#bindings.startPendingQuery(this.#conn, sql, true));
      while (header === null) {
        await new Promise((resolve) => setImmediate(resolve));
        header = this.#call(() => this.#bindings.pollPendingQuery(this.#conn));
      }
      reader = RecordBatchReader.from(this.#chunks(header)).open() as RecordBatchReader;
    } catch (e) {
      this.#streaming = false;
      throw e;
    }
    if (reader.schema.fields.some((f) => hasDictionary(f.type))) {
      // duckdb-wasm's streamed IPC carries no dictionary batches (ENUM values would all read as null):
      // such results are materialised by runQuery instead, which does include them. Running the text again
      // would repeat its earlier statements, so that is done for a single statement only.
      try {
        this.#bindings.cancelPendingQuery(this.#conn);
      } catch {
        // Nothing pending.
      }
      this.#streaming = false;
      if (statementCount(sql) > 1) {
        throw new QueryError(
          'the last statement returns ENUM columns, which duckdb-wasm cannot stream after other statements; CAST them to VARCHAR, or run the statements one at a time',
        );
      }
      return materialized(tableFromIPC(this.#run(sql)));
    }
    let finished = false;
    let exhausted = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (!exhausted && !this.#closed) {
        try {
          this.#bindings.cancelPendingQuery(this.#conn);
        } catch {
          // Nothing pending any more: the next statement replaces the result anyway.
        }
      }
      this.#streaming = false;
    };
    return {
      schema: reader.schema,
      close: async () => finish(),
      [Symbol.asyncIterator]: async function* () {
        try {
          if (finished) return;
          for (const batch of reader as Iterable<RecordBatch>) yield batch;
          exhausted = true;
        } finally {
          finish();
        }
      },
    };
  }

  /** Creates table `name` from Arrow data (IPC stream bytes, a table, or schema + batches). */
  async registerArrow(name: string, source: ArrowSource): Promise<void> {
    this.#ready();
    if (source instanceof Uint8Array) {
      this.#insert(name, source, true);
      return;
    }
    if ('batches' in source && !('numRows' in source)) {
      let created = false;
      let pending: RecordBatch[] = [];
      let pendingRows = 0;
      // The first bytes go in inside the transaction that creates the table (fast, uncompressed), the rest
      // is appended after its commit (compressed). Inside a caller's open transaction nothing is committed.
      let inTransaction = this.#uncompressedInsertBytes > 0 && this.#begin();
      let transactionBytes = 0;
      // Each insert has a fixed cost (~3 ms): coalesce small batches into fewer, larger IPC streams.
      const flush = (): void => {
        if (pending.length === 0) return;
        const ipc = batchesToIPCStream(pending);
        this.#insert(name, ipc, !created);
        created = true;
        pending = [];
        pendingRows = 0;
        transactionBytes += ipc.byteLength;
        if (inTransaction && transactionBytes >= this.#uncompressedInsertBytes) {
          this.#run('COMMIT');
          inTransaction = false;
        }
      };
      try {
        for await (const batch of source.batches) {
          this.#ready();
          if (batch.numRows === 0) continue;
          pending.push(batch);
          pendingRows += batch.numRows;
          if (pendingRows >= INSERT_CHUNK_ROWS) flush();
        }
        flush();
        if (!created) this.#insert(name, emptyIPCStream(source.schema), true);
        if (inTransaction) this.#run('COMMIT');
      } catch (e) {
        if (!this.#closed && !this.#streaming) {
          // The rollback also removes a table created in the transaction.
          if (inTransaction) this.#run('ROLLBACK');
          else if (created) this.#run(`DROP TABLE IF EXISTS ${quoteName(name)}`);
        }
        throw e;
      }
      return;
    }
    this.#insert(name, tableToIPCStream(source as Table), true);
  }

  /** Drops table `name` if it exists. */
  async dropTable(name: string): Promise<void> {
    this.#ready();
    this.#run(`DROP TABLE IF EXISTS ${quoteName(name)}`);
  }

  /** Disconnects and releases the database; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#bindings.disconnect(this.#conn);
      this.#bindings.reset();
    } catch {
      // Closing a broken instance must not mask the error that led the caller here.
    }
  }

  *#chunks(header: Uint8Array): Iterable<Uint8Array> {
    yield header;
    for (;;) {
      const chunk = this.#call(() => this.#bindings.fetchQueryResults(this.#conn));
      if (chunk === null) continue;
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  /** Opens a transaction; false when one is already open (the caller's, which this must not commit). */
  #begin(): boolean {
    // A failed BEGIN would abort the caller's transaction, so ask first: in autocommit mode every
    // statement runs in a transaction of its own, in an open transaction they share one id.
    const id = (): unknown => tableFromIPC(this.#run('SELECT txid_current() AS id')).get(0)?.['id'];
    if (id() === id()) return false;
    this.#run('BEGIN TRANSACTION');
    return true;
  }

  #insert(name: string, ipcStream: Uint8Array, create: boolean): void {
    this.#call(() => this.#bindings.insertArrowFromIPCStream(this.#conn, ipcStream, { name, create }));
  }

  #run(sql: string): Uint8Array {
    return this.#call(() => this.#bindings.runQuery(this.#conn, sql));
  }

  #call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new QueryError(e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  #ready(): void {
    if (this.#closed) throw new EngineClosedError('this DuckDB-WASM engine');
    if (this.#streaming) throw new EngineBusyError();
  }
}

/** The subset of duckdb-wasm's blocking bindings we call (typed here: its .d.ts pull in emscripten types). */
export interface WasmBindings {
  instantiate(onProgress: (p: unknown) => void): Promise<unknown>;
  open(config: Record<string, unknown>): void;
  reset(): void;
  getVersion(): string;
  connect(): { useUnsafe<R>(fn: (bindings: unknown, conn: number) => R): R };
  disconnect(conn: number): void;
  runQuery(conn: number, text: string): Uint8Array;
  startPendingQuery(conn: number, text: string, allowStreamResult: boolean): Uint8Array | null;
  pollPendingQuery(conn: number): Uint8Array | null;
  cancelPendingQuery(conn: number): boolean;
  fetchQueryResults(conn: number): Uint8Array | null;
  insertArrowFromIPCStream(conn: number, buffer: Uint8Array, options: { name: string; create: boolean }): void;
}

interface DuckdbWasmModule {
  createDuckDB(bundles: WasmBundles, logger: unknown, runtime: unknown): Promise<WasmBindings>;
  VoidLogger: new () => unknown;
  NODE_RUNTIME: unknown;
}

function installedBundles(): WasmBundles {
  const require = createRequire(import.meta.url);
  const file = (name: string): string => require.resolve(`@duckdb/duckdb-wasm/dist/${name}`);
  return {
    mvp: { mainModule: file('duckdb-mvp.wasm'), mainWorker: file('duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: file('duckdb-eh.wasm'), mainWorker: file('duckdb-node-eh.worker.cjs') },
  };
}

/** A materialised table as a ResultStream. */
function materialized(table: Table): ResultStream {
  return {
    schema: table.schema,
    close: async () => undefined,
    [Symbol.asyncIterator]: async function* () {
      yield* table.batches;
    },
  };
}


function hasDictionary(type: DataType): boolean {
  return DataType.isDictionary(type) || (type.children ?? []).some((c) => hasDictionary(c.type));
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
