// Locks the package shape: the entry point only re-exports, the exports map points at real files, and
// importing the reader loads neither Node built-ins nor parquet-wasm up front (edge runtimes need both).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

describe('@duckrun/delta package', () => {
  it('has an index.ts that only re-exports', () => {
    const code = readFileSync(join(pkgDir, 'src/index.ts'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('//'))
      .join('\n');
    expect(code.replace(/export (type )?(\*|\{[^}]*\}) from '[^']+';/g, '').trim()).toBe('');
  });

  it('exports its source under the source condition and depends only on storage, arrow and parquet-wasm', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      dependencies: Record<string, string>;
    };
    expect(existsSync(join(pkgDir, pkg.exports['.']!.source!))).toBe(true);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@duckrun/storage', 'apache-arrow', 'parquet-wasm']);
  });

  it('exposes the reader API and its typed errors', async () => {
    const api = await import('../src/index.js');
    for (const name of ['DeltaTable', 'Snapshot', 'DeltaProtocolError', 'NotADeltaTableError', 'UnsupportedFeatureError', 'VersionNotFoundError', 'DataFileError', 'DeletionVectorError', 'SchemaError', 'InvalidOptionError']) {
      expect(api).toHaveProperty(name);
    }
  });

  it('loads parquet-wasm lazily, never through a static import', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, name.name);
        if (name.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /^import (?!type)[^;]*from 'parquet-wasm'/m.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk(join(pkgDir, 'src'));
    expect(offenders).toEqual([]);
  });
});
