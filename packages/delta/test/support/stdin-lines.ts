// A child process's stdin as lines, read one at a time on demand (the parent drives children line by line).

/** Returns a function resolving to the next line of stdin; after stdin ends it resolves to ''. */
export function stdinLines(): () => Promise<string> {
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffered = '';
  let ended = false;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  process.stdin.on('end', () => {
    ended = true;
    for (const w of waiters.splice(0)) w('');
  });
  return () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : ended ? Promise.resolve('') : new Promise((r) => waiters.push(r)));
}
