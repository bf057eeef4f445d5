// TPC-H lineitem generator: deterministic Arrow batches, plain rows, checksums and merge change sets.
export { LINEITEM_SCHEMA, DEFAULT_BATCH_ROWS, LineitemBatchBuilder, lineitemBatches, lineitemRows, orderRange, type LineitemOptions } from './batches.js';
export { lineitemChangeSet, type ChangeSet, type ChangeSetOptions } from './change-set.js';
export { EMPTY_CHECKSUM, addChecksums, checksumRows, checksumText, sameChecksum, type LineitemChecksum } from './checksum.js';
export { orderLines, type LineitemRow, type RowSpace } from './rows.js';
export {
  CURRENT_DATE,
  END_DATE,
  GAP_GENERATIONS,
  ORDERS_PER_SF,
  SHIP_INSTRUCTIONS,
  SHIP_MODES,
  START_DATE,
  TpchOptionError,
  gapOrderKey,
  orderCount,
  orderKeyOf,
} from './spec.js';
