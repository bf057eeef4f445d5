// Inline maintenance after a write (design §5): an overwrite leaves the old files unreferenced, so
// vacuum; appends and row-level changes add files, so once a table has more than 100 live files,
// compact it and vacuum. Vacuum keeps the safe 168 h retention, so readers of older versions are safe.
import { DeltaTable } from '@duckrun/delta';
import type { NodeInfo, RunContext } from '../run-context.js';

/** Live files above which an appended table is compacted. */
export const COMPACT_THRESHOLD = 100;

/** Runs the maintenance a write of kind `kind` calls for and logs what it did; never fails the node. */
export async function maintainTable(ctx: RunContext, info: NodeInfo, kind: 'overwrite' | 'append'): Promise<void> {
  const node = ctx.summary(info.node.uniqueId);
  const log = (message: string, level: 'debug' | 'warn' = 'debug') => ctx.emit({ kind: 'log', level, message, node });
  const uri = ctx.warehouse.tableUri(info.schema, info.identifier);
  const storageOptions = ctx.warehouse.storageOptions;
  try {
    const table = await DeltaTable.open(uri, Object.keys(storageOptions).length > 0 ? { storageOptions } : {});
    if (kind === 'append') {
      const files = (await table.snapshot()).files().length;
      if (files <= COMPACT_THRESHOLD) return;
      const m = await table.optimize.compact();
      log(`maintenance ${info.relation.render()}: compacted ${m.numFilesRemoved} files into ${m.numFilesAdded} (table had ${files} live files)`);
    }
    const v = await table.vacuum({ retentionHours: 168, logToHistory: false });
    log(`maintenance ${info.relation.render()}: vacuum (168 h retention) deleted ${v.filesDeleted.length} unreferenced files`);
  } catch (e) {
    log(`maintenance of ${info.relation.render()} skipped: ${e instanceof Error ? e.message : String(e)}`, 'warn');
  } finally {
    ctx.warehouse.forget(info.schema, info.identifier);
  }
}
