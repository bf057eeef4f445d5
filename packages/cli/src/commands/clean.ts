// `duckrun clean`: deletes the project's clean-targets (dbt's default: target/ and dbt_packages/),
// refusing paths outside the project and the folders that hold its sources.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CliIO } from '../cli-io.js';
import { UsageError } from '../errors.js';
import { PROJECT_DIR_OPTIONS, optionHelp, parseOptions } from '../options.js';
import { projectDirOf, readProjectFile } from '../project-location.js';

const HELP = `usage: duckrun clean [options]

Deletes the folders dbt_project.yml lists under clean-targets (default: the target path and
dbt_packages/). Paths outside the project and source folders (models/, seeds/, …) are never deleted.

options:
${optionHelp(PROJECT_DIR_OPTIONS)}
`;

/** Runs `duckrun clean`; returns the exit code. */
export async function runCleanCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, PROJECT_DIR_OPTIONS);
  if (values.help) {
    await io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`duckrun clean takes no arguments, got ${positionals.join(' ')}`);
  const dir = projectDirOf(values['project-dir']);
  const { project } = readProjectFile(dir);
  const targets = project.cleanTargets.length > 0 ? project.cleanTargets : [project.targetPath, project.packagesInstallPath];
  const protectedPaths = [
    ...project.modelPaths,
    ...project.seedPaths,
    ...project.snapshotPaths,
    ...project.testPaths,
    ...project.macroPaths,
    ...project.analysisPaths,
  ].map((p) => resolve(dir, p));
  let refused = 0;
  for (const target of targets) {
    const path = resolve(dir, target);
    const inside = relative(dir, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      await io.stderr(`error: not cleaning ${target}: it is outside the project ${dir}\n`);
      refused++;
      continue;
    }
    if (protectedPaths.some((p) => p === path || p.startsWith(`${path}${sep}`))) {
      await io.stderr(`error: not cleaning ${target}: it holds project sources (model, seed, snapshot, test, macro or analysis paths)\n`);
      refused++;
      continue;
    }
    await io.stdout(`Checking ${target}/*\n`);
    if (existsSync(path)) {
      await rm(path, { recursive: true, force: true });
      await io.stdout(`Cleaned ${target}/*\n`);
    }
  }
  await io.stdout(refused === 0 ? 'Finished cleaning all paths.\n' : `Finished cleaning; ${refused} ${refused === 1 ? 'path was' : 'paths were'} left alone.\n`);
  return refused === 0 ? 0 : 1;
}
