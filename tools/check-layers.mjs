#!/usr/bin/env node
// Import-graph guard: packages import only downward (cli → dbt → sql → delta → storage), the delta
// kernel imports nothing with IO or WASM, and only named files touch node:* built-ins.
//
// Usage: node tools/check-layers.mjs [repo-root]   (default: the directory above tools/)
// Prints one line per violation (`file: 'specifier' — rule`) and exits 1, or prints `layers ok`.

import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packages from lowest to highest; a package may import only packages listed before it. */
const LAYERS = ['@duckrun/storage', '@duckrun/delta', '@duckrun/sql', '@duckrun/dbt', 'duckrun'];

/** The only files allowed to load node:* (runtime-aware code); paths relative to the root, `/`-separated. */
// gcs.ts wraps @google-cloud/storage, which runs on Node only (it reads key files and streams uploads).
// delta/src/node/ is the `@duckrun/delta/node` entry (worker threads); the main entry must not reach it.
const NODE_ALLOWED = [/^packages\/storage\/src\/stores\/(local|gcs)\.ts$/, /^packages\/delta\/src\/node\//, /^packages\/cli\/src\//, /^packages\/sql\/src\/engine\//, /^packages\/dbt\/src\/(project|io|artifacts)\//];

const KERNEL_DIR = 'packages/delta/src/kernel/';
const DELTA_NODE_DIR = 'packages/delta/src/node/';
/** Files outside the kernel that it may import: the package's error classes (pure, no IO). */
const KERNEL_SHARED_FILES = ['packages/delta/src/errors.ts'];
/** Third-party packages a kernel file may import, per file. */
const KERNEL_PACKAGE_EXCEPTIONS = { 'packages/delta/src/kernel/schema/arrow.ts': ['apache-arrow'] };

const SOURCE_FILE = /\.(ts|mts|cts|tsx)$/;
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

function main() {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const packages = readPackages(root);
  const violations = [];
  for (const p of packages) {
    for (const file of sourceFiles(p.srcDir)) {
      const rel = toPosix(relative(root, file));
      let imports;
      try {
        imports = findImports(readFileSync(file, 'utf8'));
      } catch (e) {
        violations.push(`${rel}: cannot be scanned (${e instanceof Error ? e.message : String(e)})`);
        continue;
      }
      for (const imp of imports) {
        for (const why of checkImport(root, rel, file, p, packages, imp)) violations.push(`${rel}: '${imp.specifier}' — ${why}`);
      }
    }
  }
  if (violations.length > 0) {
    for (const v of violations) console.log(v);
    console.log(`${violations.length} layer violation(s); see tools/check-layers.mjs for the rules`);
    process.exit(1);
  }
  console.log('layers ok');
}

/** The rules, applied to one import of `file` (in package `pkg`); returns the broken ones. */
function checkImport(root, rel, file, pkg, packages, imp) {
  const out = [];
  const spec = imp.specifier;
  const inKernel = rel.startsWith(KERNEL_DIR);
  const kind = classify(spec, packages);

  if (kind.type === 'relative') {
    const target = toPosix(relative(root, resolve(dirname(file), spec)));
    if (!target.startsWith(`${toPosix(relative(root, pkg.srcDir))}/`)) {
      out.push(`relative import leaves ${pkg.name}'s src/; import the package by name instead`);
    } else if (target.startsWith(DELTA_NODE_DIR) && !rel.startsWith(DELTA_NODE_DIR)) {
      out.push('the main @duckrun/delta entry stays free of Node: only src/node/ (the `@duckrun/delta/node` entry) imports it');
    } else if (inKernel && !target.startsWith(KERNEL_DIR) && !KERNEL_SHARED_FILES.includes(target.replace(/\.js$/, '.ts'))) {
      out.push('the delta kernel imports nothing outside src/kernel/ (it must stay pure: no IO, no WASM, no Arrow)');
    }
  } else if (kind.type === 'node') {
    if (inKernel) out.push('the delta kernel may not import Node built-ins');
    else if (!imp.typeOnly && !NODE_ALLOWED.some((re) => re.test(rel))) {
      out.push('only packages/storage/src/stores/local.ts and gcs.ts, packages/delta/src/node/**, packages/cli/src/** and packages/sql/src/engine/** may import node:* modules');
    }
  } else if (kind.type === 'workspace') {
    const from = LAYERS.indexOf(pkg.name);
    const to = LAYERS.indexOf(kind.name);
    if (from < 0) out.push(`${pkg.name} is not in the layer order; add it to LAYERS in tools/check-layers.mjs`);
    else if (to < 0) out.push(`${kind.name} is not in the layer order; add it to LAYERS in tools/check-layers.mjs`);
    else if (kind.name === pkg.name) out.push(`${pkg.name} imports itself by name; use a relative path`);
    else if (to > from) out.push(`${pkg.name} may not import ${kind.name} (imports flow ${[...LAYERS].reverse().join(' → ')})`);
    if (inKernel && !(imp.typeOnly && kind.name === '@duckrun/storage')) {
      out.push('the delta kernel imports no @duckrun package (only `import type` from @duckrun/storage)');
    }
  } else if (inKernel) {
    const allowed = KERNEL_PACKAGE_EXCEPTIONS[rel] ?? [];
    if (!allowed.includes(kind.name)) out.push(`the delta kernel may not import ${kind.name} (it must stay pure: no IO, no WASM, no Arrow)`);
  }
  return out;
}

/** relative | node | workspace (with package name) | external (with package name). */
function classify(spec, packages) {
  if (spec.startsWith('.') || spec.startsWith('/')) return { type: 'relative' };
  if (spec.startsWith('node:')) return { type: 'node' };
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (BUILTINS.has(spec) || BUILTINS.has(name)) return { type: 'node' };
  if (name === 'duckrun' || name.startsWith('@duckrun/') || packages.some((p) => p.name === name)) return { type: 'workspace', name };
  return { type: 'external', name };
}

function readPackages(root) {
  const dir = join(root, 'packages');
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const pkgJson = join(dir, name, 'package.json');
    let json;
    try {
      json = JSON.parse(readFileSync(pkgJson, 'utf8'));
    } catch {
      continue;
    }
    out.push({ name: json.name, srcDir: join(dir, name, 'src') });
  }
  return out;
}

