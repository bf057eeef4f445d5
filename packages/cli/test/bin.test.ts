// The duckrun command line: dispatch, help, version, usage errors and exit codes (no engine needed).
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { runCli } from './helpers.js';

describe('duckrun', () => {
  it('prints its version with --version and -v', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `duckrun ${VERSION}\n`, stderr: '' });
    expect((await runCli(['-v'])).stdout).toBe(`duckrun ${VERSION}\n`);
  });

  it('prints usage with --help (exit 0) and without a command (exit 2)', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: duckrun <command>');
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: duckrun <command>');
  });

  it('rejects an unknown command with exit code 2', async () => {
    expect(await runCli(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: 'error: unknown command "frobnicate"; run duckrun --help\n' });
  });

  it('documents every sql option in duckrun sql --help', async () => {
    const { code, stdout } = await runCli(['sql', '--help']);
    expect(code).toBe(0);
    for (const option of ['--root URI', '--format table|csv|json', '--output FILE', '--storage-option KEY=VALUE', '--debug', '--write']) {
      expect(stdout).toContain(option);
    }
  });

  it.each([
    [['sql'], 'error: missing SQL'],
    [['sql', 'SELECT 1', 'SELECT 2'], 'error: expected one SQL argument but got 2'],
    [['sql', '--bogus', 'SELECT 1'], "error: Unknown option '--bogus'"],
    [['sql', '--format', 'xml', 'SELECT 1'], 'error: --format xml is not supported; use one of table, csv, json'],
    [['sql', '--output', 'out.txt', 'SELECT 1'], 'error: --output out.txt: the file name must end in .parquet, .csv or .json'],
    [['sql', '--storage-option', 'novalue', 'SELECT 1'], 'error: --storage-option novalue must be KEY=VALUE'],
    [['sql', '  '], 'error: the SQL text is empty'],
  ])('exits with code 2 and one error line plus a help hint for %j', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(message);
    expect(lines[1]).toBe('run duckrun sql --help for usage');
  });

  it('keeps the library entry point free of CLI code', async () => {
    const lib = await import('../src/index.js');
    expect(Object.keys(lib)).not.toContain('main');
    expect(Object.keys(lib)).toContain('openSession');
  });
});
