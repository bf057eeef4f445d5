// The Workers entry of @duckrun/storage (src/stores/r2/edge.ts, served under the `workerd`/`worker` export
// conditions) must stay a drop-in for the root entry: same exports, same URL normalisation, and no path to
// Node built-ins or cloud SDKs.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import { StoreConfigError } from '../../src/index.js';
import * as edge from '../../src/stores/r2/edge.js';
import { R2Store, registerR2Binding, unregisterR2Binding, type R2BucketLike } from '../../src/stores/r2.js';

const PKG = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
  exports: Record<string, Record<string, unknown>>;
};

describe('the Workers entry of @duckrun/storage', () => {
  it('exports exactly the names the root entry exports', () => {
    expect(Object.keys(edge).sort()).toEqual(Object.keys(root).sort());
  });

  it('is what the workerd and worker conditions of the root export resolve to, and ./r2 is exported', () => {
    const target = { source: './src/stores/r2/edge.ts', types: './dist/stores/r2/edge.d.ts', default: './dist/stores/r2/edge.js' };
    expect(PKG.exports['.']!.workerd).toEqual(target);
    expect(PKG.exports['.']!.worker).toEqual(target);
    expect(PKG.exports['./r2']).toEqual({ source: './src/stores/r2.ts', types: './dist/stores/r2.d.ts', default: './dist/stores/r2.js' });
  });

  it('imports neither url.ts (whose lazy imports reach node:fs and the SDKs) nor any Node built-in', () => {
    for (const file of ['edge.ts', 'edge-url.ts', 'binding.ts']) {
      const code = readFileSync(fileURLToPath(new URL(`../../src/stores/r2/${file}`, import.meta.url)), 'utf8');
      const runtimeImports = [...code.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
      expect(runtimeImports.filter((s) => s!.endsWith('/url.js') || s!.startsWith('node:') || !s!.startsWith('.'))).toEqual([]);
      expect(code).not.toMatch(/import\(/);
    }
    const r2 = readFileSync(fileURLToPath(new URL('../../src/stores/r2.ts', import.meta.url)), 'utf8');
    expect(r2).not.toMatch(/from 'node:|import\(/);
  });

  it('normalises URLs exactly as the root entry does', () => {
    const cases: [string, string?][] = [
      ['r2://BUCKET/tables/events/'],
      ['r2://BUCKET'],
      ['memory://m/a//'],
      ['s3://bucket/a b/c'],
      ['part=1/x.parquet', 'r2://BUCKET/t'],
      ['../other/x.parquet', 'r2://BUCKET/tables/t/'],
      ['date=2024-01-01/a b.parquet', 'memory://m/t'],
    ];
    for (const [location, base] of cases) expect(edge.toUrl(location, base), `${location} against ${base}`).toBe(root.toUrl(location, base));
  });

  it('refuses local paths and URLs it cannot open, saying what works instead', async () => {
    expect(() => edge.toUrl('/tmp/table')).toThrow(StoreConfigError);
    expect(() => edge.toUrl('tables/t')).toThrow(/no file system.*R2Store/);
    await expect(edge.resolveStore('s3://bucket/t')).rejects.toThrow(/opens r2:\/\/ .*and memory:\/\/.*\{ store \}/);
    await expect(edge.resolveStore('memory://m/t', { aws_region: 'x' })).rejects.toThrow(/do not apply/);
  });

  it('opens memory:// and registered r2:// locations', async () => {
    const memory = await edge.resolveStore('memory://edge-test/t');
    expect(memory.url).toBe('memory://edge-test/t');
    const fake = { put() {} } as unknown as R2BucketLike;
    registerR2Binding('EDGE_TEST', fake);
    try {
      const store = await edge.resolveStore('r2://EDGE_TEST/tables/t/');
      expect(store).toBeInstanceOf(R2Store);
      expect(store.url).toBe('r2://EDGE_TEST/tables/t');
    } finally {
      unregisterR2Binding('EDGE_TEST');
    }
    await expect(edge.resolveStore('r2://EDGE_TEST/tables/t')).rejects.toThrow(/registerR2Binding\('EDGE_TEST', env\.EDGE_TEST\)/);
  });
});
