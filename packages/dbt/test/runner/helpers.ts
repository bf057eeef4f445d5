// Test helpers: copy a fixture project into a temporary directory (fixtures stay read-only), run
// commands on it with its warehouse under the same directory, and read tables back.
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSession } from '@duckrun/sql';
import { runDbt, type DbtRunOptions, type DbtRunResults } from '../../src/runner/index.js';
import type { DbtCommand, RunEvent } from '../../src/events.js';
import { tableToQueryResult } from '../../src/runner/query-result.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A copied project with its own warehouse. */
export interface TestProject {
  readonly dir: string;
  readonly root: string;
  /** Writes (or replaces) a file of the project. */
  write(path: string, text: string): void;
  remove(path: string): void;
  run(command: DbtCommand, options?: Partial<DbtRunOptions>): Promise<DbtRunResults & { events: RunEvent[] }>;
  /** Rows of a SQL query over the warehouse (delta_scan paths relative to the root), sorted as written. */
  rows(sql: string): Promise<unknown[][]>;
  cleanup(): void;
}

/** Copies `fixture` (a folder under test/fixtures) to a temporary project. */
export function copyProject(fixture: string): TestProject {
  const base = mkdtempSync(join(tmpdir(), 'duckrun-runner-'));
  const dir = join(base, 'project');
  const root = join(base, 'warehouse');
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  mkdirSync(root, { recursive: true });
  return {
    dir,
    root,
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    remove(path) {
      rmSync(join(dir, path), { force: true });
    },
    async run(command, options = {}) {
      const events: RunEvent[] = [];
      const r = await runDbt(command, { projectDir: dir, profilesDir: dir, env: { DUCKRUN_TEST_ROOT: root }, onEvent: (e) => events.push(e), ...options });
      return { ...r, events };
    },
    async rows(sql) {
      const s = await openSession({ root, readOnly: true });
      try {
        return tableToQueryResult(await s.sql(sql)).rows.map((r) => [...r]);
      } finally {
        await s.close();
      }
    },
    cleanup() {
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** status by node name. */
export function statuses(r: DbtRunResults): Record<string, string> {
  return Object.fromEntries(r.results.map((x) => [x.uniqueId.split('.').slice(2, 3)[0] ?? x.uniqueId, x.status]));
}