function sourceFiles(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    const full = join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      if (name !== 'node_modules') out.push(...sourceFiles(full));
    } else if (SOURCE_FILE.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function toPosix(p) {
  return sep === '/' ? p : p.split(sep).join('/');
}

/**
 * The module specifiers a TypeScript source loads: `import … from`, `import '…'`, `export … from`
 * and `import('…')`. `typeOnly` marks `import type` / `export type` and type-position
 * `import('…')` (`typeof import('x')`, `import('x').Name`), which load nothing at run time.
 */
export function findImports(source) {
  const toks = tokenize(source);
  const out = [];
  const str = (i) => (toks[i]?.t === 'str' ? toks[i].v : undefined);
  const is = (i, v) => toks[i] !== undefined && toks[i].t !== 'str' && toks[i].v === v;
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok.t !== 'id' || (tok.v !== 'import' && tok.v !== 'export')) continue;
    if (is(i - 1, '.')) continue; // obj.import(...)
    if (tok.v === 'import') {
      if (is(i + 1, '.')) continue; // import.meta
      if (is(i + 1, '(')) {
        const spec = str(i + 2);
        if (spec === undefined || !is(i + 3, ')')) continue; // computed specifier: cannot check
        const typeQuery = is(i - 1, 'typeof') || (is(i + 4, '.') && !['then', 'catch', 'finally'].includes(toks[i + 5]?.v));
        out.push({ specifier: spec, typeOnly: typeQuery, dynamic: true });
        continue;
      }
      const bare = str(i + 1);
      if (bare !== undefined) {
        out.push({ specifier: bare, typeOnly: false, dynamic: false });
        continue;
      }
      // `import type X from`, but not `import type from 'x'` (a default import named `type`).
      const typeOnly = is(i + 1, 'type') && !(is(i + 2, 'from') && str(i + 3) !== undefined) && !is(i + 2, '=');
      const spec = findFrom(toks, i + 1);
      if (spec !== undefined) out.push({ specifier: spec, typeOnly, dynamic: false });
    } else {
      let j = i + 1;
      const typeOnly = is(j, 'type');
      if (typeOnly) j++;
      if (is(j, '*')) {
        const spec = findFrom(toks, j);
        if (spec !== undefined) out.push({ specifier: spec, typeOnly, dynamic: false });
      } else if (is(j, '{')) {
        let depth = 0;
        for (; j < toks.length; j++) {
          if (is(j, '{')) depth++;
          else if (is(j, '}') && --depth === 0) break;
        }
        if (is(j + 1, 'from') && str(j + 2) !== undefined) out.push({ specifier: str(j + 2), typeOnly, dynamic: false });
      }
    }
  }
  return out;
}

