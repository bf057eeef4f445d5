// The installed launcher (bin/duckrun.js → dist/bin.js) as a user runs it: exit codes, streams, clean exit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const launcher = join(repoRoot, 'packages/cli/bin/duckrun.js');
const built = join(repoRoot, 'packages/cli/dist/bin.js');
const skip = existsSync(built) ? undefined : `the CLI is not built (${built} missing); run pnpm exec tsc -b first`;

const duckrun = (...args: string[]) =>
  spawnSync(process.execPath, [launcher, ...args], { encoding: 'utf8', timeout: 60_000, cwd: repoRoot });

describe.skipIf(skip !== undefined)(`bin/duckrun.js${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('prints the version and exits 0', () => {
    const r = duckrun('--version');
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/^duckrun \d+\.\d+\.\d+\n$/)]);
  });

  it('runs a query and exits on its own once the result is printed', () => {
    const r = duckrun('sql', '--format', 'csv', 'SELECT 6 * 7 AS answer');
    expect(r.error).toBeUndefined();
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'answer\n42\n', '']);
  });

  it('prints a single error line without a stack trace and exits 1 on a failing query', () => {
    const r = duckrun('sql', 'SELEC 1');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: Parser Error: syntax error at or near "SELEC"\n$/);
  });

  it('exits 2 on a usage error', () => {
    expect(duckrun('sql', '--format', 'xml', 'SELECT 1').status).toBe(2);
  });
});
