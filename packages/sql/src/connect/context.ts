// What every piece of a connection (DataFrame, reader, writer, catalog) shares: the session, the root, the
// read-only flag, and the table-name → location rule.
import type { StorageOptions } from '@duckrun/storage';
import { ReadOnlySessionError } from '../errors.js';
import type { SqlSession } from '../session.js';
import { tableLocation, type TableName } from '../write/table-name.js';

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
