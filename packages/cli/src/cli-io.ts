// Where the CLI writes: process streams in production, string buffers in tests.

/** Output channels of a CLI run; `write` resolves once the text may be buffered again (back-pressure). */
export interface CliIO {
  readonly stdout: (text: string) => Promise<void>;
  readonly stderr: (text: string) => Promise<void>;
  /** Reads all of standard input (for `duckrun sql -`). */
  readonly readStdin: () => Promise<string>;
  /** stdout is a terminal: progress may be redrawn in place. */
  readonly isTTY?: boolean;
}

/** CliIO bound to this process; a closed stdout pipe (`| head`) ends the run quietly. */
export function processIO(): CliIO {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const writer = (stream: NodeJS.WriteStream) => (text: string): Promise<void> =>
    new Promise((resolve) => {
      if (stream.write(text)) resolve();
      else stream.once('drain', resolve);
    });
  return {
    isTTY: process.stdout.isTTY === true,
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
