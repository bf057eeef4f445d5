// Test helpers: Spark-written golden Delta tables from ../shared, copied to a temporary directory per use.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const golden = resolve(repoRoot, '../shared/fixtures/delta-golden');

/** Why golden-table tests are skipped, or undefined when the fixtures are present. */
export const goldenSkipReason: string | undefined = existsSync(golden)
  ? undefined
  : `golden Delta fixtures not found at ${golden} (they live in the shared workspace next to the repo)`;

/** Copies golden tables (`<name>/delta`) into a fresh temporary root as `<name>`; returns the root. */
export function copyGoldenTables(names: readonly string[]): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'duckrun-sql-'));
  for (const name of names) cpSync(join(golden, name, 'delta'), join(root, name), { recursive: true });
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
