// Reading project files the runner needs beyond what project loading read (seed CSVs), as UTF-8 text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads `<rootDir>/<relativePath>` as UTF-8 text; throws the fs error (ENOENT names the path). */
export function readProjectText(rootDir: string, relativePath: string): string {
  return readFileSync(join(rootDir, relativePath), 'utf8');
}
