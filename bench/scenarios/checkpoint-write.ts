// Scenario (c): writing a 1,000,000-file classic checkpoint with the streaming writer, in a child
// process under a 4 GiB heap limit, to show that its memory stays bounded by a row group.

import { formatMs, mib, type BenchContext, type Scenario, type ScenarioResult } from '../harness.js';
import { generateInChild } from '../tables.js';
import { MILLION_NAME, MILLION_RECIPE } from './million.js';

const LIMIT_MIB = 4096;

/** Streaming write of a 1,000,000-file checkpoint. */
export const checkpointWrite: Scenario = {
  name: 'checkpoint-write',
  title: 'Checkpoint write: 1,000,000 files, streaming',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const report = await generateInChild(context, MILLION_NAME, MILLION_RECIPE, LIMIT_MIB);
    const rss = mib(report.maxRssBytes);
    return {
      name: this.name,
      title: this.title,
      setup: `tools/make-log-table --checkpoint-files 1000000 --commits-after 5: adds generated on the fly (Hive paths, ~250-byte JSON stats) and streamed into writeCheckpoint (row groups of 50,000 rows, snappy); the child runs with --max-old-space-size=${LIMIT_MIB}.`,
      measurements: [
        {
          label: 'generate + write 1,000,000-file checkpoint',
          samples: [report.ms],
          peakRssMiB: rss,
          note: `${mib(Number(report.checkpointBytes))} MiB parquet`,
        },
      ],
      checks: [{ target: 'checkpoint write fits in 4 GiB', measured: `${rss} MiB peak RSS`, pass: report.maxRssBytes < LIMIT_MIB * 2 ** 20 }],
      notes: [
        `Wall time ${formatMs(report.ms)} includes generating the 1,000,000 add actions; the writer encodes 10,000-row Arrow batches and parquet-wasm's transformParquetStream writes row group by row group while the store receives the bytes.`,
      ],
    };
  },
};
