// tools/check-layers.mjs: the repository passes it, and each rule it enforces catches a synthetic offender.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(REPO_ROOT, 'tools', 'check-layers.mjs');

const PACKAGES: Record<string, string> = { storage: '@duckrun/storage', delta: '@duckrun/delta', sql: '@duckrun/sql', cli: 'duckrun' };

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function checkLayers(root?: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, root === undefined ? [SCRIPT] : [SCRIPT, root], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** A repo with the four packages and the given source files (paths relative to the root). */
function syntheticRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'duckrun-layers-'));
  temps.push(root);
  for (const [dir, name] of Object.entries(PACKAGES)) {
    mkdirSync(join(root, 'packages', dir, 'src'), { recursive: true });
    writeFileSync(join(root, 'packages', dir, 'package.json'), JSON.stringify({ name }));
    writeFileSync(join(root, 'packages', dir, 'src', 'index.ts'), 'export {};\n');
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('tools/check-layers.mjs', () => {
  it('passes on this repository', () => {
    const { code, out } = checkLayers();
    expect(out).toBe('layers ok\n');
    expect(code).toBe(0);
  });

  it('reports the same result on a copy of the sources, and a new offender in the copy', () => {
    const real = checkLayers(REPO_ROOT);
    const root = mkdtempSync(join(tmpdir(), 'duckrun-layers-copy-'));
    temps.push(root);
    for (const dir of readdirSync(join(REPO_ROOT, 'packages'))) {
      const from = join(REPO_ROOT, 'packages', dir);
      cpSync(join(from, 'package.json'), join(root, 'packages', dir, 'package.json'));
      cpSync(join(from, 'src'), join(root, 'packages', dir, 'src'), { recursive: true });
    }
    expect(checkLayers(root)).toEqual(real);

    writeFileSync(join(root, 'packages/storage/src/bad.ts'), "import { connect } from '@duckrun/sql';\nexport { connect };\n");
    const after = checkLayers(root);
    expect(after.code).toBe(1);
    expect(after.out).toContain("packages/storage/src/bad.ts: '@duckrun/sql' — @duckrun/storage may not import @duckrun/sql");
  });

  it.each([
    ['a lower package importing a higher one', 'packages/storage/src/x.ts', "import { Snapshot } from '@duckrun/delta';", '@duckrun/storage may not import @duckrun/delta'],
    ['delta importing sql', 'packages/delta/src/x.ts', "import { connect } from '@duckrun/sql';", '@duckrun/delta may not import @duckrun/sql'],
    ['sql importing the cli package', 'packages/sql/src/x.ts', "import { main } from 'duckrun';", '@duckrun/sql may not import duckrun'],
    ['a re-export from a higher package', 'packages/delta/src/x.ts', "export * from '@duckrun/sql';", 'may not import @duckrun/sql'],
    ['a type-only re-export from a higher package', 'packages/delta/src/x.ts', "export type { Session } from '@duckrun/sql';", 'may not import @duckrun/sql'],
    ['a package importing itself by name', 'packages/delta/src/x.ts', "import { DeltaTable } from '@duckrun/delta';", 'imports itself by name'],
    ['a relative import into another package', 'packages/delta/src/x.ts', "import { toUrl } from '../../storage/src/url.js';", "leaves @duckrun/delta's src/"],
    ['node:* in the kernel', 'packages/delta/src/kernel/log/x.ts', "import { readFile } from 'node:fs/promises';", 'the delta kernel may not import Node built-ins'],
    ['a bare built-in in the kernel', 'packages/delta/src/kernel/x.ts', "import { createHash } from 'crypto';", 'the delta kernel may not import Node built-ins'],
    ['a type-only node:* import in the kernel', 'packages/delta/src/kernel/x.ts', "import type { Stats } from 'node:fs';", 'the delta kernel may not import Node built-ins'],
    ['a type query of node:* in the kernel', 'packages/delta/src/kernel/x.ts', "type Fs = typeof import('node:fs');", 'the delta kernel may not import Node built-ins'],
    ['parquet-wasm in the kernel', 'packages/delta/src/kernel/x.ts', "import { readParquet } from 'parquet-wasm';", 'the delta kernel may not import parquet-wasm'],
    ['a dynamic parquet-wasm import in the kernel', 'packages/delta/src/kernel/x.ts', "export const load = () => import('parquet-wasm');", 'the delta kernel may not import parquet-wasm'],
    ['apache-arrow in the kernel outside schema/arrow.ts', 'packages/delta/src/kernel/schema/parse.ts', "import { Schema } from 'apache-arrow';", 'the delta kernel may not import apache-arrow'],
    ['a runtime @duckrun/storage import in the kernel', 'packages/delta/src/kernel/x.ts', "import { NotFoundError } from '@duckrun/storage';", 'the delta kernel imports no @duckrun package'],
    ['a kernel import of a module outside the kernel', 'packages/delta/src/kernel/txn/x.ts', "import { listLog } from '../../log/reader.js';", 'the delta kernel imports nothing outside src/kernel/'],
    ['node:* in the delta IO shell', 'packages/delta/src/parquet/read.ts', "import { readFileSync } from 'node:fs';", 'only packages/storage/src/stores/local.ts'],
    ['a dynamic node:* import outside the allowed files', 'packages/delta/src/x.ts', "export const fs = await import('node:fs');", 'only packages/storage/src/stores/local.ts'],
    ['node:* in storage outside stores/local.ts', 'packages/storage/src/url.ts', "import * as path from 'node:path';", 'only packages/storage/src/stores/local.ts'],
    ['node:* in sql outside engine/', 'packages/sql/src/session.ts', "import { Worker } from 'node:worker_threads';", 'only packages/storage/src/stores/local.ts'],
    [
      'a multi-line import',
      'packages/delta/src/x.ts',
      "import {\n  readFile,\n  // a comment inside\n  writeFile,\n} from 'node:fs/promises';",
      'only packages/storage/src/stores/local.ts',
    ],
  ])('reports %s', (_, file, source, why) => {
    const root = syntheticRepo({ [file]: `${source}\n` });
    const { code, out } = checkLayers(root);
    expect(out).toContain(`${file}: '`);
    expect(out).toContain(why);
    expect(code).toBe(1);
  });

  it.each([
    ['imports of lower packages', 'packages/cli/src/x.ts', "import { connect } from '@duckrun/sql';\nimport { DeltaTable } from '@duckrun/delta';\nimport { toUrl } from '@duckrun/storage';"],
    ['node:* in stores/local.ts', 'packages/storage/src/stores/local.ts', "import * as fs from 'node:fs/promises';"],
    ['node:* anywhere in the cli', 'packages/cli/src/commands/run.ts', "import { argv } from 'node:process';"],
    ['node:* in the sql engine folder', 'packages/sql/src/engine/native.ts', "const m = await import('node:worker_threads');"],
    ['a type-only node:* import outside the kernel', 'packages/delta/src/table.ts', "import type { Readable } from 'node:stream';\ntype Fs = typeof import('node:fs');"],
    ['apache-arrow in kernel/schema/arrow.ts', 'packages/delta/src/kernel/schema/arrow.ts', "import { Schema, Field } from 'apache-arrow';"],
    ['a type-only @duckrun/storage import in the kernel', 'packages/delta/src/kernel/x.ts', "import type { ObjectStore } from '@duckrun/storage';"],
    ['relative imports inside the kernel', 'packages/delta/src/kernel/log/x.ts', "import { parseActions } from '../actions/parse.js';\nexport * from './y.js';"],
    ['parquet-wasm and apache-arrow outside the kernel', 'packages/delta/src/parquet/read.ts', "import { tableFromIPC } from 'apache-arrow';\nconst m = await import('parquet-wasm');"],
    [
      'import-like text in strings, comments, templates and regular expressions',
      'packages/storage/src/url.ts',
      [
        "const a = \"import x from 'node:fs'\";",
        "// import { y } from '@duckrun/sql';",
        "/* export * from 'node:path'; */",
        "const t = `${a} from 'node:os' ${`import('node:fs')`}`;",
        "const re = /from 'node:fs'|import\\('node:net'\\)/;",
        "const half = 1 / 2; const q = '/'; const d = half / 2 / 1;",
        "const s = { import: 1 }.import; const m = import.meta.url;",
        "export { a, t, re, half, q, d, s, m };",
      ].join('\n'),
    ],
  ])('accepts %s', (_, file, source) => {
    const root = syntheticRepo({ [file]: `${source}\n` });
    expect(checkLayers(root)).toEqual({ code: 0, out: 'layers ok\n' });
  });
});
