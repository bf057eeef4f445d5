// packages.yml / dependencies.yml: which packages a project uses and where each is installed.
// Offline, only `local:` packages and copies already under dbt_packages/ can be loaded.
import { existsSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { PackageNotInstalledError, ProjectConfigError } from './errors.js';
import { renderYamlTree, type YamlRenderer } from './render.js';
import { expectList, expectMap, optionalString, readYamlFile } from './yaml-file.js';

/** One entry of packages.yml. */
export type PackageSpec =
  | { readonly kind: 'local'; readonly path: string; readonly absolutePath: string }
  | { readonly kind: 'hub'; readonly package: string; readonly version?: unknown }
  | { readonly kind: 'git'; readonly git: string; readonly revision?: string; readonly subdirectory?: string }
  | { readonly kind: 'tarball'; readonly tarball: string };

/** Reads packages.yml (or dependencies.yml) of `projectDir`; none means no packages. */
export function readPackagesFile(projectDir: string, render?: YamlRenderer, vars: Readonly<Record<string, unknown>> = {}): { file: string | undefined; packages: PackageSpec[] } {
  const file = ['packages.yml', 'dependencies.yml'].map((f) => join(projectDir, f)).find((f) => existsSync(f));
  if (file === undefined) return { file: undefined, packages: [] };
  const doc = renderYamlTree(readYamlFile(file, file), render, { kind: 'packages', file, vars });
  const top = expectMap(doc, file, 'packages.yml');
  const packages = expectList(top['packages'], file, '`packages`').map((e, i): PackageSpec => {
    const m = expectMap(e, file, `packages entry ${i + 1}`);
    const local = optionalString(m['local'], file, '`local`');
    if (local !== undefined) return { kind: 'local', path: local, absolutePath: isAbsolute(local) ? local : resolve(projectDir, local) };
    const pkg = optionalString(m['package'], file, '`package`');
    if (pkg !== undefined) return { kind: 'hub', package: pkg, ...(m['version'] === undefined ? {} : { version: m['version'] }) };
    const git = optionalString(m['git'], file, '`git`');
    if (git !== undefined) {
      const revision = optionalString(m['revision'], file, '`revision`');
      const subdirectory = optionalString(m['subdirectory'], file, '`subdirectory`');
      return { kind: 'git', git, ...(revision === undefined ? {} : { revision }), ...(subdirectory === undefined ? {} : { subdirectory }) };
    }
    const tarball = optionalString(m['tarball'], file, '`tarball`');
    if (tarball !== undefined) return { kind: 'tarball', tarball };
    throw new ProjectConfigError(file, undefined, `packages entry ${i + 1} needs one of local:, package:, git: or tarball:`);
  });
  return { file, packages };
}

/** Directories under the install path that hold a dbt_project.yml (installed or vendored packages). */
export function listInstalledPackageDirs(installDir: string): string[] {
  if (!existsSync(installDir)) return [];
  return readdirSync(installDir, { withFileTypes: true })
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && existsSync(join(installDir, e.name, 'dbt_project.yml')))
    .map((e) => join(installDir, e.name))
    .sort();
}

/**
 * Checks that every non-local package is present under the install path (by its last name
 * segment, as `dbt deps` names folders), and returns the local packages that are not installed
 * there, to be loaded from their own folders.
 */
export function resolvePackageDirs(file: string, specs: readonly PackageSpec[], installedDirs: readonly string[]): string[] {
  const installedNames = new Set(installedDirs.map((d) => basename(d)));
  const extra: string[] = [];
  for (const spec of specs) {
    if (spec.kind === 'local') {
      if (!existsSync(join(spec.absolutePath, 'dbt_project.yml'))) {
        throw new ProjectConfigError(file, undefined, `local package ${spec.path} has no dbt_project.yml at ${spec.absolutePath}`);
      }
      if (!installedNames.has(basename(spec.absolutePath))) extra.push(spec.absolutePath);
      continue;
    }
    const wanted = spec.kind === 'hub' ? spec.package.split('/').pop()! : spec.kind === 'git' ? basename(spec.subdirectory ?? spec.git).replace(/\.git$/, '') : basename(spec.tarball).replace(/\.(tar\.gz|tgz)$/, '');
    if (!installedNames.has(wanted) && !installedNames.has(wanted.replace(/-/g, '_'))) {
      const what = spec.kind === 'hub' ? spec.package : spec.kind === 'git' ? spec.git : spec.tarball;
      throw new PackageNotInstalledError(
        file,
        `package ${what} is not installed and duckrun cannot download packages; vendor it into the packages install path (e.g. dbt_packages/${wanted}/) or list it as \`local: <path>\``,
      );
    }
  }
  return extra;
}
