// Parquet workers for SQL sessions under Node (the Arrow path's encoder, delta_scan's decoder): one set per
// thread count for the whole process (idle workers do not keep it alive), so sessions share warm workers.
import { availableParallelism } from 'node:os';
import { parquetWorkers, type ParquetWorkers } from '@duckrun/delta/node';

const pools = new Map<number, ParquetWorkers>();

/** Workers encoding on `threads` threads (default: cores less one, at least 1); undefined for 0 (all in line). */
export function sessionWorkers(threads?: number): ParquetWorkers | undefined {
  const n = threads ?? Math.max(1, availableParallelism() - 1);
  if (n === 0) return undefined;
  let pool = pools.get(n);
  if (pool === undefined) pools.set(n, (pool = parquetWorkers({ threads: n })));
  return pool;
}
