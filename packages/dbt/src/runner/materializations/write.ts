// Writing a model's query into its Delta table: overwrite (a new table definition: its schema and
// partitioning replace the old ones) or append (columns matched by name, cast to the table's types),
// optionally pinned to the version the model read, with a replaceWhere window, then the catalog is
// told the relation changed.
import { currentSnapshot, planCreate, planInsert, writeQueryToDelta } from '@duckrun/sql';
import type { WriteResult } from '@duckrun/delta';
import type { NodeInfo, RunContext } from '../run-context.js';

/** How to write. */
export interface WriteSpec {
  readonly mode: 'overwrite' | 'append';
  /** Commit only if the table is still at this version (-1: must not exist). */
  readonly pinnedVersion?: number;
  /** Overwrite only the rows matching this predicate (every written row must match it). */
  readonly replaceWhere?: string;
  /** `commitInfo.operation`. */
  readonly operation: string;
}

/** Streams `expandedSql` (relation names already resolved) into the node's table. */
export async function writeModelQuery(ctx: RunContext, info: NodeInfo, expandedSql: string, spec: WriteSpec): Promise<WriteResult> {
  const w = ctx.warehouse;
  const uri = w.tableUri(info.schema, info.identifier);
  const label = info.relation.render();
  const existing = spec.mode === 'append' || spec.replaceWhere !== undefined ? await currentSnapshot(uri, w.storageOptions) : undefined;
  const fullReplace = spec.mode === 'overwrite' && spec.replaceWhere === undefined;
  try {
    return await writeQueryToDelta(expandedSql, uri, w.writeContext(), {
      what: `${info.node.resourceType} ${label} (${info.node.originalFilePath})`,
      plan: (columns, query) =>
        existing !== undefined && (spec.mode === 'append' || spec.replaceWhere !== undefined)
          ? planInsert(query, columns, { kind: 'insert', table: { parts: [info.schema, info.identifier] }, byName: true, query }, existing.schema, label)
          : planCreate(query, columns),
      writeOptions: {
        mode: spec.mode,
        operation: spec.operation,
        // Zone-less TIMESTAMP columns are what dbt-duckdb projects produce; DuckDB-WASM has no ICU to
        // work with TIMESTAMPTZ, so they stay timestamp_ntz rather than change meaning.
        allowTimestampNtz: true,
        ...(fullReplace ? { schemaMode: 'overwrite' as const, partitionBy: partitionColumns(info.config) } : {}),
        ...(existing === undefined && !fullReplace ? { partitionBy: partitionColumns(info.config) } : {}),
        ...(spec.replaceWhere !== undefined ? { replaceWhere: spec.replaceWhere } : {}),
        ...(spec.pinnedVersion !== undefined ? { pinnedVersion: spec.pinnedVersion } : {}),
        ...(Object.keys(w.storageOptions).length > 0 ? { storageOptions: w.storageOptions } : {}),
      },
    });
  } finally {
    w.forget(info.schema, info.identifier);
  }
}

/** `partition_by` as a list of column names (dbt accepts one string, a list, or `{field: …}`). */
export function partitionColumns(config: Readonly<Record<string, unknown>>): string[] {
  const p = config['partition_by'];
  if (typeof p === 'string') return p.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (Array.isArray(p)) return p.map((x) => String(x));
  if (typeof p === 'object' && p !== null && typeof (p as Record<string, unknown>)['field'] === 'string') return [(p as Record<string, string>)['field']!];
  return [];
}
