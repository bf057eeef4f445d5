// Locks the package shape: the entry point only re-exports, and the exports map points at real files.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

describe('@duckrun/sql package', () => {
  it('has an index.ts that only re-exports', () => {
    const code = readFileSync(join(pkgDir, 'src/index.ts'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('//'))
      .join('\n');
    expect(code.replace(/export (type )?\{[^}]*\} from '[^']+';/g, '').trim()).toBe('');
  });

  it('exports its source under the source condition', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> };
    expect(existsSync(join(pkgDir, pkg.exports['.']!.source!))).toBe(true);
  });

  it('exposes the session, engine, delta_scan and rendering API', async () => {
    const api = await import('../src/index.js');
    for (const name of ['openSession', 'SqlSession', 'openWasmEngine', 'prepareDeltaScans', 'findDeltaScanCalls', 'renderTextTable', 'renderCsv', 'renderJson', 'writeParquetBytes', 'QueryError', 'connect', 'DataFrame', 'DataFrameWriter', 'DataFrameReader', 'Catalog']) {
      expect(api).toHaveProperty(name);
    }
  });
});
