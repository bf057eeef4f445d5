// A child's stdout as JSON events, one per line (a line that is not JSON is kept as { unparsed }).
import type { Readable } from 'node:stream';

/** Calls `onEvent` for each complete line of `stream`, then `onChunk` once per chunk (to wake waiters). */
export function readJsonLines(stream: Readable, onEvent: (event: Record<string, unknown>) => void, onChunk: () => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      try {
        onEvent(JSON.parse(line) as Record<string, unknown>);
      } catch {
        onEvent({ unparsed: line });
      }
    }
    onChunk();
  });
}
