// SQL fragments of DML statements (WHERE predicates, SET expressions, MERGE conditions) may read other
// tables: their delta_scan calls and bare Delta table names are resolved once, before the per-file loop.
import type { WriteContext } from '../write/execute.js';
import { resolveBareTables } from '../write/execute.js';
import { QueryError } from '../errors.js';

/** A prepared fragment (undefined when none was given) and the release of the tables it registered. */
export interface PreparedFragment {
  readonly sql: string | undefined;
  release(): Promise<void>;
}

/** Resolves the tables `text` reads; `what` prefixes DuckDB's messages. */
export async function preparePredicate(ctx: WriteContext, text: string | undefined, what: string): Promise<PreparedFragment> {
  if (text === undefined || text.trim() === '') return { sql: undefined, release: async () => undefined };
  try {
    const prepared = await ctx.prepare(await resolveBareTables(text, ctx));
    return { sql: prepared.sql, release: () => prepared.release() };
  } catch (e) {
    if (e instanceof QueryError) throw new QueryError(`${what}: ${e.detail}`, { cause: e });
    throw e;
  }
}
