// DeltaTable of the connect() API (delta-spark's DeltaTable): a handle on one Delta table of a connection
// for MERGE, row-level DELETE/UPDATE, history, maintenance and table details.
import { Table as ArrowTable } from 'apache-arrow';
import {
  DeltaTable as DeltaLog,
  type CompactMetrics,
  type CompactOptions,
  type HistoryEntry,
  type RestoreResult,
  type VacuumOptions,
  type VacuumResult,
} from '@duckrun/delta';
import { ConnectOptionError } from '../errors.js';
import { deleteRows, type DeleteOutcome } from '../dml/delete.js';
import { updateRows, type UpdateOutcome } from '../dml/update.js';
import { quoteIdentifier, quoteString } from '../sql/literals.js';
import { resolveTableUri } from '../table-uri.js';
import type { Connection } from './connect.js';
import { connectionContext, locateExistingTable, refuseIfReadOnly, type ConnectionContext } from './context.js';
import { DataFrame } from './data-frame.js';
import { requireDeltaTable } from './data-frame-reader.js';
import { MergeBuilder, type ColumnExpressions } from './merge-builder.js';

/** A MERGE source: a DataFrame of the same connection, a SQL query, or Arrow rows. */
export type MergeSource = DataFrame | string | ArrowTable;

/** What `detail()` reports (Delta's DESCRIBE DETAIL fields). */
export interface TableDetail {
  readonly format: 'delta';
  readonly id: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly location: string;
  /** Epoch ms of the table's creation, when recorded. */
  readonly createdAt: number | null;
  /** Epoch ms of the latest commit, when known. */
  readonly lastModified: number | null;
  readonly version: number;
  readonly partitionColumns: readonly string[];
  readonly numFiles: number;
  readonly sizeInBytes: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  readonly tableFeatures: readonly string[];
}

let sources = 0;

/** A Delta table of a connection; get one with {@link DeltaTable.forName} or {@link DeltaTable.forPath}. */
export class DeltaTable {
  /** The table's URL. */
  readonly uri: string;
  /** The name it was opened by (or its URI), for messages. */
  readonly label: string;
  /** The alias MERGE conditions and expressions use for this table (default `target`). */
  readonly aliasName: string;
  readonly #ctx: ConnectionContext;

  private constructor(ctx: ConnectionContext, uri: string, label: string, alias: string) {
    this.#ctx = ctx;
    this.uri = uri;
    this.label = label;
    this.aliasName = alias;
    Object.freeze(this);
  }

  /** The table `name` under the connection's root (`orders`, `schema.orders`); fails naming the table and root when there is none. */
  static async forName(conn: Connection, name: string): Promise<DeltaTable> {
    const ctx = contextOf(conn);
    const table = await locateExistingTable(ctx, name);
    await requireDeltaTable(ctx, table.uri, `DeltaTable.forName(conn, '${name}')`);
    return new DeltaTable(ctx, table.uri, table.text, 'target');
  }

  /** The table at `uri` (absolute, or relative to the connection root). */
  static async forPath(conn: Connection, uri: string): Promise<DeltaTable> {
    const ctx = contextOf(conn);
    const location = resolveTableUri(uri, ctx.root);
    await requireDeltaTable(ctx, location, `DeltaTable.forPath(conn, '${uri}')`);
    return new DeltaTable(ctx, location, uri, 'target');
  }

