// The tables and views that live in DuckDB itself (temp tables, views, delta_scan stand-ins): a statement
// naming one of them is DuckDB's business, not a Delta table's.
import type { Engine } from '../engine/engine.js';

/** Lower-case names of the engine's tables and user views; the engine must be idle (not streaming). */
export async function duckdbTableNames(engine: Engine): Promise<Set<string>> {
  const catalog = await engine.query(
    'SELECT lower(table_name) AS name FROM duckdb_tables() UNION ALL SELECT lower(view_name) FROM duckdb_views() WHERE NOT internal',
  );
  return new Set((catalog.getChild('name')?.toArray() ?? []) as string[]);
}
