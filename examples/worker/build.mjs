// Bundles the Worker into dist/: one ES module (index.js) plus parquet-wasm's .wasm, which Workers load as a
// precompiled module (a CompiledWasm module; wrangler does the same with its default `*.wasm` rule). Prints
// the size of each file raw and gzipped; Cloudflare's script size limit applies to the gzipped total.
//
//   node build.mjs            build and print sizes
//   node build.mjs --json     the same, sizes as JSON on stdout

import { build as esbuild } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Builds the Worker into `outdir` and returns the files with their raw and gzip sizes.
 * `source` bundles the workspace packages from their TypeScript sources (the repo's `source` export
 * condition), so no prior `tsc -b` is needed; without it the packages' dist/ builds are used.
 */
export async function build({ outdir = join(HERE, 'dist'), source = true } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const wasmFiles = new Map();
  const result = await esbuild({
    entryPoints: [join(HERE, 'src/index.ts')],
    outfile: join(outdir, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    metafile: true,
    logLevel: 'warning',
    // `workerd` selects @duckrun/delta's Workers entry (it imports the .wasm); `import` picks apache-arrow's
    // and parquet-wasm's ES module builds.
    conditions: ['workerd', 'worker', 'browser', 'import', 'module', ...(source ? ['source'] : [])],
    plugins: [
      {
        name: 'compiled-wasm',
        setup(b) {
          // Keep `.wasm` imports as sibling modules: workerd instantiates them from a precompiled module.
          b.onResolve({ filter: /\.wasm$/ }, async (args) => {
            if (args.pluginData === 'compiled-wasm') return undefined;
            const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'compiled-wasm' });
            if (resolved.errors.length > 0) return { errors: resolved.errors };
            wasmFiles.set(basename(resolved.path), resolved.path);
            return { path: `./${basename(resolved.path)}`, external: true };
          });
        },
      },
    ],
  });
  for (const [name, from] of wasmFiles) await copyFile(from, join(outdir, name));
  const files = [];
  for (const name of ['index.js', ...wasmFiles.keys()]) {
    const bytes = await readFile(join(outdir, name));
    files.push({ name, type: name.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path: join(outdir, name), bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength });
  }
  const total = { bytes: sum(files, 'bytes'), gzipBytes: sum(files, 'gzipBytes') };
  const report = { files, total, inputs: topInputs(result.metafile) };
  await writeFile(join(outdir, 'size.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Human-readable size lines. */
export function formatSizes(report) {
  const rows = [...report.files.map((f) => [f.name, f.bytes, f.gzipBytes]), ['total', report.total.bytes, report.total.gzipBytes]];
  return rows.map(([name, raw, gz]) => `${String(name).padEnd(24)} ${kib(raw).padStart(12)}   gzip ${kib(gz).padStart(12)}`).join('\n');
}

function kib(n) {
  return `${(n / 1024).toFixed(1)} KiB`;
}

function sum(files, key) {
  return files.reduce((n, f) => n + f[key], 0);
}

/** The biggest packages in the JS bundle, by output bytes. */
function topInputs(metafile) {
  const byPackage = new Map();
  for (const out of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(file);
      const pkg = m ? m[1] : file.replace(/^(\.\.\/)+/, '').split('/').slice(0, 2).join('/');
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, bytes]) => ({ name, bytes }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = await build();
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(formatSizes(report));
    console.log(`largest inputs of index.js: ${report.inputs.map((i) => `${i.name} ${kib(i.bytes)}`).join(', ')}`);
  }
}
