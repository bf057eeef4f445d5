// Generated benchmark tables, cached under the OS temp dir and rebuilt when their recipe changes.

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { makeLogTable, type MakeLogTableOptions } from '../tools/make-log-table.js';
import { runChild, type BenchContext, type ChildReport } from './harness.js';

/** A table recipe: make-log-table options without the output directory. */
export type TableRecipe = Omit<MakeLogTableOptions, 'out' | 'clean'>;

const MARKER = '.bench-table.json';

/** Directory of the cached table `name`. */
export function tableDir(context: BenchContext, name: string): string {
  return path.join(context.workDir, name);
}

/** Whether `name` exists, complete, built from `recipe`. */
export async function isCached(context: BenchContext, name: string, recipe: TableRecipe): Promise<boolean> {
  const marker = path.join(tableDir(context, name), MARKER);
  if (context.fresh || !existsSync(marker)) return false;
  return (await readFile(marker, 'utf8')) === JSON.stringify(recipe);
}

/** Generates `name` from `recipe` in this process unless cached; returns its directory. */
export async function ensureTable(context: BenchContext, name: string, recipe: TableRecipe): Promise<string> {
  const dir = tableDir(context, name);
  if (await isCached(context, name, recipe)) return dir;
  context.log(`generating ${name} in ${dir} …`);
  await makeLogTable({ ...recipe, out: dir, clean: true });
  await markCached(context, name, recipe);
  return dir;
}

/** Generates `name` in a child process (so its memory can be measured) and marks it cached. */
export async function generateInChild(context: BenchContext, name: string, recipe: TableRecipe, heapMiB: number): Promise<ChildReport> {
  const dir = tableDir(context, name);
  context.log(`generating ${name} in ${dir} (child process) …`);
  const report = await runChild(['generate', dir, JSON.stringify(recipe)], heapMiB);
  await markCached(context, name, recipe);
  return report;
}

async function markCached(context: BenchContext, name: string, recipe: TableRecipe): Promise<void> {
  await writeFile(path.join(tableDir(context, name), MARKER), JSON.stringify(recipe));
}
