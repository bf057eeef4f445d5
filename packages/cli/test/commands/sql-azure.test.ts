// `duckrun sql --root az://… --storage-option …` against a real Azurite, in-process: reading a Delta table
// with delta_scan, writing one with --write, and the error for an unknown storage option.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDeltaTable } from '@duckrun/delta';
import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { runCli } from '../helpers.js';
import { azuriteContainer } from '../../../storage/test/servers/azurite-admin.js';
import { useAzurite } from '../../../storage/test/servers/azurite-provided.js';

const azurite = await useAzurite();
const CONTAINER = `cli-${process.pid}-${Date.now().toString(36)}`;
const ROOT = `az://${CONTAINER}/lake`;
const previousAzuriteUrl = process.env.AZURITE_BLOB_STORAGE_URL;
let container: Awaited<ReturnType<typeof azuriteContainer>> | undefined;

beforeAll(async () => {
  if (azurite.skip !== undefined) return;
  // azure_storage_use_emulator=true alone means http://127.0.0.1:10000; this run's Azurite has its own
  // port, which object_store (and duckrun) take from AZURITE_BLOB_STORAGE_URL.
  process.env.AZURITE_BLOB_STORAGE_URL = azurite.blobUrl;
  container = await azuriteContainer(azurite.accountUrl, CONTAINER);
  const ids = [1n, 2n, 3n, 4n, 5n];
  await writeDeltaTable(
    `${ROOT}/t`,
    new Table({ id: vectorFromArray(ids, new Int64()), name: vectorFromArray(ids.map((i) => `n${i}`), new Utf8()) }),
    { storageOptions: { azure_storage_use_emulator: 'true' } },
  );
});

afterAll(async () => {
  if (previousAzuriteUrl === undefined) delete process.env.AZURITE_BLOB_STORAGE_URL;
  else process.env.AZURITE_BLOB_STORAGE_URL = previousAzuriteUrl;
  await container?.deleteIfExists();
});

describe.skipIf(azurite.skip !== undefined)(`duckrun sql on Azure (Azurite${azurite.skip !== undefined ? `; skipped: ${azurite.skip}` : ''})`, () => {
  it('counts the rows of a Delta table under an az:// root', async () => {
    const r = await runCli(['sql', '--root', ROOT, '--storage-option', 'azure_storage_use_emulator=true', "SELECT count(*) FROM delta_scan('t')"]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('│            5 │');
    const csv = await runCli(['sql', '--root', ROOT, '--storage-option', 'azure_storage_use_emulator=true', '-f', 'csv', "SELECT sum(id) AS s FROM delta_scan('t')"]);
    expect([csv.code, csv.stdout, csv.stderr]).toEqual([0, 's\n15\n', '']);
  });

  it('takes the account, key and endpoint as separate storage options, and writes with --write', async () => {
    const opts = [
      '--storage-option',
      'azure_storage_account_name=devstoreaccount1',
      '--storage-option',
      // Azurite's publicly documented development key, not a secret.
      'azure_storage_account_key=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
      '--storage-option',
      `azure_storage_endpoint=${azurite.skip === undefined ? azurite.accountUrl : ''}`,
    ];
    const created = await runCli(['sql', '--root', ROOT, ...opts, '--write', "CREATE TABLE doubled AS SELECT id * 2 AS id FROM delta_scan('t')"]);
    expect([created.code, created.stdout, created.stderr]).toEqual([0, 'created doubled (version 0): 5 rows\n', '']);
    const read = await runCli(['sql', '--root', ROOT, ...opts, '-f', 'csv', "SELECT max(id) AS m FROM delta_scan('doubled')"]);
    expect([read.code, read.stdout, read.stderr]).toEqual([0, 'm\n10\n', '']);
    const names: string[] = [];
    for await (const b of container!.listBlobsFlat({ prefix: 'lake/doubled/_delta_log/' })) names.push(b.name);
    expect(names).toEqual(['lake/doubled/_delta_log/00000000000000000000.json']);
  });

  it('rejects an unknown storage option with one line listing the valid ones', async () => {
    const r = await runCli(['sql', '--root', ROOT, '--storage-option', 'azure_storage_use_emulator=true', '--storage-option', 'aws_region=x', "SELECT count(*) FROM delta_scan('t')"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown storage option\(s\) aws_region for Azure; valid options are azure_storage_account_name, /);
  });
});
