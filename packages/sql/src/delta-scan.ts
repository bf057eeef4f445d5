// delta_scan(): rewrites each call in a statement into a uniquely named DuckDB table holding the Delta
// snapshot's rows (deletion vectors applied), reading only the files that partition pruning keeps.
import { DeltaTable, type Snapshot } from '@duckrun/delta';
import type { StorageOptions } from '@duckrun/storage';
import type { Engine } from './engine/engine.js';
import { prunePartitions } from './partition-pruning.js';
import { findDeltaScanCalls, replaceRanges, type DeltaScanCall } from './sql/delta-scan-calls.js';
import { quoteIdentifier } from './sql/literals.js';
import { resolveTableUri } from './table-uri.js';

/** What one `delta_scan(...)` call read: reported to `onDeltaScan` listeners and by `--debug`. */
export interface DeltaScanReport {
  /** The URI as written in the SQL. */
  readonly uri: string;
  /** The resolved table URL. */
  readonly tableUri: string;
  /** Snapshot version read. */
  readonly version: number;
  /** Live files in the snapshot. */
  readonly filesTotal: number;
  /** Files actually read after partition pruning. */
  readonly filesRead: number;
  /** WHERE conjuncts used to prune files. */
  readonly appliedFilters: readonly string[];
  /** Candidate conjuncts that did not bind to partition columns alone. */
  readonly skippedFilters: readonly string[];
  /** Name of the DuckDB table that stood in for the call. */
  readonly tableName: string;
}

/** A statement with its delta_scan calls replaced by registered tables, to be released after running it. */
export interface PreparedStatement {
  /** The SQL to run. */
  readonly sql: string;
  /** One report per delta_scan call, in source order. */
  readonly scans: readonly DeltaScanReport[];
  /** Drops the tables registered for this statement; idempotent. */
  release(): Promise<void>;
}

/** Where and how delta_scan resolves tables. */
export interface DeltaScanContext {
  readonly engine: Engine;
  /** Session root URL against which relative table URIs resolve. */
  readonly root: string;
  readonly storageOptions?: StorageOptions;
  /** Prefix of registered table names; must be unique per session. */
  readonly namePrefix: string;
}

let counter = 0;

/** Resolves and registers every delta_scan call of `sql`; the caller runs `sql` and then `release()`s. */
export async function prepareDeltaScans(sql: string, ctx: DeltaScanContext): Promise<PreparedStatement> {
  const calls = findDeltaScanCalls(sql);
  const registered: string[] = [];
  const release = async (): Promise<void> => {
    const names = registered.splice(0);
    for (const name of names) await ctx.engine.dropTable(name);
  };
  if (calls.length === 0) return { sql, scans: [], release };
  const tables = new Map<string, Promise<DeltaTable>>();
  const snapshots = new Map<string, Promise<Snapshot>>();
  const scans: DeltaScanReport[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  try {
    for (const call of calls) {
      const tableUri = resolveTableUri(call.uri, ctx.root);
      const snapshotKey = `${tableUri}\u0000${call.version ?? ''}\u0000${call.timestamp ?? ''}`;
      let table = tables.get(tableUri);
      if (!table) {
        table = DeltaTable.open(tableUri, ctx.storageOptions ? { storageOptions: ctx.storageOptions } : {});
        tables.set(tableUri, table);
      }
      let snapshot = snapshots.get(snapshotKey);
      if (!snapshot) {
        snapshot = table.then((t) => t.snapshot(selector(call)));
        snapshots.set(snapshotKey, snapshot);
      }
      const snap = await snapshot;
      const tableName = `${ctx.namePrefix}_${++counter}`;
      const report = await registerSnapshot(ctx.engine, snap, call, tableName, tableUri);
      registered.push(tableName);
      scans.push(report);
      edits.push({ start: call.start, end: call.end, text: quoteIdentifier(tableName) });
    }
  } catch (e) {
    await release().catch(() => undefined);
    throw e;
  }
  return { sql: replaceRanges(sql, edits), scans, release };
}

async function registerSnapshot(
  engine: Engine,
  snap: Snapshot,
  call: DeltaScanCall,
  tableName: string,
  tableUri: string,
): Promise<DeltaScanReport> {
  const all = snap.files();
  const schema = snap.arrowSchema();
  const pruned = await prunePartitions(engine, {
    files: all,
    schema,
    partitionColumns: snap.partitionColumns,
    filters: call.pruningFilters,
    ...(call.alias !== undefined ? { alias: call.alias } : {}),
  });
  await engine.registerArrow(tableName, { schema, batches: snap.scan({ files: pruned.files }) });
  return {
    uri: call.uri,
    tableUri,
    version: snap.version,
    filesTotal: all.length,
    filesRead: pruned.files.length,
    appliedFilters: pruned.applied,
    skippedFilters: pruned.skipped,
    tableName,
  };
}

function selector(call: DeltaScanCall): { version?: number; timestamp?: string } {
  if (call.version !== undefined) return { version: call.version };
  if (call.timestamp !== undefined) return { timestamp: call.timestamp };
  return {};
}
