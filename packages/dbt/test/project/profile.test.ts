import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findProfilesDir, loadProfile, ProfileError, targetContext } from '../../src/project/index.js';
import { testRenderer } from './test-renderer.js';

const PROFILES = join(import.meta.dirname, '../fixtures/shop/profiles');
const empty = mkdtempSync(join(tmpdir(), 'duckrun-profiles-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('findProfilesDir', () => {
  it('prefers --profiles-dir, then DBT_PROFILES_DIR, then the working directory, then ~/.dbt', () => {
    expect(findProfilesDir({ profilesDir: '/a', env: { DBT_PROFILES_DIR: '/b' } })).toBe('/a');
    expect(findProfilesDir({ env: { DBT_PROFILES_DIR: '/b' }, cwd: PROFILES })).toBe('/b');
    expect(findProfilesDir({ env: {}, cwd: PROFILES, homeDir: '/home/u' })).toBe(PROFILES);
    expect(findProfilesDir({ env: {}, cwd: empty, homeDir: '/home/u' })).toBe('/home/u/.dbt');
  });
});

describe('loadProfile', () => {
  it('reads the default target with env_var rendered and defaults filled in', () => {
    const t = loadProfile({ profileName: 'shop', profilesDir: PROFILES, env: {}, render: testRenderer({ SHOP_ROOT: '/wh' }) });
    expect(t).toMatchObject({ profileName: 'shop', targetName: 'dev', type: 'duckrun', rootPath: '/wh', schema: 'main', threads: 4, storageOptions: { region: 'eu-west-1' } });
    expect(t.engine).toBeUndefined();
    expect(targetContext(t)).toMatchObject({ name: 'dev', schema: 'main', type: 'duckrun', profile_name: 'shop' });
  });

  it('takes --target over DBT_TARGET over the profile default', () => {
    const viaEnv = loadProfile({ profileName: 'shop', profilesDir: PROFILES, env: { DBT_TARGET: 'prod' } });
    expect(viaEnv).toMatchObject({ targetName: 'prod', rootPath: 's3://bucket/warehouse', schema: 'analytics', engine: 'native' });
    expect(loadProfile({ profileName: 'shop', profilesDir: PROFILES, env: { DBT_TARGET: 'other' }, target: 'prod' }).targetName).toBe('prod');
  });

  it('leaves Jinja unrendered without a renderer', () => {
    expect(loadProfile({ profileName: 'shop', profilesDir: PROFILES, env: {} }).rootPath).toBe("{{ env_var('SHOP_ROOT', './warehouse') }}");
  });

  it.each([
    [{ profileName: 'nope' }, /has no profile `nope`.*it has: shop/],
    [{ profileName: 'shop', target: 'qa' }, /has no target `qa` under outputs; it has: dev, prod, other/],
    [{ profileName: 'shop', target: 'other' }, /has type `duckdb`; duckrun runs `type: duckrun` outputs/],
  ])('refuses %j with a message naming the profile file', (opts, message) => {
    const load = () => loadProfile({ profilesDir: PROFILES, env: {}, ...opts });
    expect(load).toThrow(ProfileError);
    expect(load).toThrow(message);
  });

  it('says where profiles.yml was looked for when it is missing', () => {
    expect(() => loadProfile({ profileName: 'shop', profilesDir: empty })).toThrow(`no profiles.yml in ${empty}`);
  });

  it('requires root_path', () => {
    writeFileSync(join(empty, 'profiles.yml'), 'p:\n  target: t\n  outputs:\n    t:\n      type: duckrun\n');
    expect(() => loadProfile({ profileName: 'p', profilesDir: empty })).toThrow(/target `t` has no root_path/);
  });
});
