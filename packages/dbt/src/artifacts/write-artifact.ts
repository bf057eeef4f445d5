// Writing artifacts under the target path: whole-file replace through a temporary file, so a
// reader never sees half a manifest.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `value` as `<targetDir>/<name>` (JSON, two-space indent) and returns the path. */
export function writeArtifact(targetDir: string, name: 'manifest.json' | 'run_results.json' | string, value: unknown): string {
  mkdirSync(targetDir, { recursive: true });
  const path = join(targetDir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}