/** Scans an import/export clause starting at `start` for `from '<spec>'`, stopping at `;`. */
function findFrom(toks, start) {
  for (let j = start; j < toks.length && j < start + 400; j++) {
    const t = toks[j];
    if (t.t === 'punct' && t.v === ';') return undefined;
    if (t.t === 'id' && t.v === 'from' && toks[j + 1]?.t === 'str') return toks[j + 1].v;
  }
  return undefined;
}

const REGEX_AFTER_KEYWORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);

/**
 * A small JS/TS tokenizer: identifiers, punctuation and string literals, with comments, template
 * text and regular-expression literals skipped (so `'…'` inside them is never taken for a string).
 */
function tokenize(src) {
  const toks = [];
  const templateDepth = []; // brace depth at which each open `${` returns to template text
  let braces = 0;
  let i = 0;
  const n = src.length;
  const regexAllowed = () => {
    const prev = toks[toks.length - 1];
    if (prev === undefined) return true;
    if (prev.t === 'str' || prev.t === 'tpl') return false;
    if (prev.t === 'id') return REGEX_AFTER_KEYWORD.has(prev.v);
    return !(prev.v === ')' || prev.v === ']');
  };
  const readTemplate = () => {
    // i is just after '`' or after the '}' closing a `${`; stops after '`' or after '${'.
    while (i < n) {
      const c = src[i];
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        toks.push({ t: 'tpl', v: '' }); // a value, but never an import specifier
        return;
      } else if (c === '$' && src[i + 1] === '{') {
        i += 2;
        templateDepth.push(braces);
        braces++;
        toks.push({ t: 'punct', v: '(' }); // what follows `${` is an expression start
        return;
      } else i++;
    }
    throw new Error('unterminated template literal');
  };
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF' || c === '\u00A0' || c === '\u2028' || c === '\u2029') {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated block comment');
      i = end + 2;
    } else if (c === '"' || c === "'") {
      let v = '';
      i++;
      while (i < n && src[i] !== c) {
        if (src[i] === '\\') {
          v += src[i + 1] ?? '';
          i += 2;
        } else if (src[i] === '\n') throw new Error('unterminated string literal');
        else v += src[i++];
      }
      if (i >= n) throw new Error('unterminated string literal');
      i++;
      toks.push({ t: 'str', v });
    } else if (c === '`') {
      i++;
      readTemplate();
    } else if (c === '/' && regexAllowed()) {
      let inClass = false;
      i++;
      while (i < n) {
        const d = src[i];
        if (d === '\\') i += 2;
        else if (d === '\n') throw new Error('unterminated regular expression');
        else if (inClass) {
          if (d === ']') inClass = false;
          i++;
        } else if (d === '[') {
          inClass = true;
          i++;
        } else if (d === '/') break;
        else i++;
      }
      i++;
      while (i < n && /[a-z]/i.test(src[i])) i++; // flags
      toks.push({ t: 'tpl', v: '' });
    } else if (/[A-Za-z_$\u0080-\uffff#@0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(src[j])) j++;
      toks.push({ t: 'id', v: src.slice(i, j) });
      i = j;
    } else {
      i++;
      if (c === '{') braces++;
      else if (c === '}') {
        braces--;
        if (templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === braces) {
          templateDepth.pop();
          readTemplate();
          continue;
        }
      }
      toks.push({ t: 'punct', v: c });
    }
  }
  return toks;
}

// Run when executed directly, not when imported for findImports().
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) main();
