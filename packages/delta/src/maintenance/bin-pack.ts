// Compaction planning: which files of a partition to rewrite together. Pure, no IO.

import type { ScanFile } from '../scan/scan.js';

/** Files of one partition to be rewritten as one file. */
export interface Bin {
  /** The raw `partitionValues` of the bin's files (all equal). */
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly files: readonly ScanFile[];
  /** Sum of the files' sizes in bytes. */
  readonly bytes: number;
}

/** The plan: the bins to rewrite and how many candidate files were left alone. */
export interface CompactionPlan {
  readonly bins: readonly Bin[];
  /** Files that were candidates (small or with deletion vectors). */
  readonly considered: number;
  /** Candidates left as they are (single small file without a deletion vector in its bin). */
  readonly skipped: number;
}

/**
 * Bin-packs, per partition, the files smaller than `targetSize` plus every file carrying a deletion
 * vector (rewriting purges its deleted rows). Files go smallest first into the current bin until it
 * would exceed `targetSize`. A bin of one file without a deletion vector would be rewritten as itself,
 * so it is dropped: running compaction twice does nothing the second time.
 */
export function planCompaction(files: readonly ScanFile[], targetSize: number): CompactionPlan {
  const byPartition = new Map<string, ScanFile[]>();
  let considered = 0;
  for (const f of files) {
    if (f.size >= targetSize && !f.add.deletionVector) continue;
    considered++;
    const key = partitionKey(f.add.partitionValues);
    let group = byPartition.get(key);
    if (!group) byPartition.set(key, (group = []));
    group.push(f);
  }
  const bins: Bin[] = [];
  let kept = 0;
  for (const group of byPartition.values()) {
    // Path as tie-break keeps the plan deterministic for equal sizes.
    group.sort((a, b) => a.size - b.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let current: ScanFile[] = [];
    let bytes = 0;
    const close = (): void => {
      if (current.length > 1 || (current.length === 1 && current[0]!.add.deletionVector)) {
        bins.push({ partitionValues: current[0]!.add.partitionValues, files: current, bytes });
        kept += current.length;
      }
      current = [];
      bytes = 0;
    };
    for (const f of group) {
      if (current.length > 0 && bytes + f.size > targetSize) close();
      current.push(f);
      bytes += f.size;
    }
    close();
  }
  return { bins, considered, skipped: considered - kept };
}

/** A stable identity of a raw partition-values map (key order does not matter; '' and null are both null). */
export function partitionKey(values: Readonly<Record<string, string | null>>): string {
  return JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k] === '' ? null : (values[k] ?? null)]));
}