  /** The same table under another alias in MERGE conditions: `dt.alias('t').merge(src, 't.id = source.id')`. */
  alias(name: string): DeltaTable {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConnectOptionError(`alias '${String(name)}' must be a plain identifier (letters, digits, _)`);
    return new DeltaTable(this.#ctx, this.uri, this.label, name);
  }

  /** The table's current rows as a lazy DataFrame. */
  toDF(): DataFrame {
    return new DataFrame(this.#ctx, `SELECT * FROM delta_scan(${quoteString(this.uri)})`);
  }

  /**
   * Starts a MERGE of `source` into this table on `condition` (over this table's alias, default `target`,
   * and the source's, default `source`; pass `{ sourceAlias }` to change it). Add clauses, then execute().
   */
  merge(source: MergeSource, condition: string, options: { readonly sourceAlias?: string } = {}): MergeBuilder {
    if (typeof condition !== 'string' || condition.trim() === '') {
      throw new ConnectOptionError(`merge into ${this.label} needs a join condition, e.g. '${this.aliasName}.id = source.id'`);
    }
    const sourceAlias = options.sourceAlias ?? 'source';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(sourceAlias)) throw new ConnectOptionError(`sourceAlias '${sourceAlias}' must be a plain identifier`);
    if (sourceAlias.toLowerCase() === this.aliasName.toLowerCase()) {
      throw new ConnectOptionError(`merge into ${this.label}: the source alias and the table alias are both '${sourceAlias}'; give one of them another name`);
    }
    const start = { tableUri: this.uri, label: this.label, targetAlias: this.aliasName, sourceAlias, condition };
    if (source instanceof ArrowTable) {
      const name = `__duckrun_merge_arrow_${++sources}`;
      const engine = this.#ctx.session.engine;
      let registered: Promise<void> | undefined;
      return new MergeBuilder(this.#ctx, {
        ...start,
        source: `SELECT * FROM ${quoteIdentifier(name)}`,
        // Registered when the MERGE runs (the engine may be busy now), dropped after it.
        prepare: async () => {
          registered ??= engine.registerArrow(name, source);
          await registered;
        },
        cleanup: async () => {
          if (registered) await engine.dropTable(name);
          registered = undefined;
        },
      });
    }
    const query = source instanceof DataFrame ? source.query : source;
    if (typeof query !== 'string' || query.trim() === '') throw new ConnectOptionError(`merge into ${this.label}: the source must be a DataFrame, a SQL query or an Arrow table`);
    return new MergeBuilder(this.#ctx, { ...start, source: query });
  }

  /** Deletes the rows matching `predicate` (SQL over the table's columns; every row when absent). */
  async delete(predicate?: string): Promise<DeleteOutcome> {
    refuseIfReadOnly(this.#ctx, `DeltaTable.delete on ${this.label}`, this.uri);
    return deleteRows(this.#ctx.session.writeContext(), { tableUri: this.uri, label: this.label, alias: this.aliasName, ...(predicate !== undefined ? { predicate } : {}) });
  }

  /**
   * Sets columns of the rows matching `predicate` (every row when undefined): `set` maps columns to SQL
   * expressions over the row, e.g. `update("status = 'new'", { status: "'open'" })`.
   */
  async update(predicate: string | undefined, set: ColumnExpressions): Promise<UpdateOutcome> {
    refuseIfReadOnly(this.#ctx, `DeltaTable.update on ${this.label}`, this.uri);
    if (set === null || typeof set !== 'object') throw new ConnectOptionError(`update of ${this.label} needs an object of column → SQL expression`);
    return updateRows(this.#ctx.session.writeContext(), {
      tableUri: this.uri,
      label: this.label,
      alias: this.aliasName,
      set: Object.entries(set).map(([k, v]) => [k, String(v)] as const),
      ...(predicate !== undefined ? { predicate } : {}),
    });
  }

  /** Commits newest first (optionally only the newest `limit`). */
  async history(limit?: number): Promise<HistoryEntry[]> {
    return (await this.#log()).history(limit === undefined ? {} : { limit });
  }

  /** The latest version. */
  async version(): Promise<number> {
    return (await this.#log()).version();
  }

  /** Deletes files no version within the retention (default 168 h) needs. */
  async vacuum(retentionHours?: number, options: Omit<VacuumOptions, 'retentionHours'> = {}): Promise<VacuumResult> {
    refuseIfReadOnly(this.#ctx, `DeltaTable.vacuum on ${this.label}`, this.uri);
    return (await this.#log()).vacuum({ ...options, ...(retentionHours !== undefined ? { retentionHours } : {}) });
  }

  /** Compacts small files (bin-packing per partition). */
  async optimize(options: CompactOptions = {}): Promise<CompactMetrics> {
    refuseIfReadOnly(this.#ctx, `DeltaTable.optimize on ${this.label}`, this.uri);
    return (await this.#log()).optimize.compact(options);
  }

  /** Makes version `version`'s rows current again, in a new commit (history is kept). */
  async restoreToVersion(version: number): Promise<RestoreResult> {
    refuseIfReadOnly(this.#ctx, `DeltaTable.restoreToVersion on ${this.label}`, this.uri);
    return (await this.#log()).restore(version);
  }

  /** Makes the rows current at `timestamp` current again. */
  async restoreToTimestamp(timestamp: string | number | Date): Promise<RestoreResult> {
    refuseIfReadOnly(this.#ctx, `DeltaTable.restoreToTimestamp on ${this.label}`, this.uri);
    return (await this.#log()).restore({ timestamp });
  }

  /** Format, location, size, partitioning, properties and protocol of the latest version. */
  async detail(): Promise<TableDetail> {
    const snap = await (await this.#log()).snapshot();
    const files = snap.addFiles();
    const features = [...(snap.protocol.readerFeatures ?? []), ...(snap.protocol.writerFeatures ?? [])];
    return {
      format: 'delta',
      id: snap.metadata.id,
      name: snap.metadata.name ?? null,
      description: snap.metadata.description ?? null,
      location: this.uri,
      createdAt: snap.metadata.createdTime ?? null,
      lastModified: snap.lastModified ?? null,
      version: snap.version,
      partitionColumns: snap.partitionColumns,
      numFiles: files.length,
      sizeInBytes: files.reduce((n, f) => n + f.size, 0),
      properties: snap.metadata.configuration,
      minReaderVersion: snap.protocol.minReaderVersion,
      minWriterVersion: snap.protocol.minWriterVersion,
      tableFeatures: [...new Set(features)].sort(),
    };
  }

  async #log(): Promise<DeltaLog> {
    return DeltaLog.open(this.uri, this.#ctx.storageOptions ? { storageOptions: this.#ctx.storageOptions } : {});
  }
}

function contextOf(conn: Connection): ConnectionContext {
  const ctx = connectionContext(conn);
  if (ctx === undefined) throw new ConnectOptionError('DeltaTable.forName/forPath take a Connection from connect()');
  return ctx;
}
