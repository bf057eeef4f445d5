// argv → command → exit code.
import { VERSION } from './version.js';

/** Runs the CLI and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`duckrun ${VERSION}\n`);
    return 0;
  }
  process.stderr.write('usage: duckrun sql [options] "SQL"\n');
  return 2;
}
