// @duckrun/sql: DuckDB SQL over Delta tables (delta_scan), the engine interface, and result rendering.
export type { ArrowSource, Engine, EngineCapabilities, ResultStream } from './engine/engine.js';
export { openWasmEngine, WasmEngine, type WasmBundles, type WasmEngineOptions } from './engine/wasm.js';
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
  OutputFormatError,
  QueryError,
} from './errors.js';
