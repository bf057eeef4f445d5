// `duckrun deps`: installs the `local:` packages of packages.yml into the packages install path by
// copying them; hub, git and tarball packages cannot be fetched offline, so they must already be vendored.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { project as dbtProject } from '@duckrun/dbt';
import type { CliIO } from '../cli-io.js';
import { UsageError } from '../errors.js';
import { PROJECT_DIR_OPTIONS, optionHelp, parseOptions } from '../options.js';
import { projectDirOf, readProjectFile } from '../project-location.js';

const HELP = `usage: duckrun deps [options]

Installs the packages listed in packages.yml (or dependencies.yml) into dbt_packages/ (the project's
packages-install-path). \`local: <path>\` packages are copied. duckrun does not download anything: hub
(\`package:\`), \`git:\` and \`tarball:\` packages must already be vendored under dbt_packages/<name>/,
otherwise deps fails and says which ones are missing.

options:
${optionHelp(PROJECT_DIR_OPTIONS)}
`;

/** Folders of a local package that are build output, not package code. */
const SKIPPED = new Set(['target', 'dbt_packages', 'logs', '.git', 'node_modules']);

/** Runs `duckrun deps`; returns the exit code. */
export async function runDepsCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, PROJECT_DIR_OPTIONS);
  if (values.help) {
    await io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`duckrun deps takes no arguments, got ${positionals.join(' ')}`);
  const dir = projectDirOf(values['project-dir']);
  const { project } = readProjectFile(dir);
  const { file, packages } = dbtProject.readPackagesFile(dir);
  if (file === undefined || packages.length === 0) {
    await io.stdout('Warning: No packages were found in packages.yml\n');
    return 0;
  }
  const installDir = join(dir, project.packagesInstallPath);
  const vendored = new Set(dbtProject.listInstalledPackageDirs(installDir).map((d) => basename(d)));
  const missing: string[] = [];
  for (const spec of packages) {
    if (spec.kind === 'local') {
      const source = spec.absolutePath;
      const projectFile = join(source, 'dbt_project.yml');
      if (!existsSync(projectFile)) {
        await io.stderr(`error: local package ${spec.path} has no dbt_project.yml at ${source}\n`);
        missing.push(spec.path);
        continue;
      }
      const name = dbtProject.parseDbtProjectFile(dbtProject.parseYaml(readFileSync(projectFile, 'utf8'), projectFile), projectFile).name;
      const dest = join(installDir, name);
      await io.stdout(`Installing ${spec.path}\n`);
      await rm(dest, { recursive: true, force: true });
      await mkdir(installDir, { recursive: true });
      await cp(source, dest, { recursive: true, filter: (src) => !(relative(source, src).split(/[\\/]/).length === 1 && SKIPPED.has(basename(src))) });
      await io.stdout(`  Installed from <local @ ${spec.path}> into ${relative(dir, dest) || '.'}\n`);
      continue;
    }
    const what = spec.kind === 'hub' ? spec.package : spec.kind === 'git' ? spec.git : spec.tarball;
    const wanted = folderName(spec);
    if (vendored.has(wanted) || vendored.has(wanted.replace(/-/g, '_'))) {
      await io.stdout(`Found ${what} vendored in ${project.packagesInstallPath}/${wanted}/ (not fetched: duckrun works offline)\n`);
      continue;
    }
    await io.stderr(
      `error: cannot install ${what}: duckrun does not download ${spec.kind} packages (no network access); vendor a copy into ${project.packagesInstallPath}/${wanted}/ or list it in packages.yml as \`local: <path>\`\n`,
    );
    missing.push(what);
  }
  if (missing.length > 0) {
    await io.stderr(`error: ${missing.length} of ${packages.length} ${packages.length === 1 ? 'package is' : 'packages are'} not installed: ${missing.join(', ')}\n`);
    return 1;
  }
  return 0;
}

/** The folder `dbt deps` would install a remote package into: the last segment of its name. */
function folderName(spec: Exclude<dbtProject.PackageSpec, { kind: 'local' }>): string {
  switch (spec.kind) {
    case 'hub':
      return spec.package.split('/').pop()!;
    case 'git':
      return basename(spec.subdirectory ?? spec.git).replace(/\.git$/, '');
    case 'tarball':
      return basename(spec.tarball).replace(/\.(tar\.gz|tgz)$/, '');
  }
}
