// The warehouse a run works in: one SQL session over the profile's root_path, plus the catalog of
// relations under it (Delta tables by their logs, views by their persisted definitions), answered
// lazily and memoised, and updated by the runner after each write.
import type { Table } from 'apache-arrow';
import { currentSnapshot, openSession, type QueryColumn, type SqlSession, type WriteContext } from '@duckrun/sql';
import { isDuckrunError, resolveStore, toUrl, type ObjectStore } from '@duckrun/storage';
import type { QueryResult } from '../jinja/index.js';
import { relationKey } from './relation.js';
import { expandRelations, type CatalogEntry, type ExpandOptions } from './sql-expand.js';
import { tableToQueryResult } from './query-result.js';

/** How to open a warehouse. */
export interface WarehouseOptions {
  /** profiles.yml `root_path`: a local path or a store URL. */
  readonly rootPath: string;
  readonly storageOptions?: Readonly<Record<string, string>>;
  readonly engine?: 'wasm' | 'native';
  /** The target schema: unqualified names resolve in it. */
  readonly defaultSchema: string;
}

/** Folder (under a schema folder) holding one `<name>.sql` definition per view. */
export const VIEWS_FOLDER = '_duckrun_views';

/** See the file comment. */
export class Warehouse {
  readonly session: SqlSession;
  readonly store: ObjectStore;
  /** The root as a URL (no trailing slash). */
  readonly root: string;
  readonly defaultSchema: string;
  readonly storageOptions: Readonly<Record<string, string>>;
  readonly #entries = new Map<string, Promise<CatalogEntry | undefined>>();
  readonly #locations = new Map<string, string>();

  private constructor(session: SqlSession, store: ObjectStore, options: WarehouseOptions) {
    this.session = session;
    this.store = store;
    this.root = session.root.replace(/\/+$/, '');
    this.defaultSchema = options.defaultSchema;
    this.storageOptions = options.storageOptions ?? {};
  }

  /** Opens the session and the root store. */
  static async open(options: WarehouseOptions): Promise<Warehouse> {
    const root = toUrl(options.rootPath);
    const storageOptions = options.storageOptions ?? {};
    const store = await resolveStore(root, storageOptions);
    const session = await openSession({ root, engine: options.engine ?? 'wasm', readOnly: false, storageOptions, write: { allowTimestampNtz: true } });
    return new Warehouse(session, store, options);
  }

  /** Registers a model's `location` config, so its relation name resolves there. */
  setLocation(schema: string, identifier: string, location: string): void {
    this.#locations.set(relationKey(schema, identifier), /^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//.test(location) || location.startsWith('/') ? toUrl(location) : `${this.root}/${location.replace(/^\.\//, '')}`);
  }

  /** Where the Delta table of a relation lives. */
  tableUri(schema: string, identifier: string): string {
    return this.#locations.get(relationKey(schema, identifier)) ?? `${this.root}/${encodeURIComponent(schema)}/${encodeURIComponent(identifier)}`;
  }

  /** What `schema.identifier` is now: a view, a Delta table (with its version), or nothing. */
  lookup(key: string): Promise<CatalogEntry | undefined> {
    let hit = this.#entries.get(key);
    if (hit === undefined) {
      hit = this.#probe(key);
      this.#entries.set(key, hit);
      // A failed probe is not remembered: the next lookup tries again.
      hit.catch(() => this.#entries.delete(key));
    }
    return hit;
  }

  /** Forgets what the catalog knew about a relation (after writing it). */
  forget(schema: string, identifier: string): void {
    this.#entries.delete(relationKey(schema, identifier));
  }

  /** Rewrites relation names into delta_scan calls and view subqueries. */
  expand(sql: string, options: ExpandOptions = {}): Promise<string> {
    return expandRelations(sql, (key) => this.lookup(key), this.defaultSchema, options);
  }

  /** Runs SQL (relation names resolved) and returns the last statement's Arrow table. */
  async query(sql: string, options: ExpandOptions = {}): Promise<Table> {
    return this.session.sql(await this.expand(sql, options));
  }

  /** Runs SQL for templates (run_query, statement) and hooks. */
  async queryResult(sql: string, options: ExpandOptions = {}): Promise<QueryResult> {
    return tableToQueryResult(await this.query(sql, options));
  }

  /** The columns (names and DuckDB types) a query returns; the query's relation names must be expanded already. */
  async describeExpanded(expandedSql: string): Promise<QueryColumn[]> {
    const prepared = await this.session.writeContext().prepare(expandedSql);
    try {
      const described = await this.session.engine.query(`DESCRIBE SELECT * FROM (\n${prepared.sql}\n) AS "__duckrun_describe"`);
      const names = described.getChild('column_name');
      const types = described.getChild('column_type');
      const out: QueryColumn[] = [];
      for (let i = 0; i < described.numRows; i++) out.push({ name: String(names?.get(i)), type: String(types?.get(i)) });
      return out;
    } finally {
      await prepared.release();
    }
  }

  /** The columns of a query whose relation names are not yet expanded. */
  async describe(sql: string, options: ExpandOptions = {}): Promise<QueryColumn[]> {
    return this.describeExpanded(await this.expand(sql, options));
  }

  /** Runs `expandedSql` once into DuckDB temp table `name` (so a statement can read it several times). */
  async materializeTemp(name: string, expandedSql: string): Promise<void> {
    const prepared = await this.session.writeContext().prepare(expandedSql);
    try {
      await this.session.engine.query(`CREATE OR REPLACE TEMP TABLE "${name}" AS SELECT * FROM (\n${prepared.sql}\n) AS "__duckrun_temp"`);
    } finally {
      await prepared.release();
    }
  }

  /** Drops a temp table made by materializeTemp. */
  async dropTemp(name: string): Promise<void> {
    await this.session.engine.dropTable(name).catch(() => undefined);
  }

  /** Persists a view's definition (its SQL with relation names as written) and records it. */
  async saveView(schema: string, identifier: string, sql: string): Promise<void> {
    await this.store.put(viewPath(schema, identifier), new TextEncoder().encode(sql));
    this.#entries.set(relationKey(schema, identifier), Promise.resolve({ kind: 'view', sql }));
  }

  /** Removes a persisted view, if any (a model that became a table). */
  async removeView(schema: string, identifier: string): Promise<void> {
    await this.store.delete([viewPath(schema, identifier)]);
    this.forget(schema, identifier);
  }

  /** What writers need to stream queries of this session into Delta tables. */
  writeContext(): WriteContext {
    return this.session.writeContext();
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  async #probe(key: string): Promise<CatalogEntry | undefined> {
    const dot = key.indexOf('.');
    const schema = key.slice(0, dot);
    const identifier = key.slice(dot + 1);
    try {
      const bytes = await this.store.get(viewPath(schema, identifier));
      return { kind: 'view', sql: new TextDecoder().decode(bytes) };
    } catch (e) {
      if (!isDuckrunError(e, 'STORE_NOT_FOUND')) throw e;
    }
    const uri = this.tableUri(schema, identifier);
    const snapshot = await currentSnapshot(uri, this.storageOptions);
    return snapshot === undefined ? undefined : { kind: 'table', uri, version: snapshot.version };
  }
}

/** Store key of a view definition. */
function viewPath(schema: string, identifier: string): string {
  return `${schema.toLowerCase()}/${VIEWS_FOLDER}/${identifier.toLowerCase()}.sql`;
}

