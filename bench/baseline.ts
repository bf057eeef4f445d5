// The baseline every snapshot-load result is compared to: a naive load that ignores checkpoints,
// listing the whole log, reading every commit file through the store and replaying it with LogReplay.

import type { ObjectStore } from '@duckrun/storage';
import { parseActions } from '../packages/delta/src/kernel/actions/parse.js';
import { parseLogPath } from '../packages/delta/src/kernel/log/log-path.js';
import { LogReplay, type TableState } from '../packages/delta/src/kernel/log/replay.js';

/** Replays every commit of the table in `store` from version 0, reading `concurrency` files at a time. */
export async function naiveReplay(store: ObjectStore, concurrency = 16): Promise<{ version: number; state: TableState }> {
  const names: string[] = [];
  for await (const meta of store.list('_delta_log/')) {
    const name = meta.path.slice('_delta_log/'.length);
    if (parseLogPath(name)?.kind === 'commit') names.push(name);
  }
  names.sort();
  const replay = new LogReplay(store.url);
  const decoder = new TextDecoder();
  const pending: Promise<Uint8Array>[] = [];
  let next = 0;
  const launch = () => {
    while (pending.length < concurrency && next < names.length) pending.push(store.get(`_delta_log/${names[next++]!}`));
  };
  launch();
  for (const name of names) {
    const bytes = await pending.shift()!;
    launch();
    replay.commit(parseActions(decoder.decode(bytes), name));
  }
  return { version: names.length - 1, state: replay.state() };
}
