// Native DuckDB (@duckdb/node-api, an optional dependency): parquet/json/icu built in, multi-threaded. Results
// are converted from DuckDB's data chunks to apache-arrow batches here; Arrow data enters through parquet.
import { createRequire } from 'node:module';
import { RecordBatch, Schema, Field, Struct, Table, makeData, type Data } from 'apache-arrow';
import type { DuckDBConnection, DuckDBInstance, DuckDBResult } from '@duckdb/node-api';
import type { ArrowSource, Engine, EngineCapabilities, LocalFiles, ResultStream } from './engine.js';
import { nodeLocalFiles } from './local-files.js';
import { columnBuilder, UnsupportedDuckdbTypeError, type ColumnBuilder, type VectorBindings } from './duckdb-chunk-arrow.js';
import { registerArrowViaParquet } from './native-arrow-import.js';
import { EngineBusyError, EngineClosedError, EngineStartError, NativeEngineUnavailableError, QueryError } from '../errors.js';

/** Options of {@link openNativeEngine}. */
export interface NativeEngineOptions {
  /** Worker threads; default DuckDB's (the number of cores). */
  readonly threads?: number;
  /** DuckDB memory limit, e.g. `'4GB'`; default DuckDB's (80% of RAM). */
  readonly memoryLimit?: string;
}

/** Rows gathered from DuckDB's 2,048-row chunks into one Arrow batch (fewer, larger batches are cheaper downstream). */
const BATCH_ROWS = 65_536;
/** …unless the batch's buffers grow past this many bytes first (wide or nested rows). */
const BATCH_BYTES = 64 * 1024 * 1024;

type NodeApi = typeof import('@duckdb/node-api');

interface RawBindings extends VectorBindings {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  data_chunk_get_size(chunk: unknown): number;
  library_version(): string;
}

/** Starts an in-memory native DuckDB; fails with NativeEngineUnavailableError when @duckdb/node-api is not installed. */
export async function openNativeEngine(options: NativeEngineOptions = {}): Promise<NativeEngine> {
  let api: NodeApi;
  let bindings: RawBindings;
  try {
    api = (await import('@duckdb/node-api')) as NodeApi;
    // The raw vector functions live in node-api's own dependency; resolve it from there (works hoisted or not).
    const requireFromApi = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
    bindings = requireFromApi('@duckdb/node-bindings') as RawBindings;
  } catch (e) {
    throw new NativeEngineUnavailableError(
      `the native engine needs the optional package @duckdb/node-api, which could not be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); install it (npm install @duckdb/node-api) or use engine 'wasm'`,
      { cause: e },
    );
  }
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  try {
    const config: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
    instance = await api.DuckDBInstance.create(':memory:', config);
    conn = await instance.connect();
    // DuckDB-WASM has no ICU, so its TIMESTAMPTZ arithmetic and text are UTC: match it for identical results.
    await conn.run("SET TimeZone = 'UTC'");
  } catch (e) {
    throw new EngineStartError(`could not start native DuckDB: ${e instanceof Error ? e.message : String(e)}; reinstall @duckdb/node-api`, {
      cause: e,
    });
  }
  const threads = Number((await conn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0] ?? 1);
  return new NativeEngine(instance, conn, bindings, threads);
}

/** Native DuckDB with one connection; see {@link Engine} for the contract. */
export class NativeEngine implements Engine {
  /** Declared capabilities: parquet and json are built into the native library. */
  readonly capabilities: EngineCapabilities;
  /** DuckDB reads and writes the local disk, so the files it writes can be placed from here. */
  readonly localFiles: LocalFiles = nodeLocalFiles;
  #instance: DuckDBInstance;
  #conn: DuckDBConnection;
  #bindings: RawBindings;
  #closed = false;
  #streaming = false;
  /** Statements run strictly one after another in call order (node-api calls are asynchronous). */
  #queue: Promise<unknown> = Promise.resolve();

  /** Wraps an open connection; use {@link openNativeEngine}. */
  constructor(instance: DuckDBInstance, conn: DuckDBConnection, bindings: RawBindings, threads: number) {
    this.#instance = instance;
    this.#conn = conn;
    this.#bindings = bindings;
    this.capabilities = Object.freeze({
      name: 'duckdb-native',
      version: `v${bindings.library_version().replace(/^v/, '')}`,
      parquet: true,
      json: true,
      threads,
    });
  }

