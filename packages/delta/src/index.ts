// @duckrun/delta: a Delta Lake log reader (and, later, writer) in TypeScript.
export { DeltaTable, type OpenOptions, type SnapshotSelector } from './table.js';
export { Snapshot, type ScanOptions } from './snapshot.js';
export type { ScanFile } from './scan/scan.js';
export type { PartitionScalar } from './kernel/partitions/values.js';
export type * from './kernel/actions/types.js';
export type { DataType, StructField, StructType } from './kernel/schema/types.js';
export {
  DataFileError,
  DeletionVectorError,
  DeltaProtocolError,
  InvalidOptionError,
  NotADeltaTableError,
  SchemaError,
  UnsupportedFeatureError,
  VersionNotFoundError,
} from './errors.js';
