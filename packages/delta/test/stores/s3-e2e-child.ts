// One writer process of the S3 end-to-end test, run as
//   node --conditions=source --import tsx s3-e2e-child.ts '<json>'
// with json = {url, storageOptions, firstId, rows, writer}. It opens the table's S3 store, prints
// {"ready":true}, and on a "go" line appends its rows. Just before its first commit attempt it prints
// {"gate":"commit"} and waits for a "release" line, so the parent can release two writers onto the same
// version at once. It ends with {"committed":version,"attempts":n} (or {"error":message}) and exits.

import { resolveStore, type ObjectStore } from '@duckrun/storage';
import { writeDeltaTable } from '../../src/index.js';
import { parquetWasm } from '../../src/parquet/wasm.js';
import { rowsFor } from '../support/rows.js';
import { stdinLines } from '../support/stdin-lines.js';

interface Args {
  url: string;
  storageOptions: Record<string, string>;
  firstId: number;
  rows: number;
  writer: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const out = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

const nextLine = stdinLines();

async function expectLine(expected: string): Promise<void> {
  const line = await nextLine();
  if (line !== expected) throw new Error(`expected "${expected}", got "${line}"`);
}

/** The S3 store, pausing before the first commit attempt until the parent releases it. */
function gated(store: ObjectStore): ObjectStore {
  const wrapper = Object.create(store) as ObjectStore;
  let opened = false;
  wrapper.putIfAbsent = async (path, data) => {
    if (!opened && /^_delta_log\/\d{20}\.json$/.test(path)) {
      opened = true;
      out({ gate: 'commit', path });
      await expectLine('release');
    }
    return store.putIfAbsent(path, data);
  };
  return wrapper;
}

try {
  const store = gated(await resolveStore(args.url, args.storageOptions));
  await parquetWasm();
  out({ ready: true, pid: process.pid });
  await expectLine('go');
  const r = await writeDeltaTable(args.url, rowsFor(args.firstId, args.rows, args.writer), {
    mode: 'append',
    store,
    commit: { maxRetries: 20, backoff: { initialMs: 5, maxMs: 100 } },
  });
  out({ committed: r.version, attempts: r.attempts, rows: r.rowsWritten });
} catch (e) {
  out({ error: (e as Error)?.stack ?? String(e) });
}
process.exit(0);