  /** Runs SQL and returns the last statement's result as an apache-arrow table. */
  async query(sql: string): Promise<Table> {
    this.#ready();
    return this.#serial(async () => {
      const result = await this.#call(() => this.#execute(sql));
      const reader = new ChunkReader(this.#bindings, result);
      const batches: RecordBatch[] = [];
      for (;;) {
        const batch = await this.#call(() => reader.next());
        if (batch === undefined) break;
        batches.push(batch);
      }
      return new Table(reader.schema, batches);
    });
  }

  /** Runs SQL and streams the last statement's result in batches of up to 65,536 rows. */
  async stream(sql: string): Promise<ResultStream> {
    this.#ready();
    this.#streaming = true;
    let reader: ChunkReader;
    try {
      reader = await this.#serial(async () => new ChunkReader(this.#bindings, await this.#call(() => this.#execute(sql))));
    } catch (e) {
      this.#streaming = false;
      throw e;
    }
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      // An abandoned streaming result is discarded by DuckDB when the connection runs its next statement.
      this.#streaming = false;
    };
    const call = <T>(fn: () => Promise<T>): Promise<T> => this.#call(fn);
    return {
      schema: reader.schema,
      close: async () => finish(),
      [Symbol.asyncIterator]: async function* () {
        try {
          for (;;) {
            if (finished) return;
            const batch = await call(() => reader.next());
            if (batch === undefined) return;
            yield batch;
          }
        } finally {
          finish();
        }
      },
    };
  }

  /** Creates table `name` from Arrow data (IPC stream bytes, a table, or schema + batches). */
  async registerArrow(name: string, source: ArrowSource): Promise<void> {
    this.#ready();
    await this.#serial(() =>
      registerArrowViaParquet(name, source, (sql) => this.#call(async () => void (await this.#conn.run(sql)))),
    );
  }

  /** Drops table `name` if it exists. */
  async dropTable(name: string): Promise<void> {
    this.#ready();
    await this.#serial(() => this.#call(() => this.#conn.run(`DROP TABLE IF EXISTS ${quoteName(name)}`)));
  }

  /** Disconnects and releases the database; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => {});
    try {
      this.#conn.closeSync();
      this.#instance.closeSync();
    } catch {
      // Closing a broken instance must not mask the error that led the caller here.
    }
  }

  /**
   * Runs SQL to a materialised result. Not a streaming one: node-bindings 1.5.6 ends a streaming result
   * with an empty chunk when execution fails midway (the error is lost), so a failed query would look
   * like a shorter result. DuckDB keeps materialised results in its buffer manager (spillable); we still
   * convert and hand them out batch by batch.
   */
  #execute(sql: string): Promise<DuckDBResult> {
    return this.#conn.run(sql);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof QueryError || e instanceof EngineClosedError || e instanceof EngineBusyError) throw e;
      throw new QueryError(e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  #ready(): void {
    if (this.#closed) throw new EngineClosedError('this native DuckDB engine');
    if (this.#streaming) throw new EngineBusyError();
  }
}

/** Pulls DuckDB chunks from a result and gathers them into Arrow record batches. */
class ChunkReader {
  readonly schema: Schema;
  #result: DuckDBResult;
  #bindings: RawBindings;
  /** One builder per column, reused for every batch (so dictionary ids stay those of the schema). */
  #builders: readonly ColumnBuilder[];
  #done = false;

  constructor(bindings: RawBindings, result: DuckDBResult) {
    this.#bindings = bindings;
    this.#result = result;
    const names = result.columnNames();
    this.#builders = result.columnTypes().map((t, i) => {
      try {
        return columnBuilder(bindings, t, 'UTC');
      } catch (e) {
        if (!(e instanceof UnsupportedDuckdbTypeError)) throw e;
        throw new QueryError(
          `column "${names[i]}" has DuckDB type ${e.message}, which the native engine cannot return as Arrow; cast it in the query (e.g. ::VARCHAR)`,
        );
      }
    });
    this.schema = new Schema(this.#builders.map((b, i) => new Field(names[i]!, b.type, true)));
  }

  /** The next batch, or undefined at the end of the result. */
  async next(): Promise<RecordBatch | undefined> {
    if (this.#done) return undefined;
    const builders = this.#builders;
    let rows = 0;
    while (rows < BATCH_ROWS) {
      const chunk = await this.#result.fetchChunk();
      const size = chunk === null ? 0 : this.#bindings.data_chunk_get_size(chunk.chunk);
      if (chunk === null || size === 0) {
        this.#done = true;
        break;
      }
      builders.forEach((b, i) => b.append(this.#bindings.data_chunk_get_vector(chunk.chunk, i), 0, size));
      rows += size;
      if (builders.reduce((n, b) => n + b.byteLength, 0) >= BATCH_BYTES) break;
    }
    if (rows === 0) return undefined;
    const children: Data[] = builders.map((b) => b.finish());
    const data = makeData({ type: new Struct(this.schema.fields), length: rows, nullCount: 0, children });
    return new RecordBatch(this.schema, data);
  }
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
