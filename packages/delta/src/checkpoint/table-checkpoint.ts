// Checkpointing a table at a version: its reconciled state plus the tombstones still inside
// `delta.deletedFileRetentionDuration`, written as a classic parquet checkpoint (PROTOCOL.md "Checkpoints").

import { UnsupportedFeatureError } from '../errors.js';
import type { RemoveFile } from '../kernel/actions/types.js';
import { deletedFileRetentionMs } from '../kernel/config/table-properties.js';
import { writerFeaturesOf } from '../kernel/features/ensure.js';
import { featureInfo } from '../kernel/features/registry.js';
import type { Snapshot } from '../snapshot.js';
import type { DeltaTable } from '../table.js';
import { writeCheckpoint, type CheckpointInfo } from './write.js';

/** Options of {@link checkpointTable}. */
export interface TableCheckpointOptions {
  /** The version to checkpoint (default the latest). */
  readonly version?: number;
  /** Epoch ms "now", deciding which tombstones have expired (default Date.now()). */
  readonly now?: number;
}

/**
 * Writes a classic checkpoint of `table` at the latest (or given) version, then `_last_checkpoint`.
 * Refuses tables with the `v2Checkpoint` feature or writer features duckrun does not know.
 */
export async function checkpointTable(table: DeltaTable, options: TableCheckpointOptions = {}): Promise<CheckpointInfo> {
  const snapshot = await table.snapshot(options.version !== undefined ? { version: options.version } : {});
  return checkpointSnapshot(table, snapshot, options.now ?? Date.now());
}

/** True when a classic checkpoint written by duckrun would be wrong for a table with this protocol. */
export function needsV2Checkpoint(snapshot: Pick<Snapshot, 'protocol'>): boolean {
  return writerFeaturesOf(snapshot.protocol).includes('v2Checkpoint');
}

async function checkpointSnapshot(table: DeltaTable, snapshot: Snapshot, now: number): Promise<CheckpointInfo> {
  if (needsV2Checkpoint(snapshot)) {
    // PROTOCOL.md "V2 Checkpoint Table Feature": every checkpoint of such a table, classic-named or not,
    // must carry a checkpointMetadata action, which the classic writer does not produce.
    throw new UnsupportedFeatureError(
      `cannot checkpoint ${table.uri}: it uses the v2Checkpoint feature and duckrun writes only classic checkpoints; the table stays readable without one, or checkpoint it with an engine that writes v2 checkpoints`,
    );
  }
  for (const name of writerFeaturesOf(snapshot.protocol)) {
    // An unknown feature may add action fields our replay drops; a checkpoint would silently lose them.
    if (!featureInfo(name)) {
      throw new UnsupportedFeatureError(
        `cannot checkpoint ${table.uri}: it uses writer feature \`${name}\`, which duckrun does not know, so a checkpoint could lose its data; checkpoint it with an engine that supports it`,
      );
    }
  }
  const cutoff = now - deletedFileRetentionMs(table.uri, snapshot.metadata.configuration);
  return writeCheckpoint(
    table.store,
    snapshot.version,
    {
      protocol: snapshot.protocol,
      metadata: snapshot.metadata,
      files: snapshot.addFiles(),
      txns: snapshot.txns.values(),
      domains: snapshot.domainMetadata.values(),
      removes: unexpired(snapshot.tombstones(), cutoff),
    },
    { table: table.uri, partitionValuesParsed: true },
  );
}

function* unexpired(tombstones: Iterable<RemoveFile>, cutoff: number): Iterable<RemoveFile> {
  // Delta reads a missing deletionTimestamp as 0, i.e. long expired.
  for (const t of tombstones) if ((t.deletionTimestamp ?? 0) > cutoff) yield t;
}
