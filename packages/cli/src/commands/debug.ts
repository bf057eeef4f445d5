// `duckrun debug`: checks dbt_project.yml, the profile (type duckrun, root_path) and that the store
// under root_path accepts a write, a read and a delete of a probe object; prints dbt-like check lines.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { artifacts, project as dbtProject } from '@duckrun/dbt';
import { resolveStore, toUrl } from '@duckrun/storage';
import type { CliIO } from '../cli-io.js';
import { UsageError } from '../errors.js';
import { DEBUG_OPTIONS, optionHelp, parseOptions } from '../options.js';
import { parseVarsFlag, projectDirOf, readProjectFile } from '../project-location.js';
import { VERSION } from '../version.js';

const HELP = `usage: duckrun debug [options]

Checks that dbt_project.yml is valid, that profiles.yml has the project's profile with a
\`type: duckrun\` target and a root_path, and that the store at root_path can be written, read and
deleted from (with a small probe object that is removed again). Exits 1 if any check fails.

options:
${optionHelp(DEBUG_OPTIONS)}
`;

/** Runs `duckrun debug`; returns the exit code. */
export async function runDebugCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, DEBUG_OPTIONS);
  if (values.help) {
    await io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`duckrun debug takes no arguments, got ${positionals.join(' ')}`);
  parseVarsFlag(values.vars);
  const out = (line: string) => io.stdout(`${line}\n`);
  const failures: string[] = [];
  const dir = projectDirOf(values['project-dir']);
  await out(`Running with duckrun=${VERSION} (dbt=${artifacts.DBT_VERSION} compatible)`);
  await out(`duckrun version: ${VERSION}`);
  await out(`node version: ${process.versions.node}`);
  await out(`os info: ${process.platform} ${process.arch}`);
  const profilesDir = dbtProject.findProfilesDir({ ...(values['profiles-dir'] === undefined ? {} : { profilesDir: values['profiles-dir'] }), cwd: dir });
  await out(`Using profiles dir at ${profilesDir}`);
  await out(`Using profiles.yml file at ${join(profilesDir, 'profiles.yml')}`);
  await out(`Using dbt_project.yml file at ${join(dir, 'dbt_project.yml')}`);
  await out('adapter type: duckrun');
  await out(`adapter version: ${VERSION}`);

  let profileName: string | undefined;
  let projectStatus = 'OK found and valid';
  try {
    const { project } = readProjectFile(dir);
    profileName = project.profile ?? project.name;
  } catch (e) {
    projectStatus = 'ERROR invalid';
    failures.push(`Project loading failed for the following reason:\n  ${oneLine(e)}`);
  }
  let target: dbtProject.ResolvedTarget | undefined;
  let profileStatus = 'ERROR invalid';
  if (profileName !== undefined) {
    try {
      target = dbtProject.loadProfile({
        profileName,
        ...(values['profiles-dir'] === undefined ? {} : { profilesDir: values['profiles-dir'] }),
        ...(values.target === undefined ? {} : { target: values.target }),
        cwd: dir,
      });
      profileStatus = 'OK found and valid';
    } catch (e) {
      failures.push(`Profile loading failed for the following reason:\n  ${oneLine(e)}`);
    }
  } else {
    profileStatus = 'ERROR not checked (dbt_project.yml is invalid)';
  }
  await out('Configuration:');
  await out(`  profiles.yml file [${profileStatus}]`);
  await out(`  dbt_project.yml file [${projectStatus}]`);

  if (target !== undefined) {
    const rootUrl = toUrl(target.rootPath, dir);
    await out('Connection:');
    await out(`  profile: ${target.profileName}`);
    await out(`  target: ${target.targetName}`);
    await out(`  root_path: ${target.rootPath}`);
    await out(`  resolved root: ${rootUrl}`);
    await out(`  schema: ${target.schema}`);
    if (target.engine !== undefined) await out(`  engine: ${target.engine}`);
    if (Object.keys(target.storageOptions).length > 0) await out(`  storage_options: ${Object.keys(target.storageOptions).sort().join(', ')}`);
    try {
      await probeStore(rootUrl, target.storageOptions);
      await out('  Connection test: [OK connection ok]');
    } catch (e) {
      await out('  Connection test: [ERROR]');
      failures.push(`Connection test failed: could not write, read and delete a probe object under ${rootUrl}:\n  ${oneLine(e)}`);
    }
  }
  await out('');
  if (failures.length === 0) {
    await out('All checks passed!');
    return 0;
  }
  await out(`${failures.length} ${failures.length === 1 ? 'check' : 'checks'} failed:`);
  for (const f of failures) await out(f);
  return 1;
}

/** Writes, reads back and deletes a small object at the store root. */
async function probeStore(rootUrl: string, storageOptions: Readonly<Record<string, string>>): Promise<void> {
  const store = await resolveStore(rootUrl, storageOptions);
  const path = `_duckrun_debug_probe_${randomUUID()}`;
  const body = new TextEncoder().encode('duckrun debug probe\n');
  await store.put(path, body);
  try {
    const back = await store.get(path);
    if (back.length !== body.length) throw new Error(`read back ${back.length} bytes of the ${body.length} written`);
  } finally {
    await store.delete([path]);
  }
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim();
}
