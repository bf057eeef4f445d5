// DataFrameReader: an immutable builder (format, options) whose load(uri) returns a DataFrame over a Delta
// table (optionally time-travelled), or over parquet/CSV files where the engine can read files itself.
import { DeltaTable } from '@duckrun/delta';
import { isDuckrunError } from '@duckrun/storage';
import { activeTombstone } from '../dml/tombstone.js';
import { ConnectOptionError, TableNotFoundError, UnsupportedOperationError } from '../errors.js';
import { quoteString } from '../sql/literals.js';
import { resolveTableUri } from '../table-uri.js';
import type { ConnectionContext } from './context.js';
import { DataFrame } from './data-frame.js';

/** Formats {@link DataFrameReader.format} accepts. */
export type ReadFormat = 'delta' | 'parquet' | 'csv';

/** Options of {@link DataFrameReader.option}. */
export interface ReaderOptions {
  /** Delta: read this table version. */
  readonly versionAsOf?: number;
  /** Delta: read the version current at this time (ISO 8601 text). */
  readonly timestampAsOf?: string;
  /** CSV: whether the first line names the columns (DuckDB sniffs it when unset). */
  readonly header?: boolean;
  /** CSV: the field separator (DuckDB sniffs it when unset). */
  readonly delimiter?: string;
}

const FORMATS: readonly ReadFormat[] = ['delta', 'parquet', 'csv'];
const OPTION_KEYS: readonly (keyof ReaderOptions)[] = ['versionAsOf', 'timestampAsOf', 'header', 'delimiter'];

/** Reads a table or files into a DataFrame; every setter returns a new reader. Default format 'delta'. */
export class DataFrameReader {
  readonly #ctx: ConnectionContext;
  readonly #format: ReadFormat;
  readonly #options: ReaderOptions;

  /** Readers come from `Connection.read`. */
  constructor(ctx: ConnectionContext, format: ReadFormat = 'delta', options: ReaderOptions = {}) {
    this.#ctx = ctx;
    this.#format = format;
    this.#options = Object.freeze({ ...options });
    Object.freeze(this);
  }

  /** The source format: 'delta' (default), 'parquet' or 'csv'. */
  format(format: ReadFormat): DataFrameReader {
    if (!FORMATS.includes(format)) {
      throw new ConnectOptionError(`read format '${String(format)}' is not supported; use one of ${FORMATS.map((f) => `'${f}'`).join(', ')}`);
    }
    return new DataFrameReader(this.#ctx, format, this.#options);
  }

  /** Sets a read option: `versionAsOf` (number), `timestampAsOf` (ISO text), CSV `header`, `delimiter`. */
  option<K extends keyof ReaderOptions>(key: K, value: ReaderOptions[K] | string): DataFrameReader {
    if (!OPTION_KEYS.includes(key)) {
      throw new ConnectOptionError(`read option '${String(key)}' is not supported; use one of ${OPTION_KEYS.map((k) => `'${k}'`).join(', ')}`);
    }
    return new DataFrameReader(this.#ctx, this.#format, { ...this.#options, [key]: normalize(key, value) });
  }

  /** A DataFrame over the table or files at `uri` (absolute, or relative to the connection root). */
  async load(uri: string): Promise<DataFrame> {
    const location = resolveTableUri(uri, this.#ctx.root);
    if (this.#format === 'delta') return new DataFrame(this.#ctx, await this.#deltaQuery(location, uri));
    return new DataFrame(this.#ctx, this.#fileQuery(location));
  }

  async #deltaQuery(location: string, given: string): Promise<string> {
    const { versionAsOf, timestampAsOf } = this.#options;
    if (versionAsOf !== undefined && timestampAsOf !== undefined) {
      throw new ConnectOptionError(`read of ${given}: options 'versionAsOf' and 'timestampAsOf' exclude each other; pass one`);
    }
    await requireDeltaTable(this.#ctx, location, `read.load('${given}')`, { timeTravel: versionAsOf !== undefined || timestampAsOf !== undefined });
    const at = versionAsOf !== undefined ? `, version => ${versionAsOf}` : timestampAsOf !== undefined ? `, timestamp => ${quoteString(timestampAsOf)}` : '';
    return `SELECT * FROM delta_scan(${quoteString(location)}${at})`;
  }

  #fileQuery(location: string): string {
    const engine = this.#ctx.session.engine.capabilities;
    // duckdb-wasm cannot open files of the host file system (nor load its parquet extension offline).
    if (!engine.parquet) {
      throw new UnsupportedOperationError(
        `read.format('${this.#format}') needs an engine that reads files itself, and ${engine.name} does not; connect with { engine: 'native' }`,
      );
    }
    if (this.#options.versionAsOf !== undefined || this.#options.timestampAsOf !== undefined) {
      throw new ConnectOptionError(`time travel options apply to format 'delta', not '${this.#format}'`);
    }
    const path = quoteString(localPath(location));
    if (this.#format === 'parquet') return `SELECT * FROM read_parquet(${path})`;
    const args = [
      ...(this.#options.header !== undefined ? [`header = ${this.#options.header}`] : []),
      ...(this.#options.delimiter !== undefined ? [`delim = ${quoteString(this.#options.delimiter)}`] : []),
    ];
    return `SELECT * FROM read_csv(${[path, ...args].join(', ')})`;
  }
}

/** Throws TableNotFoundError naming `what`, `location` and the root unless a Delta table is there. */
export async function requireDeltaTable(ctx: ConnectionContext, location: string, what: string, options: { readonly timeTravel?: boolean } = {}): Promise<void> {
  let dropped: boolean;
  try {
    const table = await DeltaTable.open(location, ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {});
    dropped = (await activeTombstone(table.store)) !== undefined;
  } catch (e) {
    if (!isDuckrunError(e, 'DELTA_NOT_A_TABLE')) throw e;
    throw new TableNotFoundError(`${what}: there is no Delta table at ${location} (root ${ctx.root}); list tables with conn.catalog.listTables()`, {
      cause: e,
    });
  }
  if (dropped && options.timeTravel !== true) {
    throw new TableNotFoundError(`${what}: the table at ${location} was dropped (its history stays readable with versionAsOf); create it again to use the name`);
  }
}

function normalize(key: keyof ReaderOptions, value: unknown): unknown {
  if (key === 'versionAsOf') {
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ConnectOptionError(`read option 'versionAsOf' needs a table version ≥ 0 (got ${JSON.stringify(value)})`);
    return n;
  }
  if (key === 'timestampAsOf') {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new ConnectOptionError(`read option 'timestampAsOf' needs an ISO 8601 timestamp, e.g. '2024-05-01T12:00:00Z' (got ${JSON.stringify(value)})`);
    }
    return value;
  }
  if (key === 'header') {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new ConnectOptionError(`read option 'header' needs true or false (got ${JSON.stringify(value)})`);
  }
  if (typeof value !== 'string' || value === '') throw new ConnectOptionError(`read option '${key}' needs a non-empty string`);
  return value;
}

/** DuckDB's file readers take paths, not file:// URLs; other URLs (s3://, https://) go as they are. */
function localPath(uri: string): string {
  if (!uri.startsWith('file://')) return uri;
  const path = decodeURIComponent(new URL(uri).pathname);
  // file:///C:/x → C:/x on Windows.
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}
