// The Arrow path's parquet encoder for SQL sessions under Node: worker threads, one pool per thread count
// for the whole process (idle workers do not keep it alive), so sessions share warm workers.
import { availableParallelism } from 'node:os';
import type { ParquetEncoder } from '@duckrun/delta';
import { parquetWorkers } from '@duckrun/delta/node';

const pools = new Map<number, ParquetEncoder>();

/** The encoder for `threads` worker threads (default: cores less one, at least 1); undefined for 0 (encode in line). */
export function sessionEncoder(threads?: number): ParquetEncoder | undefined {
  const n = threads ?? Math.max(1, availableParallelism() - 1);
  if (n === 0) return undefined;
  let pool = pools.get(n);
  if (pool === undefined) pools.set(n, (pool = parquetWorkers({ threads: n })));
  return pool;
}
