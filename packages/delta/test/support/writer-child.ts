// A writer process for the multi-process stress and crash tests, run as
//   node --conditions=source --import tsx writer-child.ts
// It loads everything, prints {"ready":true}, then runs JSON commands read from stdin one at a time and
// answers with JSON events on stdout (each tagged with the command's `seq`):
//   {"cmd":"append","dir","firstId","count","rowsEach","writer"}
//        `count` appends of `rowsEach` rows with ids from firstId up → {"committed":v,"attempts":n} each, then {"done":true}
//   {"cmd":"write","dir","mode":"append"|"overwrite","firstId","rows","writer","gate"?:true}
//        one write → {"committed":v,...} or {"conflict":{winningVersion,winningOperation,reason,retries}}, then {"done":true}.
//        With gate, it prints {"gate":"commit"} just before its first commit attempt and waits for a
//        {"release":true} line, so the parent can let a competing writer commit in between.
//   {"cmd":"loop","dir","firstId","seed"}
//        appends (and some overwrites) until killed; before each write {"pending":{mode,firstId,rows}},
//        after it {"committed":v,mode,firstId,rows,checkpoint}.
// `append` and `write` also take "storageOptions":{…}: `dir` is then a store URL (e.g. az://…) opened
// with those options, and a gated write gates that store instead of a LocalStore.

import { isDuckrunError, resolveStore, type ObjectStore } from '@duckrun/storage';
import { LocalStore } from '@duckrun/storage/local';
import { writeDeltaTable, type WriteOptions } from '../../src/index.js';
import { parquetWasm } from '../../src/parquet/wasm.js';
import { seededRandom } from './random.js';
import { rowsFor } from './rows.js';
import { stdinLines } from './stdin-lines.js';

let seq = -1;
const out = (event: object): void => void process.stdout.write(`${JSON.stringify({ seq, ...event })}\n`);

const nextLine = stdinLines();

const commitOptions: WriteOptions['commit'] = { maxRetries: 200, backoff: { initialMs: 2, maxMs: 50 } };

/** The table's store (a LocalStore unless `base` is given), pausing before its first commit attempt until the parent releases it. */
function gatedStore(dir: string, base: ObjectStore = new LocalStore(dir)): ObjectStore {
  const store = base;
  const gated = Object.create(store) as ObjectStore;
  let opened = false;
  gated.putIfAbsent = async (path, data) => {
    if (!opened && /^_delta_log\/\d{20}\.json$/.test(path)) {
      opened = true;
      out({ gate: 'commit', path });
      const line = await nextLine();
      if (!(JSON.parse(line) as { release?: boolean }).release) throw new Error(`expected a release line, got ${line}`);
    }
    return store.putIfAbsent(path, data);
  };
  return gated;
}

interface Command {
  cmd: string;
  dir: string;
  firstId: number;
  count?: number;
  rowsEach?: number;
  rows?: number;
  writer?: number;
  mode?: 'append' | 'overwrite';
  gate?: boolean;
  seed?: number;
  storageOptions?: Record<string, string>;
}

/** The store options of a command, spread into writeDeltaTable's options (nothing for local dirs). */
const withStorage = (c: Command): { storageOptions?: Record<string, string> } => (c.storageOptions ? { storageOptions: c.storageOptions } : {});

async function run(c: Command): Promise<void> {
  switch (c.cmd) {
    case 'append':
      for (let k = 0; k < c.count!; k++) {
        const r = await writeDeltaTable(c.dir, rowsFor(c.firstId + k * c.rowsEach!, c.rowsEach!, c.writer!), { mode: 'append', commit: commitOptions, ...withStorage(c) });
        out({ committed: r.version, attempts: r.attempts, rows: r.rowsWritten });
      }
      return;
    case 'write':
      try {
        const r = await writeDeltaTable(c.dir, rowsFor(c.firstId, c.rows!, c.writer!), {
          mode: c.mode!,
          commit: commitOptions,
          ...withStorage(c),
          ...(c.gate ? { store: gatedStore(c.dir, c.storageOptions ? await resolveStore(c.dir, c.storageOptions) : undefined) } : {}),
        });
        out({ committed: r.version, attempts: r.attempts, filesRemoved: r.filesRemoved, filesAdded: r.filesAdded });
      } catch (e) {
        if (!isDuckrunError(e, 'DELTA_COMMIT_CONFLICT')) throw e;
        const x = e as unknown as { winningVersion: number; winningOperation: string; reason: string; retries: number; message: string };
        out({ conflict: { winningVersion: x.winningVersion, winningOperation: x.winningOperation, reason: x.reason, retries: x.retries, message: x.message } });
      }
      return;
    case 'loop': {
      const rnd = seededRandom(c.seed!);
      let next = c.firstId;
      for (;;) {
        const mode = rnd() < 0.2 ? 'overwrite' : 'append';
        const rows = 1 + Math.floor(rnd() * 40);
        const small = rnd() < 0.3;
        out({ pending: { mode, firstId: next, rows } });
        const r = await writeDeltaTable(c.dir, rowsFor(next, rows, 0), { mode, commit: commitOptions, ...(small ? { targetFileSize: 256 } : {}) });
        out({ committed: r.version, mode, firstId: next, rows, checkpoint: r.postCommit.checkpoint !== undefined, checkpointError: r.postCommit.checkpointError?.message });
        next += rows;
      }
    }
    default:
      throw new Error(`unknown command ${c.cmd}`);
  }
}

// Compile the parquet WebAssembly module before reporting ready, so that it is not part of the first write.
await parquetWasm();
out({ ready: true, pid: process.pid });
for (;;) {
  const line = await nextLine();
  if (line === '') break;
  const c = JSON.parse(line) as Command & { seq: number };
  seq = c.seq;
  await run(c);
  out({ done: true });
}
