// Catalog: the tables and schemas under a connection root, found from the folder layout. A folder holding
// `_delta_log` is a table; a folder holding tables is a schema (one level: `<root>/<schema>/<table>`).
import { DeltaTable } from '@duckrun/delta';
import { isDuckrunError, resolveStore } from '@duckrun/storage';
import { activeTombstone } from '../dml/tombstone.js';
import { locateTable, type ConnectionContext } from './context.js';

const LOG = '_delta_log';

/** Lists and probes the Delta tables under the connection root. */
export class Catalog {
  readonly #ctx: ConnectionContext;

  /** Catalogs come from `Connection.catalog`. */
  constructor(ctx: ConnectionContext) {
    this.#ctx = ctx;
    Object.freeze(this);
  }

  /** Table names under the root, sorted: `orders` for `<root>/orders`, `sales.orders` for `<root>/sales/orders`; optionally of one schema. */
  async listTables(schema?: string): Promise<string[]> {
    const tables = await this.#live(await this.#scan());
    return schema === undefined ? tables : tables.filter((t) => t.startsWith(`${schema}.`) && t.split('.').length === 2);
  }

  /** Schema names: folders directly under the root that hold tables. */
  async listSchemas(): Promise<string[]> {
    const schemas = new Set((await this.#live(await this.#scan())).filter((t) => t.includes('.')).map((t) => t.split('.')[0]!));
    return [...schemas].sort();
  }

  /** Whether a Delta table named `name` (`orders` or `schema.orders`) exists under the root. */
  async tableExists(name: string): Promise<boolean> {
    const { uri } = locateTable(this.#ctx, name);
    try {
      const table = await DeltaTable.open(uri, this.#ctx.storageOptions ? { storageOptions: this.#ctx.storageOptions } : {});
      return (await activeTombstone(table.store)) === undefined;
    } catch (e) {
      if (isDuckrunError(e, 'DELTA_NOT_A_TABLE')) return false;
      throw e;
    }
  }

  /** The tables of `names` that are not dropped (DROP TABLE leaves the folder and a tombstone). */
  async #live(names: string[]): Promise<string[]> {
    const dropped = await Promise.all(
      names.map(async (name) => (await activeTombstone(await resolveStore(locateTable(this.#ctx, name).uri, this.#ctx.storageOptions ?? {}))) !== undefined),
    );
    return names.filter((_, i) => !dropped[i]);
  }

  /**
   * One listing of the root, skipping the inside of each table once found (the listing is in key order,
   * so a start-after key past `<table>/` jumps over its data files and log).
   */
  async #scan(): Promise<string[]> {
    const store = await resolveStore(this.#ctx.root, this.#ctx.storageOptions ?? {});
    const found: string[] = [];
    let startAfter: string | undefined;
    for (;;) {
      let next: string | undefined;
      for await (const object of store.list('', startAfter !== undefined ? { startAfter } : {})) {
        const parts = object.path.split('/');
        const at = parts.indexOf(LOG);
        if (at !== 1 && at !== 2) continue; // a table is a folder at depth one or two
        const folders = parts.slice(0, at);
        found.push(folders.join('.'));
        next = `${folders.join('/')}/\u{10FFFF}`;
        break;
      }
      if (next === undefined) break;
      startAfter = next;
    }
    return found.sort();
  }
}
