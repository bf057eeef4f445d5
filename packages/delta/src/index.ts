// @duckrun/delta: a Delta Lake log reader and writer in TypeScript.
export { DeltaTable, type OpenOptions, type SnapshotSelector } from './table.js';
export { Snapshot, type ScanOptions } from './snapshot.js';
export {
  writeDeltaTable,
  createDeltaTable,
  type CreateOptions,
  type SchemaMode,
  type WriteMode,
  type WriteOptions,
  type WriteResult,
} from './write/write-table.js';
export type { WriteData, SchemaAndBatches } from './write/input.js';
export type { DataFileStrategy, DataFileRequest, DataFileOutcome, DataFilesReport, StrategyDataFile } from './write/data-file-strategy.js';
export type { DataFileCompression } from './write/file-writer.js';
export { estimateBatchBytes } from './write/byte-size.js';
export { inlineEncoder, type ParquetEncoder, type EncoderSession, type EncodeOptions } from './parquet/encoder.js';
export { inlineDecoder, type ParquetDecoder } from './parquet/decoder.js';
export type { ParquetReadOptions } from './parquet/read.js';
export type { CommitOptions, BackoffOptions } from './commit/commit-loop.js';
export type { PostCommitReport } from './commit/post-commit.js';
export { CommitConflictError } from './commit/errors.js';
export type { HistoryEntry, HistoryOptions } from './maintenance/history.js';
export type { VacuumOptions, VacuumResult } from './maintenance/vacuum.js';
export type { CompactMetrics, CompactOptions, FileSizeMetrics, PartitionFilter, PartitionFilterValue } from './maintenance/optimize.js';
export type { RestoreOptions, RestoreResult } from './maintenance/restore.js';
export type { TableCheckpointOptions } from './checkpoint/table-checkpoint.js';
export type { CheckpointInfo } from './checkpoint/write.js';
export type { ScanFile } from './scan/scan.js';
export type { PartitionScalar } from './kernel/partitions/values.js';
export type * from './kernel/actions/types.js';
export type { DataType, StructField, StructType } from './kernel/schema/types.js';
export { fieldId, physicalName, type ColumnMappingMode } from './kernel/features/column-mapping.js';
export {
  AppendOnlyError,
  DataFileError,
  DeletionVectorError,
  DeltaProtocolError,
  InvalidOptionError,
  NotADeltaTableError,
  RestoreFilesMissingError,
  SchemaError,
  TableExistsError,
  UnsupportedFeatureError,
  VacuumRetentionError,
  VersionNotFoundError,
} from './errors.js';
export { rewriteFiles, rewriteWriter, type FileRewrite, type RewriteOptions, type RewriteResult, type RewriteWriter } from './write/rewrite.js';
export { addColumns, type AddColumnsResult } from './write/add-columns.js';
export type { TransactionOptions } from './commit/transaction.js';
export { setTableProperties, type SetPropertiesOptions } from './write/properties.js';
export { toArrowSchema } from './kernel/schema/arrow.js';
