// The `remove` action that retires a live file (PROTOCOL.md "Add File and Remove File").

import type { AddFile, RemoveFile } from './types.js';

/**
 * The remove for `add`, with extended file metadata so readers of the tombstone (vacuum, CDF, other
 * engines) keep its size, partition values and stats. `dataChange` is false for rewrites that change no
 * data (compaction).
 */
export function removeOf(add: AddFile, deletionTimestamp: number, dataChange: boolean): RemoveFile {
  return {
    path: add.path,
    deletionTimestamp,
    dataChange,
    extendedFileMetadata: true,
    partitionValues: add.partitionValues,
    size: add.size,
    ...(add.stats != null ? { stats: add.stats } : {}),
    ...(add.tags != null ? { tags: add.tags } : {}),
    // The DV is part of the file's identity in log replay: without it the remove would not match the add.
    ...(add.deletionVector != null ? { deletionVector: add.deletionVector } : {}),
    ...(add.baseRowId != null ? { baseRowId: add.baseRowId } : {}),
    ...(add.defaultRowCommitVersion != null ? { defaultRowCommitVersion: add.defaultRowCommitVersion } : {}),
  };
}
