// Pins @duckrun/storage's published shape: its exports map, its dependencies, and a root entry that
// loads no Node built-ins (local disk is reached only through a lazy import).

import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PKG_DIR = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8')) as {
  name: string;
  type: string;
  sideEffects: boolean;
  files: string[];
  exports: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** Static `import … from`, `export … from` and bare `import '…'` specifiers of a TS source. */
function staticImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
  return specs;
}

/** Every source file reachable from `entry` through static relative imports, with its imports. */
function staticGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const specs = staticImports(readFileSync(file, 'utf8'));
    graph.set(file, specs);
    for (const s of specs) {
      if (!s.startsWith('.')) continue;
      const target = resolve(dirname(file), s.replace(/\.js$/, '.ts'));
      expect(existsSync(target), `${relative(PKG_DIR, file)} imports ${s}, which does not exist`).toBe(true);
      todo.push(target);
    }
  }
  return graph;
}

describe('@duckrun/storage package', () => {
  it('is an ES module package without side effects', () => {
    expect(pkg.name).toBe('@duckrun/storage');
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'src']));
  });

  it('exports the root, ./local and ./r2; the root picks an edge entry under the workerd and worker conditions', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', './local', './r2']);
    const edge = { source: './src/stores/r2/edge.ts', types: './dist/stores/r2/edge.d.ts', default: './dist/stores/r2/edge.js' };
    expect(pkg.exports['.']).toEqual({ workerd: edge, worker: edge, source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.exports['./local']).toEqual({
      source: './src/stores/local.ts',
      types: './dist/stores/local.d.ts',
      default: './dist/stores/local.js',
    });
    expect(pkg.exports['./r2']).toEqual({ source: './src/stores/r2.ts', types: './dist/stores/r2.d.ts', default: './dist/stores/r2.js' });
    for (const entry of [edge, pkg.exports['./local']!, pkg.exports['./r2']!]) {
      expect(Object.keys(entry)).toEqual(['source', 'types', 'default']);
      expect(existsSync(join(PKG_DIR, entry.source!)), entry.source).toBe(true);
    }
  });

  it('depends on no other duckrun package and on no cloud SDK (SDKs are optional peers)', () => {
    const deps = Object.keys(pkg.dependencies ?? {});
    expect(deps.filter((d) => d === 'duckrun' || d.startsWith('@duckrun/'))).toEqual([]);
    expect(deps.filter((d) => /^(@aws-sdk\/|@azure\/|@google-cloud\/|@smithy\/)/.test(d))).toEqual([]);
  });

  it('reaches no node:* or other Node built-in module statically from its root entry', () => {
    const graph = staticGraph(join(PKG_DIR, 'src/index.ts'));
    const builtins = new Set(builtinModules);
    const offending = [...graph].flatMap(([file, specs]) =>
      specs.filter((s) => s.startsWith('node:') || builtins.has(s.split('/')[0]!)).map((s) => `${relative(PKG_DIR, file)}: ${s}`),
    );
    expect(offending).toEqual([]);
    expect([...graph.keys()].map((f) => relative(PKG_DIR, f))).not.toContain(join('src', 'stores', 'local.ts'));
    expect(graph.size).toBeGreaterThan(3);
  });

  it('loads the local store lazily, by a dynamic import in url.ts', () => {
    const url = readFileSync(join(PKG_DIR, 'src/url.ts'), 'utf8');
    expect(url).toMatch(/await import\('\.\/stores\/local\.js'\)/);
    expect(staticImports(url)).not.toContain('./stores/local.js');
  });

  it('serves the root, ./local and ./r2 entry points by package name', async () => {
    const root = await import('@duckrun/storage');
    expect(Object.keys(root).sort()).toEqual(
      [
        'AlreadyExistsError',
        'DuckrunError',
        'InternalError',
        'MemoryStore',
        'NotFoundError',
        'StoreConfigError',
        'StoreUnavailableError',
        'clearMemoryBucket',
        'compareKeys',
        'isDuckrunError',
        'joinKey',
        'memoryStoreFromUrl',
        'resolveStore',
        'toUrl',
      ].sort(),
    );
    const local = await import('@duckrun/storage/local');
    expect(typeof local.LocalStore).toBe('function');
    expect(typeof local.localStoreFromUrl).toBe('function');
  });
});
