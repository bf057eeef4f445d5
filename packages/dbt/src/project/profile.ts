// profiles.yml: finding it (--profiles-dir, DBT_PROFILES_DIR, the working directory, ~/.dbt),
// picking the profile and target, and reading a `type: duckrun` output.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProfileError } from './errors.js';
import { renderYamlTree, type YamlRenderer } from './render.js';
import { isMap, readYamlFile, type YamlMap } from './yaml-file.js';

/** Where to look for profiles.yml and which profile and target to use. */
export interface ProfileOptions {
  /** The profile named by dbt_project.yml `profile:`. */
  readonly profileName: string;
  /** `--profiles-dir`. */
  readonly profilesDir?: string;
  /** `--target`; else DBT_TARGET, else the profile's `target:`, else `default`. */
  readonly target?: string;
  /** Environment for DBT_PROFILES_DIR / DBT_TARGET (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory searched before ~/.dbt (dbt searches the working directory; default process.cwd()). */
  readonly cwd?: string;
  /** Home directory (default os.homedir()). */
  readonly homeDir?: string;
  /** Renders `{{ env_var(…) }}` in profile values. */
  readonly render?: YamlRenderer;
}

/** The selected target of a duckrun profile. */
export interface ResolvedTarget {
  readonly profileName: string;
  readonly targetName: string;
  readonly type: 'duckrun';
  /** Where tables live: a local path or a store URL (s3://, az://, gs://, …). */
  readonly rootPath: string;
  /** Default schema (a folder under root_path); `main` when unset. */
  readonly schema: string;
  readonly storageOptions: Readonly<Record<string, string>>;
  /** SQL engine to use (`wasm` | `native`), when the profile names one. */
  readonly engine?: string;
  /** Accepted for dbt compatibility and ignored: runs are single-writer per table. */
  readonly threads: number;
  /** The profiles.yml that was read. */
  readonly file: string;
  /** The output as rendered, for keys duckrun does not interpret. */
  readonly raw: Readonly<YamlMap>;
}

/** The directory profiles.yml is read from, by dbt's precedence. */
export function findProfilesDir(options: Pick<ProfileOptions, 'profilesDir' | 'env' | 'cwd' | 'homeDir'>): string {
  const env = options.env ?? process.env;
  if (options.profilesDir !== undefined) return options.profilesDir;
  const fromEnv = env['DBT_PROFILES_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const cwd = options.cwd ?? process.cwd();
  if (existsSync(join(cwd, 'profiles.yml'))) return cwd;
  return join(options.homeDir ?? homedir(), '.dbt');
}

/** Reads profiles.yml and returns the selected target, refusing anything but `type: duckrun`. */
export function loadProfile(options: ProfileOptions): ResolvedTarget {
  const env = options.env ?? process.env;
  const dir = findProfilesDir(options);
  const file = join(dir, 'profiles.yml');
  if (!existsSync(file)) {
    throw new ProfileError(
      `no profiles.yml in ${dir}; create it with a \`${options.profileName}:\` profile of \`type: duckrun\`, or point --profiles-dir (or DBT_PROFILES_DIR) at the directory that has it`,
    );
  }
  const doc = readYamlFile(file, file);
  if (!isMap(doc)) throw new ProfileError(`${file} must be a mapping of profile names to profiles`);
  const profile = doc[options.profileName];
  if (!isMap(profile)) {
    const names = Object.keys(doc).filter((k) => k !== 'config');
    throw new ProfileError(`${file} has no profile \`${options.profileName}\` (the profile dbt_project.yml names); it has: ${names.join(', ') || 'none'}`);
  }
  const ctx = { kind: 'profile' as const, file, vars: {} };
  const defaultTarget = renderYamlTree(profile['target'], options.render, ctx);
  const targetName = options.target ?? nonEmpty(env['DBT_TARGET']) ?? (typeof defaultTarget === 'string' ? defaultTarget : 'default');
  const outputs = profile['outputs'];
  if (!isMap(outputs) || !isMap(outputs[targetName])) {
    const names = isMap(outputs) ? Object.keys(outputs) : [];
    throw new ProfileError(`${file}: profile \`${options.profileName}\` has no target \`${targetName}\` under outputs; it has: ${names.join(', ') || 'none'}`);
  }
  const raw = renderYamlTree(outputs[targetName], options.render, ctx) as YamlMap;
  const where = `${file}: profile \`${options.profileName}\`, target \`${targetName}\``;
  if (raw['type'] !== 'duckrun') {
    throw new ProfileError(`${where} has type \`${String(raw['type'])}\`; duckrun runs \`type: duckrun\` outputs — set type: duckrun and root_path: <local path or store URL>`);
  }
  const rootPath = raw['root_path'];
  if (typeof rootPath !== 'string' || rootPath === '') throw new ProfileError(`${where} has no root_path; set it to a local directory or a store URL such as s3://bucket/warehouse`);
  const schema = raw['schema'] ?? 'main';
  if (typeof schema !== 'string' || schema === '') throw new ProfileError(`${where}: schema must be a non-empty string`);
  const storageOptions = raw['storage_options'] ?? {};
  if (!isMap(storageOptions)) throw new ProfileError(`${where}: storage_options must be a mapping of option names to values`);
  const engine = raw['engine'];
  if (engine !== undefined && typeof engine !== 'string') throw new ProfileError(`${where}: engine must be a string (wasm or native)`);
  const threads = Number(raw['threads'] ?? 1);
  return {
    profileName: options.profileName,
    targetName,
    type: 'duckrun',
    rootPath,
    schema,
    storageOptions: Object.fromEntries(Object.entries(storageOptions).map(([k, v]) => [k, String(v)])),
    ...(engine === undefined ? {} : { engine }),
    threads: Number.isFinite(threads) && threads > 0 ? Math.floor(threads) : 1,
    file,
    raw,
  };
}

/** The `target` object templates see (`target.name`, `target.schema`, `target.type`, …). */
export function targetContext(t: ResolvedTarget): Readonly<Record<string, unknown>> {
  return {
    ...t.raw,
    name: t.targetName,
    target_name: t.targetName,
    profile_name: t.profileName,
    type: t.type,
    schema: t.schema,
    root_path: t.rootPath,
    threads: t.threads,
    database: typeof t.raw['database'] === 'string' ? t.raw['database'] : 'main',
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
