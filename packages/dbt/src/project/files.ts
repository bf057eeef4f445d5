// Listing a package's resource folders: files under a resource path, with the path relative to the
// package root and to the resource path, in a stable order.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A file found under one of a package's resource paths. */
export interface FoundFile {
  readonly absolutePath: string;
  /** From the package root, `/`-separated (dbt `original_file_path`). */
  readonly originalFilePath: string;
  /** From the resource path, `/`-separated (dbt `path`). */
  readonly path: string;
  /** The resource path it was found under, as written in dbt_project.yml. */
  readonly resourcePath: string;
}

/**
 * Files under `packageDir/<each resource path>` whose names end with one of `extensions`, sorted by
 * path. Hidden files and folders are skipped; a missing resource path yields nothing.
 */
export function listResourceFiles(packageDir: string, resourcePaths: readonly string[], extensions: readonly string[]): FoundFile[] {
  const out: FoundFile[] = [];
  const seen = new Set<string>();
  for (const resourcePath of resourcePaths) {
    const base = join(packageDir, resourcePath);
    if (!existsSync(base) || !statSync(base).isDirectory()) continue;
    for (const abs of walk(base)) {
      if (!extensions.some((e) => abs.toLowerCase().endsWith(e)) || seen.has(abs)) continue;
      seen.add(abs);
      out.push({ absolutePath: abs, originalFilePath: toPosix(relative(packageDir, abs)), path: toPosix(relative(base, abs)), resourcePath });
    }
  }
  return out;
}

function* walk(dir: string): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
