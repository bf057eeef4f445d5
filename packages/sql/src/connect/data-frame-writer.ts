// DataFrameWriter: an immutable builder (mode, options, partitionBy) whose terminal calls stream a
// DataFrame's result out of DuckDB as Arrow into @duckrun/delta's writer, like SQL write statements do.
import type { WriteOptions } from '@duckrun/delta';
import { ConnectOptionError, TableExistsError, TableNotFoundError } from '../errors.js';
import { resolveTableUri } from '../table-uri.js';
import { REVIVE, tableState, writeQueryToDelta, type WriteOutcome } from '../write/execute.js';
import { clearTombstone } from '../dml/tombstone.js';
import { planCreate, planInsert } from '../write/select-plan.js';
import { locateTable, refuseIfReadOnly, type ConnectionContext } from './context.js';

/** How a write treats an existing table (Spark's SaveMode names). */
export type SaveMode = 'overwrite' | 'append' | 'safeappend' | 'ignore' | 'error';

/** Options of {@link DataFrameWriter.option}. */
export interface WriterOptions {
  /** With mode 'overwrite': replace only the rows matching this predicate (over partition columns, or any columns). */
  readonly replaceWhere?: string;
  /** Add columns the frame has and the table lacks. */
  readonly mergeSchema?: boolean;
  /** With mode 'overwrite': replace the table's schema (and partitioning) with the frame's. */
  readonly overwriteSchema?: boolean;
}

const MODES: readonly SaveMode[] = ['overwrite', 'append', 'safeappend', 'ignore', 'error'];
const OPTION_KEYS = ['replaceWhere', 'mergeSchema', 'overwriteSchema'] as const;

interface WriterState {
  readonly mode: SaveMode;
  readonly options: WriterOptions;
  readonly partitionBy: readonly string[];
}

/** Writes a DataFrame to a Delta table; every setter returns a new writer. Default mode 'error', as in Spark. */
export class DataFrameWriter {
  readonly #ctx: ConnectionContext;
  readonly #query: string;
  readonly #state: WriterState;

  /** Writers come from `DataFrame.write`. */
  constructor(ctx: ConnectionContext, query: string, state: WriterState = { mode: 'error', options: {}, partitionBy: [] }) {
    this.#ctx = ctx;
    this.#query = query;
    this.#state = Object.freeze(state);
    Object.freeze(this);
  }

  /** What to do when the table exists: 'error' (default), 'ignore', 'append', 'overwrite', or 'safeappend'. */
  mode(mode: SaveMode): DataFrameWriter {
    if (!MODES.includes(mode)) {
      throw new ConnectOptionError(`write mode '${String(mode)}' is not a mode; use one of ${MODES.map((m) => `'${m}'`).join(', ')}`);
    }
    return this.#with({ mode });
  }

