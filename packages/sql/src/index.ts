// @duckrun/sql: DuckDB SQL over Delta tables (delta_scan), writes of Delta tables from SQL, the engine interface, and result rendering.
export type { ArrowSource, Engine, EngineCapabilities, ResultStream } from './engine/engine.js';
export { openWasmEngine, WasmEngine, type WasmBundles, type WasmEngineOptions } from './engine/wasm.js';
export { openNativeEngine, NativeEngine, type NativeEngineOptions } from './engine/native.js';
export { openEngine, ENGINE_KINDS, type EngineKind } from './engine/open-engine.js';
export { openSession, SqlSession, type SessionOptions } from './session.js';
export { prepareDeltaScans, type DeltaScanContext, type DeltaScanReport, type PreparedStatement } from './delta-scan.js';
export { findDeltaScanCalls, replaceRanges, type DeltaScanCall } from './sql/delta-scan-calls.js';
export { tokenize, type Token, type TokenKind } from './sql/tokenize.js';
export { readCell, decimalText, type Cell } from './render/cells.js';
export { cellText } from './render/text.js';
export { renderTextTable } from './render/table-text.js';
export { csvHeader, csvLines, renderCsv } from './render/csv.js';
export { cellJson, jsonRows, renderJson } from './render/json.js';
export { writeParquetBytes, type ParquetWriteOptions } from './io/parquet.js';
export {
  DeltaScanArgumentError,
  EngineBusyError,
  EngineClosedError,
  EngineStartError,
  NativeEngineUnavailableError,
  OutputFormatError,
  QueryError,
  ColumnMismatchError,
  ConnectOptionError,
  UnsupportedOperationError,
  ColumnTypeError,
  ReadOnlySessionError,
  TableExistsError,
  TableNameError,
  TableNotFoundError,
  WriteStatementError,
} from './errors.js';
export {
  parseWriteStatement,
  describeWriteStatement,
  type WriteStatement,
  type CreateTableAs,
  type InsertInto,
} from './write/statement.js';
export { tableLocation, tableNameText, type TableName } from './write/table-name.js';
export { executeWriteStatement, writeQueryToDelta, resolveBareTables, currentSnapshot, type QueryWrite, type WriteContext, type WriteOutcome, type WriteStatementOptions } from './write/execute.js';
export { planCreate, planInsert, describeSql, type QueryColumn, type SelectPlan } from './write/select-plan.js';
export { findTableReferences, cteNames, type TableReference } from './write/table-references.js';
export { connect, Connection, type ConnectOptions } from './connect/connect.js';
export { DataFrame } from './connect/data-frame.js';
export { DataFrameReader, type ReadFormat, type ReaderOptions } from './connect/data-frame-reader.js';
export { DataFrameWriter, type SaveMode, type WriterOptions } from './connect/data-frame-writer.js';
export { Catalog } from './connect/catalog.js';
export type { Row } from './connect/rows.js';
export { DeltaTable, type MergeSource, type TableDetail } from './connect/delta-table.js';
export { MergeBuilder, type ColumnExpressions } from './connect/merge-builder.js';
export { mergeInto, type MergeSpec, type MergeOutcome, type MatchedClause, type NotMatchedClause, type NotMatchedBySourceClause, type Assignments } from './dml/merge.js';
export { deleteRows, type DeleteOutcome, type DeleteSpec } from './dml/delete.js';
export { updateRows, type UpdateOutcome, type UpdateSpec } from './dml/update.js';
export { MergeCardinalityError, MergeClauseError } from './errors.js';
export type { DmlStatement, UpdateStatement, DeleteStatement, AddColumnStatement, DropStatement, CreateEmptyStatement } from './write/dml-statement.js';
export { ArrowBatchReader } from './connect/batch-reader.js';
