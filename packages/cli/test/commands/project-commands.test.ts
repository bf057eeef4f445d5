// duckrun debug, clean, deps and init: project housekeeping that needs no runner, on temp projects.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandMultiWordFlags } from '../../src/options.js';
import { runOptions } from '../../src/dbt-command.js';
import { runCli } from '../helpers.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'duckrun-cli-project-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  const file = join(dir, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

function minimalProject(extra = ''): void {
  write('dbt_project.yml', `name: shop\nprofile: shop\n${extra}`);
  write('profiles.yml', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckrun\n      root_path: ./warehouse\n');
  write('models/a.sql', 'select 1 as id\n');
}

describe('flag parsing for project commands', () => {
  it.each([
    [['-s', 'a', 'b', '--exclude', 'c', 'd'], ['-s', 'a', '-s', 'b', '--exclude', 'c', '--exclude', 'd']],
    [['--select', 'a', '--full-refresh'], ['--select', 'a', '--full-refresh']],
    [['--target', 'dev', 'extra'], ['--target', 'dev', 'extra']],
    [['--select=a', 'b'], ['--select=a', 'b']],
  ])('reads dbt-style multi-word selectors in %j', (args, expected) => {
    expect(expandMultiWordFlags(args)).toEqual(expected);
  });

  it('maps flags to runner options, parsing --vars as YAML and --limit as a number', () => {
    const o = runOptions({ 'project-dir': dir, select: ['+a', 'b'], 'full-refresh': true, vars: '{day: 3, name: x}', limit: '10', inline: 'select 1' });
    expect(o).toEqual({ projectDir: dir, select: ['+a', 'b'], fullRefresh: true, vars: { day: 3, name: 'x' }, limit: 10, inline: 'select 1' });
  });

  it.each([
    [{ vars: '[1, 2]' }, '--vars must be a YAML or JSON mapping'],
    [{ vars: '{a: ' }, '--vars is not valid YAML'],
    [{ limit: 'ten' }, '--limit ten must be a whole number'],
    [{ inline: '  ' }, '--inline needs SQL'],
  ])('refuses %j', (flags, message) => {
    expect(() => runOptions(flags)).toThrow(message);
  });

  it('rejects positional arguments with a hint to use --select', async () => {
    const r = await runCli(['run', 'customers', '--project-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unexpected argument "customers"; select nodes with --select customers');
  });

  it.each(['run', 'build', 'test', 'seed', 'snapshot', 'compile', 'show', 'ls', 'debug', 'clean', 'deps', 'init'])('documents duckrun %s --help', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`usage: duckrun ${command}`);
  });

  it('lists dbt flags in the help of run', async () => {
    const { stdout } = await runCli(['run', '--help']);
    for (const flag of ['--project-dir DIR', '--profiles-dir DIR', '-t, --target NAME', '--vars YAML', '-s, --select SELECTOR', '--exclude SELECTOR', '--full-refresh', '--event-time-start', '--event-time-end']) {
      expect(stdout).toContain(flag);
    }
  });
});

describe('duckrun debug', () => {
  it('checks the project, the profile and the store and says All checks passed!', async () => {
    minimalProject();
    const r = await runCli(['debug', '--project-dir', dir, '--profiles-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  profiles.yml file [OK found and valid]\n');
    expect(r.stdout).toContain('  dbt_project.yml file [OK found and valid]\n');
    expect(r.stdout).toContain('  root_path: ./warehouse\n');
    expect(r.stdout).toContain('  Connection test: [OK connection ok]\n');
    expect(r.stdout.endsWith('All checks passed!\n')).toBe(true);
    // The probe object is deleted again.
    expect(readdirSync(join(dir, 'warehouse')).filter((f) => f.includes('probe'))).toEqual([]);
  });

  it('fails with exit 1 and the reason when the profile is not type duckrun', async () => {
    minimalProject();
    write('profiles.yml', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: x.duckdb\n');
    const r = await runCli(['debug', '--project-dir', dir, '--profiles-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  profiles.yml file [ERROR invalid]\n');
    expect(r.stdout).toContain('1 check failed:\nProfile loading failed for the following reason:\n');
    expect(r.stdout).toContain('has type `duckdb`; duckrun runs `type: duckrun` outputs');
  });

  it('fails when dbt_project.yml is missing', async () => {
    const r = await runCli(['debug', '--project-dir', dir, '--profiles-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  dbt_project.yml file [ERROR invalid]\n');
    expect(r.stdout).toContain('dbt_project.yml: not found');
  });

  it('fails the connection test when root_path cannot be written', async () => {
    minimalProject();
    write('blocker', 'a file, not a directory');
    write('profiles.yml', 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckrun\n      root_path: ./blocker/warehouse\n');
    const r = await runCli(['debug', '--project-dir', dir, '--profiles-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  Connection test: [ERROR]\n');
    expect(r.stdout).toMatch(/Connection test failed: could not write, read and delete a probe object under file:\/\/.*blocker\/warehouse/);
  });
});

describe('duckrun clean', () => {
  it('removes target/ and dbt_packages/ by default', async () => {
    minimalProject();
    write('target/manifest.json', '{}');
    write('dbt_packages/p/dbt_project.yml', 'name: p\n');
    const r = await runCli(['clean', '--project-dir', dir]);
    expect(r).toEqual({
      code: 0,
      stdout: 'Checking target/*\nCleaned target/*\nChecking dbt_packages/*\nCleaned dbt_packages/*\nFinished cleaning all paths.\n',
      stderr: '',
    });
    expect(existsSync(join(dir, 'target'))).toBe(false);
    expect(existsSync(join(dir, 'models/a.sql'))).toBe(true);
  });

  it('removes the listed clean-targets and refuses paths outside the project or holding sources', async () => {
    minimalProject('clean-targets: [build_out, ../elsewhere, models]\n');
    write('build_out/x', '1');
    const r = await runCli(['clean', '--project-dir', dir]);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'build_out'))).toBe(false);
    expect(existsSync(join(dir, 'models/a.sql'))).toBe(true);
    expect(r.stderr).toContain('not cleaning ../elsewhere: it is outside the project');
    expect(r.stderr).toContain('not cleaning models: it holds project sources');
  });
});

describe('duckrun deps', () => {
  it('copies local packages into dbt_packages/ under their project name', async () => {
    minimalProject();
    // A local package outside the project, named by absolute path.
    const pkg = mkdtempSync(join(tmpdir(), 'duckrun-cli-pkg-'));
    writeFileSync(join(pkg, 'dbt_project.yml'), 'name: my_utils\n');
    write('vendor/helpers/dbt_project.yml', 'name: helpers\n');
    write('vendor/helpers/macros/m.sql', '{% macro m() %}1{% endmacro %}\n');
    write('vendor/helpers/target/junk', 'x');
    write('packages.yml', `packages:\n  - local: vendor/helpers\n  - local: ${pkg}\n`);
    try {
      const r = await runCli(['deps', '--project-dir', dir]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Installing vendor/helpers\n  Installed from <local @ vendor/helpers> into dbt_packages/helpers\n');
      expect(readFileSync(join(dir, 'dbt_packages/helpers/macros/m.sql'), 'utf8')).toContain('macro m()');
      expect(existsSync(join(dir, 'dbt_packages/helpers/target'))).toBe(false);
      expect(existsSync(join(dir, 'dbt_packages/my_utils/dbt_project.yml'))).toBe(true);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });

  it('says it cannot fetch hub and git packages and exits 1 unless they are vendored', async () => {
    minimalProject();
    write('packages.yml', 'packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n  - git: https://github.com/acme/dbt-things.git\n');
    const missing = await runCli(['deps', '--project-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: cannot install dbt-labs/dbt_utils: duckrun does not download hub packages (no network access); vendor a copy into dbt_packages/dbt_utils/');
    expect(missing.stderr).toContain('error: cannot install https://github.com/acme/dbt-things.git');
    expect(missing.stderr).toContain('error: 2 of 2 packages are not installed');

    write('dbt_packages/dbt_utils/dbt_project.yml', 'name: dbt_utils\n');
    write('dbt_packages/dbt-things/dbt_project.yml', 'name: dbt_things\n');
    const vendored = await runCli(['deps', '--project-dir', dir]);
    expect(vendored.code).toBe(0);
    expect(vendored.stdout).toContain('Found dbt-labs/dbt_utils vendored in dbt_packages/dbt_utils/ (not fetched: duckrun works offline)');
  });

  it('has nothing to do without packages.yml', async () => {
    minimalProject();
    expect(await runCli(['deps', '--project-dir', dir])).toEqual({ code: 0, stdout: 'Warning: No packages were found in packages.yml\n', stderr: '' });
  });
});

describe('duckrun init', () => {
  it('scaffolds a project with a duckrun profile that debug accepts', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await runCli(['init', 'my_shop']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Your new dbt project "my_shop" was created');
    } finally {
      process.chdir(cwd);
    }
    const project = join(dir, 'my_shop');
    expect(readFileSync(join(project, 'profiles.yml'), 'utf8')).toContain('type: duckrun');
    expect(existsSync(join(project, 'models/example/stg_countries.sql'))).toBe(true);
    const check = await runCli(['debug', '--project-dir', project, '--profiles-dir', project]);
    expect(check.stdout).toContain('All checks passed!');
  });

  it('refuses a bad name and a non-empty directory', async () => {
    expect((await runCli(['init', '1shop'])).stderr).toContain('must be letters, digits and underscores');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      write('taken/x', '1');
      const r = await runCli(['init', 'taken']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('already exists and is not empty');
    } finally {
      process.chdir(cwd);
    }
  });
});
