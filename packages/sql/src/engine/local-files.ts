// Local file operations for engines that read and write the local disk themselves (native DuckDB): the
// SQL layer asks the engine for them, so only engine code touches node:fs.
import { link, mkdir, rm, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalFiles } from './engine.js';

/** The local file system, as {@link LocalFiles}. */
export const nodeLocalFiles: LocalFiles = {
  pathOf(url: string): string | undefined {
    if (!url.startsWith('file:')) return undefined;
    try {
      return fileURLToPath(url);
    } catch {
      return undefined; // a file URL with a host (a network share)
    }
  },
  join(dir: string, key: string): string {
    return path.join(dir, ...key.split('/'));
  },
  async makeDirs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
  },
  async move(from: string, to: string): Promise<void> {
    await mkdir(path.dirname(to), { recursive: true });
    // A hard link never replaces an existing file (rename would, silently); then the staged name goes.
    await link(from, to);
    await unlink(from);
  },
  async removeTree(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  },
};