  /** Sets `replaceWhere` (a SQL predicate), `mergeSchema` or `overwriteSchema` (booleans; 'true'/'false' accepted). */
  option<K extends keyof WriterOptions>(key: K, value: WriterOptions[K] | string): DataFrameWriter {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw new ConnectOptionError(`write option '${String(key)}' is not supported; use one of ${OPTION_KEYS.map((k) => `'${k}'`).join(', ')}`);
    }
    if (key === 'replaceWhere') {
      if (typeof value !== 'string' || value.trim() === '') throw new ConnectOptionError(`write option 'replaceWhere' needs a SQL predicate string, e.g. "day = '2024-05-01'"`);
      return this.#with({ options: { ...this.#state.options, replaceWhere: value } });
    }
    // Spark users pass option('mergeSchema', 'true'): accept the text forms too.
    const flag = value === true || value === 'true' ? true : value === false || value === 'false' ? false : undefined;
    if (flag === undefined) throw new ConnectOptionError(`write option '${key}' needs true or false (got ${JSON.stringify(value)})`);
    return this.#with({ options: { ...this.#state.options, [key]: flag } });
  }

  /** Partition columns of a new table (an existing table keeps its own; they must match). */
  partitionBy(...columns: string[]): DataFrameWriter {
    return this.#with({ partitionBy: columns.flat() });
  }

  /** Writes to the table `name` under the connection root (`schema.name` → `<root>/schema/name`). */
  async saveAsTable(name: string): Promise<WriteOutcome> {
    const table = locateTable(this.#ctx, name);
    return this.#write(table.uri, table.text, `saveAsTable('${name}')`, false);
  }

  /** Appends to the existing table `name`, matching columns by position (as Spark's insertInto). */
  async insertInto(name: string): Promise<WriteOutcome> {
    const table = locateTable(this.#ctx, name);
    return this.#write(table.uri, table.text, `insertInto('${name}')`, true);
  }

  /** Writes to the Delta table at `uri` (absolute, or relative to the connection root). */
  async save(uri: string): Promise<WriteOutcome> {
    const target = resolveTableUri(uri, this.#ctx.root);
    return this.#write(target, target, `save('${uri}')`, false);
  }

  #with(change: Partial<WriterState>): DataFrameWriter {
    return new DataFrameWriter(this.#ctx, this.#query, { ...this.#state, ...change });
  }

  async #write(uri: string, label: string, call: string, byPosition: boolean): Promise<WriteOutcome> {
    const what = `write.${call}`;
    refuseIfReadOnly(this.#ctx, what, uri);
    const { options, partitionBy } = this.#state;
    const mode: SaveMode = byPosition ? 'append' : this.#state.mode;
    if (options.replaceWhere !== undefined && mode !== 'overwrite') {
      throw new ConnectOptionError(`${what}: option 'replaceWhere' applies to mode 'overwrite' (got '${mode}'); add .mode('overwrite')`);
    }
    if (options.overwriteSchema === true && mode !== 'overwrite') {
      throw new ConnectOptionError(`${what}: option 'overwriteSchema' applies to mode 'overwrite' (got '${mode}'); add .mode('overwrite'), or use option('mergeSchema', true) to add columns`);
    }
    const ctx = this.#ctx.session.writeContext();
    const { snapshot: existing, dropped } = await tableState(uri, ctx.storageOptions);
    if (byPosition && existing === undefined) {
      throw new TableNotFoundError(`${what}: there is no Delta table ${label} at ${uri}; create it first with write.saveAsTable('${label}')`);
    }
    if (existing !== undefined && mode === 'error') {
      throw new TableExistsError(
        `${what}: table ${label} already exists at ${uri} (version ${existing.version}); choose .mode('append'), .mode('overwrite') or .mode('ignore')`,
      );
    }
    if (existing !== undefined && mode === 'ignore') {
      return { action: 'skipped', table: label, tableUri: uri, version: existing.version, rowsWritten: 0, filesAdded: 0 };
    }
    // An existing table keeps its schema unless the caller asked to change it: cast the frame to it (by name,
    // or by position for insertInto), so an INTEGER column lands in a BIGINT table column.
    const keepSchema = existing !== undefined && options.mergeSchema !== true && options.overwriteSchema !== true;
    const schemaMode = options.overwriteSchema === true ? 'overwrite' : options.mergeSchema === true ? 'merge' : undefined;
    const writeOptions: WriteOptions = {
      mode: mode === 'safeappend' ? 'append' : mode,
      // safeappend: the version was captured above, before the frame's query runs; any commit after it fails the write.
      ...(mode === 'safeappend' && !dropped ? { pinnedVersion: existing?.version ?? -1 } : {}),
      operation: byPosition ? 'WRITE' : mode === 'overwrite' ? 'CREATE OR REPLACE TABLE AS SELECT' : existing ? 'WRITE' : 'CREATE TABLE AS SELECT',
      ...(partitionBy.length > 0 ? { partitionBy } : {}),
      ...(options.replaceWhere !== undefined ? { replaceWhere: options.replaceWhere } : {}),
      ...(schemaMode !== undefined ? { schemaMode } : {}),
      ...(this.#ctx.session.writeOptions.allowTimestampNtz === true ? { allowTimestampNtz: true } : {}),
      ...(this.#ctx.session.writeOptions.targetFileSize !== undefined ? { targetFileSize: this.#ctx.session.writeOptions.targetFileSize } : {}),
      ...(ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {}),
      // A dropped table's name is free: the write creates a fresh table there (the old history stays).
      ...(dropped ? { ...REVIVE, partitionBy } : {}),
    };
    const result = await writeQueryToDelta(this.#query, uri, ctx, {
      what,
      plan: (columns, query) =>
        keepSchema
          ? planInsert(query, columns, { kind: 'insert', table: { parts: [label] }, byName: !byPosition, query }, existing.schema, label)
          : planCreate(query, columns),
      writeOptions,
    });
    if (dropped) await clearTombstone(uri, ctx.storageOptions);
    const action = !result.committed ? 'skipped' : result.created || dropped ? 'created' : mode === 'append' || mode === 'safeappend' ? 'inserted' : 'replaced';
    return { action, table: label, tableUri: uri, version: result.version, rowsWritten: result.rowsWritten, filesAdded: result.filesAdded, dataFiles: result.dataFiles };
  }
}
