// What every piece of a connection (DataFrame, reader, writer, catalog) shares: the session, the root, the
// read-only flag, and the table-name → location rule.
import type { StorageOptions } from '@duckrun/storage';
import { ReadOnlySessionError } from '../errors.js';
import type { SqlSession } from '../session.js';
import { DeltaTable } from '@duckrun/delta';
import { isDuckrunError } from '@duckrun/storage';
import { schemaFolderCandidates, tableLocation, type TableName } from '../write/table-name.js';

/** Internal state of a connection, handed to the objects it creates. */
export interface ConnectionContext {
  readonly session: SqlSession;
  /** The root URL table names resolve under (no trailing slash). */
  readonly root: string;
  readonly readOnly: boolean;
  readonly storageOptions?: StorageOptions;
  /** Where DataFrame.show() prints. */
  readonly print: (text: string) => void;
}

/** A table named in the connect() API, with its location under the root. */
export interface LocatedTable {
  readonly name: TableName;
  /** The name as given, for messages. */
  readonly text: string;
  readonly uri: string;
}

/** `name` (`orders` or `schema.orders`) → its folder under the root: `<root>/orders`, `<root>/schema/orders`. */
export function locateTable(ctx: ConnectionContext, name: string): LocatedTable {
  const parsed: TableName = { parts: name.split('.') };
  return { name: parsed, text: name, uri: tableLocation(parsed, ctx.root) };
}

/**
 * The location of an existing table `name`: `<root>/…` as {@link locateTable} says, or — for `schema.name`
 * when nothing is there and the root is a schema folder — the sibling schema folder `<root>/../schema/name`.
 */
export async function locateExistingTable(ctx: ConnectionContext, name: string): Promise<LocatedTable> {
  const primary = locateTable(ctx, name);
  if (await isTableAt(primary.uri, ctx)) return primary;
  for (const uri of schemaFolderCandidates(primary.name, ctx.root)) if (await isTableAt(uri, ctx)) return { ...primary, uri };
  return primary;
}

async function isTableAt(uri: string, ctx: ConnectionContext): Promise<boolean> {
  try {
    await DeltaTable.open(uri, ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {});
    return true;
  } catch (e) {
    if (isDuckrunError(e, 'DELTA_NOT_A_TABLE')) return false;
    throw e;
  }
}

/** Throws ReadOnlySessionError naming `operation` and `target` when the connection is read-only. */
export function refuseIfReadOnly(ctx: ConnectionContext, operation: string, target: string): void {
  if (!ctx.readOnly) return;
  throw new ReadOnlySessionError(
    `${operation} would write the Delta table ${target}, but this connection is read-only; pass { readOnly: false } to connect() to write tables`,
  );
}

const contexts = new WeakMap<object, ConnectionContext>();

/** Records the context behind a connection, for API objects that take the connection (DeltaTable.forName). */
export function registerConnection(connection: object, ctx: ConnectionContext): void {
  contexts.set(connection, ctx);
}

/** The context behind a connection made by connect(), or undefined for anything else. */
export function connectionContext(connection: object): ConnectionContext | undefined {
  return contexts.get(connection);
}
