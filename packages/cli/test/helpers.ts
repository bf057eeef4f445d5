// Test helpers: run the CLI in-process with captured output, and locate the golden Delta fixtures.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/bin.js';

/** The repository root. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** Spark-written golden tables shared with other suites (absent outside the shared workspace). */
export const goldenRoot = resolve(repoRoot, '../shared/fixtures/delta-golden');
/** Why golden-table tests are skipped, or undefined when the fixtures are present. */
export const goldenSkipReason: string | undefined = existsSync(goldenRoot)
  ? undefined
  : `golden Delta fixtures not found at ${goldenRoot} (they live in the shared workspace next to the repo)`;

/** Outcome of one CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `duckrun <argv>` in this process, capturing stdout and stderr. */
export async function runCli(argv: string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: async (t) => {
      stdout += t;
    },
    stderr: async (t) => {
      stderr += t;
    },
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}
