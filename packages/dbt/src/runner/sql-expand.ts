// Relation names in SQL → what DuckDB can read: a Delta table becomes `delta_scan('<uri>')` (pinned
// to a version where the node read `{{ this }}` before its hooks), a persisted view becomes its
// definition as a subquery (expanded in turn). DuckDB itself never holds these names, so every
// process sees the same relations: the Delta logs and the view files are the catalog.
import { cteNames, findTableReferences, replaceRanges } from '@duckrun/sql';
import { quoteName, relationKey, sqlString } from './relation.js';
import { ViewExpansionError } from './errors.js';

/** What a relation name stands for. */
export type CatalogEntry =
  | { readonly kind: 'table'; readonly uri: string; readonly version: number }
  | { readonly kind: 'view'; readonly sql: string };

/** Options of one expansion. */
export interface ExpandOptions {
  /** Catalog key → Delta version this statement must read (a node's pinned `{{ this }}`). */
  readonly pins?: ReadonlyMap<string, number>;
  /** Called with the key of every relation the statement reads. */
  readonly onRead?: (key: string) => void;
}

/** Resolves a catalog key (`schema.name`, lower case) to an entry, or undefined for names it does not know. */
export type CatalogLookup = (key: string) => Promise<CatalogEntry | undefined>;

const MAX_VIEW_DEPTH = 32;

/** Rewrites the relation names of `sql`; names the catalog does not know are left for DuckDB. */
export async function expandRelations(sql: string, lookup: CatalogLookup, defaultSchema: string, options: ExpandOptions = {}, depth = 0): Promise<string> {
  if (depth > MAX_VIEW_DEPTH) throw new ViewExpansionError(`views nest deeper than ${MAX_VIEW_DEPTH} levels; a view probably selects from itself`);
  const refs = findTableReferences(sql);
  if (refs.length === 0) return sql;
  const ctes = cteNames(sql);
  // The target of DELETE FROM / UPDATE is the statement's own business (the SQL layer routes it).
  const skipFirst = /^\s*(delete|update|alter|drop|truncate)\b/i.test(sql);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const [i, ref] of refs.entries()) {
    if (skipFirst && i === 0) continue;
    const parts = ref.parts;
    if (parts.length === 1 && ctes.has(parts[0]!.toLowerCase())) continue;
    if (parts.length > 3) continue;
    const name = parts[parts.length - 1]!;
    const schema = parts.length >= 2 ? parts[parts.length - 2]! : defaultSchema;
    const key = relationKey(schema, name);
    const entry = await lookup(key);
    if (entry === undefined) continue;
    options.onRead?.(key);
    const alias = ref.aliased ? '' : ` AS ${quoteName(name)}`;
    if (entry.kind === 'table') {
      const pin = options.pins?.get(key);
      edits.push({ start: ref.start, end: ref.end, text: `delta_scan(${sqlString(entry.uri)}${pin === undefined ? '' : `, version => ${pin}`})${alias}` });
    } else {
      const body = await expandRelations(entry.sql, lookup, defaultSchema, options, depth + 1);
      edits.push({ start: ref.start, end: ref.end, text: `(\n${body}\n)${alias}` });
    }
  }
  return replaceRanges(sql, edits);
}
