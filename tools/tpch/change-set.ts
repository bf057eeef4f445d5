// Change sets for merge benchmarks: a deterministic sample of existing lineitem keys with changed values, plus
// rows of new orders whose keys fill dbgen's key gaps (as TPC-H's refresh functions do), so new keys fall
// inside existing files' key ranges and min/max stats alone cannot rule them out.

import type { RecordBatch } from './arrow.js';
import { DEFAULT_BATCH_ROWS, LineitemBatchBuilder } from './batches.js';
import { Prng, mixSeed } from './prng.js';
import { changedRow, newOrderLines, orderLines, type LineitemRow, type RowSpace } from './rows.js';
import { KEYS_USED_PER_BLOCK, TpchOptionError, checkScale, gapOrderKey, orderCount } from './spec.js';

/** Options of {@link lineitemChangeSet}. */
export interface ChangeSetOptions {
  /** Scale factor and seed of the base data the keys are sampled from. */
  readonly scale: number;
  readonly seed?: number;
  /** Seed of the sample and of the changed and new values; different seeds give different change sets. */
  readonly changeSeed: number;
  /** Size of the change set as a fraction of the base rows (0.01 → ~1%), counted as 4 lines per order. */
  readonly fraction: number;
  /** Share of the change set's rows that have new keys (0 – 1); the rest update existing keys. Default 0. */
  readonly newShare?: number;
  /** Gap slot (1–24) new keys go into; change sets applied to one table need distinct generations. Default 1. */
  readonly generation?: number;
  /** Orders of the base data the sample is drawn from (default: all orders of `scale`). */
  readonly baseOrders?: number;
  /** Rows per batch of {@link ChangeSet.batches}. Default 65,536. */
  readonly batchRows?: number;
}

/** A change set: updated rows of existing keys, then rows with new keys; every key appears once. */
export interface ChangeSet {
  /** Rows that update an existing key (only values change; keys and dates stay). */
  readonly updates: number;
  /** Rows with a key the base data does not hold. */
  readonly inserts: number;
  /** The change set's rows: updates in key order, then inserts in key order. */
  rows(): Generator<LineitemRow>;
  /** The base data's rows for the updated keys, in the same order (what the updates replace). */
  originalRows(): Generator<LineitemRow>;
  /** {@link ChangeSet.rows} as Arrow record batches of the lineitem schema. */
  batches(): AsyncGenerator<RecordBatch>;
}

/** Builds the change set `options` describe; the same options always give the same rows. */
export function lineitemChangeSet(options: ChangeSetOptions): ChangeSet {
  checkScale(options.scale);
  const space: RowSpace = { scale: options.scale, seed: options.seed ?? 1 };
  const baseOrders = options.baseOrders ?? orderCount(options.scale);
  const newShare = options.newShare ?? 0;
  const generation = options.generation ?? 1;
  if (!(options.fraction >= 0 && options.fraction <= 1)) throw new TpchOptionError(`fraction is ${options.fraction}; use a number from 0 to 1 (0.01 for 1%)`);
  if (!(newShare >= 0 && newShare <= 1)) throw new TpchOptionError(`newShare is ${newShare}; use a number from 0 to 1 (0.2 for 20% new keys)`);
  gapOrderKey(0, generation); // validates the generation before any work
  const target = Math.round(options.fraction * baseOrders * 4);
  const insertTarget = Math.round(target * newShare);
  const updateTarget = target - insertTarget;
  // Sampling stops being cheap long before it could exhaust the keys; half the expected keys is plenty for a merge benchmark.
  if (updateTarget > baseOrders * 2) {
    throw new TpchOptionError(`a change set of ${updateTarget} updated rows samples more than half of the ~${baseOrders * 4} existing rows; use a smaller fraction or newShare closer to 1`);
  }
  const prng = new Prng(mixSeed(space.seed, 0x63686e67, options.changeSeed));
  const updated = sampleKeys(space, prng, baseOrders, updateTarget);
  const newOrders = sampleNewOrders(space, prng, baseOrders, insertTarget, generation, options.changeSeed);
  const inserts = newOrders.reduce((n, o) => n + o.lines, 0);
  const stream = [0x75706474, options.changeSeed];

  function* originalRows(): Generator<LineitemRow> {
    let cachedIndex = -1;
    let cached: LineitemRow[] = [];
    for (const key of updated) {
      if (key.index !== cachedIndex) {
        cached = orderLines(space, key.index);
        cachedIndex = key.index;
      }
      yield cached[key.line - 1]!;
    }
  }
  function* rows(): Generator<LineitemRow> {
    for (const row of originalRows()) yield changedRow(space, row, stream);
    for (const order of newOrders) yield* newOrderLines(space, order.orderkey, order.stream).slice(0, order.lines);
  }
  return {
    updates: updated.length,
    inserts,
    rows,
    originalRows,
    async *batches() {
      const builder = new LineitemBatchBuilder(options.batchRows ?? DEFAULT_BATCH_ROWS);
      for (const row of rows()) {
        builder.add(row);
        if (builder.full) yield builder.flush();
      }
      if (builder.length > 0) yield builder.flush();
    },
  };
}

interface SampledKey {
  readonly index: number;
  readonly line: number;
}

/** `count` distinct (order, line) keys of the base data, sorted by key. */
function sampleKeys(space: RowSpace, prng: Prng, baseOrders: number, count: number): SampledKey[] {
  const seen = new Set<number>();
  const keys: SampledKey[] = [];
  while (keys.length < count) {
    const index = prng.int(0, baseOrders - 1);
    const line = prng.int(1, lineCount(space, index));
    const id = index * 8 + line;
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push({ index, line });
  }
  // Order indexes grow with order keys, so this is key order.
  return keys.sort((a, b) => a.index - b.index || a.line - b.line);
}

interface NewOrder {
  readonly orderkey: number;
  readonly lines: number;
  readonly stream: readonly number[];
}

/** New orders in gap slot `generation` of distinct key blocks, with `rows` lines in all (the last order may be cut short). */
function sampleNewOrders(space: RowSpace, prng: Prng, baseOrders: number, rows: number, generation: number, changeSeed: number): NewOrder[] {
  const blocks = Math.ceil(baseOrders / KEYS_USED_PER_BLOCK);
  const orders: NewOrder[] = [];
  const used = new Set<number>();
  let total = 0;
  while (total < rows) {
    if (used.size >= blocks) {
      throw new TpchOptionError(`${rows} new rows need more than the ${blocks} key blocks of the base data (one new order per block and generation); use a smaller fraction or newShare`);
    }
    const block = prng.int(0, blocks - 1);
    if (used.has(block)) continue;
    used.add(block);
    const orderkey = gapOrderKey(block, generation);
    const stream = [0x6e657721, generation, changeSeed, block];
    const lines = Math.min(newOrderLines(space, orderkey, stream).length, rows - total);
    orders.push({ orderkey, lines, stream });
    total += lines;
  }
  return orders.sort((a, b) => a.orderkey - b.orderkey);
}

function lineCount(space: RowSpace, index: number): number {
  return orderLines(space, index).length;
}
