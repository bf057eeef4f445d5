// The Azure adapter: URL forms and options offline, then the object-store contract and Azure-specific
// behaviour (409 create race, block uploads, ranges, retries, error mapping) against a real Azurite.

import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  NotFoundError,
  StoreConfigError,
  StoreUnavailableError,
  isDuckrunError,
  resolveStore,
} from '../../src/index.js';
import {
  AZURE_OPTION_KEYS,
  AzureStore,
  azureStoreFromUrl,
  parseAzureUrl,
  resolveAzureConfig,
  type AzureStoreTuning,
} from '../../src/stores/azure.js';
import { describeObjectStoreContract } from '../contract.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../servers/azurite.js';
import { useAzurite } from '../servers/azurite-provided.js';
import { startAzuriteProxy } from '../servers/azurite-proxy.js';

const azurite = await useAzurite();
const skip = azurite.skip;
const accountUrl = azurite.skip === undefined ? azurite.accountUrl : 'http://127.0.0.1:9/unavailable';

const encoder = new TextEncoder();
const bytes = (s: string): Uint8Array => encoder.encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// ---------------------------------------------------------------------------------------------------
// Offline: URL forms, options, lazy loading.

describe('Azure URL forms (no server)', () => {
  it.each([
    ['abfss://fs@acct.dfs.core.windows.net/path/to/t', { account: 'acct', container: 'fs', prefix: 'path/to/t', blobHost: 'acct.blob.core.windows.net', onelake: false }],
    ['abfs://fs@acct.dfs.core.windows.net/t/', { account: 'acct', container: 'fs', prefix: 't', blobHost: 'acct.blob.core.windows.net', onelake: false }],
    ['abfss://fs@acct.blob.core.windows.net/t', { account: 'acct', container: 'fs', prefix: 't', blobHost: 'acct.blob.core.windows.net', onelake: false }],
    ['abfss://fs@Acct.DFS.core.chinacloudapi.cn/t', { account: 'acct', container: 'fs', prefix: 't', blobHost: 'acct.blob.core.chinacloudapi.cn', onelake: false }],
    ['az://container/my%20table/x', { container: 'container', prefix: 'my table/x', onelake: false }],
    ['azure://container/t', { container: 'container', prefix: 't', onelake: false }],
    ['az://container', { container: 'container', prefix: '', onelake: false }],
    ['abfss://container/t', { container: 'container', prefix: 't', onelake: false }],
    ['https://acct.blob.core.windows.net/container/path/t', { account: 'acct', container: 'container', prefix: 'path/t', blobHost: 'acct.blob.core.windows.net', onelake: false }],
    ['https://acct.dfs.core.windows.net/container/t', { account: 'acct', container: 'container', prefix: 't', blobHost: 'acct.blob.core.windows.net', onelake: false }],
    ['https://acct.dfs.core.windows.net/container', { account: 'acct', container: 'container', prefix: '', blobHost: 'acct.blob.core.windows.net', onelake: false }],
  ])('parses %s', (url, expected) => {
    const loc = parseAzureUrl(url);
    expect({ ...loc, url: undefined }).toEqual({ ...expected, url: undefined, ...('account' in expected ? {} : { account: undefined, blobHost: undefined }) });
    expect(loc.url).toBe(url.replace(/\/+$/, ''));
  });

  it('parses OneLake URLs with GUIDs and with friendly names, mapping dfs to the OneLake blob host', () => {
    const guid = parseAzureUrl(
      'abfss://5f8a8e2c-1b7d-4a8e-9f3c-2d1e0b9a8c7d@onelake.dfs.fabric.microsoft.com/0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5/Tables/sales',
    );
    expect(guid).toMatchObject({
      account: 'onelake',
      container: '5f8a8e2c-1b7d-4a8e-9f3c-2d1e0b9a8c7d',
      prefix: '0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5/Tables/sales',
      blobHost: 'onelake.blob.fabric.microsoft.com',
      onelake: true,
    });
    const friendly = parseAzureUrl('abfss://My%20Workspace@onelake.dfs.fabric.microsoft.com/Sales.Lakehouse/Tables/dbo/orders');
    expect(friendly).toMatchObject({ container: 'My Workspace', prefix: 'Sales.Lakehouse/Tables/dbo/orders', blobHost: 'onelake.blob.fabric.microsoft.com', onelake: true });
    expect(friendly.url).toBe('abfss://My%20Workspace@onelake.dfs.fabric.microsoft.com/Sales.Lakehouse/Tables/dbo/orders');
    expect(parseAzureUrl('https://onelake.dfs.fabric.microsoft.com/ws/lh.Lakehouse/Tables/t')).toMatchObject({
      container: 'ws',
      prefix: 'lh.Lakehouse/Tables/t',
      blobHost: 'onelake.blob.fabric.microsoft.com',
      onelake: true,
    });
    expect(parseAzureUrl('abfss://ws@westus-onelake.dfs.fabric.microsoft.com/lh/Tables/t').blobHost).toBe('westus-onelake.blob.fabric.microsoft.com');
    expect(parseAzureUrl('https://onelake.blob.fabric.microsoft.com/ws/lh/Files/x').blobHost).toBe('onelake.blob.fabric.microsoft.com');
  });

  it.each([
    ['https://example.com/container/t', /not an Azure Blob, ADLS Gen2 or OneLake endpoint/],
    ['https://acct.blob.core.windows.net', /names no container/],
    ['abfss://fs@example.com/t', /is not an Azure endpoint/],
    ['abfss://acct.dfs.core.windows.net/t', /name the container as abfss:\/\/<container>@acct\.dfs\.core\.windows\.net/],
    ['https://acct.blob.core.windows.net/c/t?sv=2024&sig=x', /pass a SAS token as the azure_storage_sas_key option/],
    ['s3://bucket/t', /not an Azure URL scheme/],
  ])('rejects %s with StoreConfigError', (url, message) => {
    const err = catchSync(() => parseAzureUrl(url));
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(url.slice(0, 20));
    expect((err as Error).message).not.toContain('\n');
  });

  it('maps every URL form to the Blob endpoint and reports the URL as given', () => {
    const cfg = (url: string, options: Record<string, string> = {}, env: Record<string, string> = {}) =>
      resolveAzureConfig(parseAzureUrl(url), options, env);
    expect(cfg('abfss://fs@acct.dfs.core.windows.net/t', { azure_storage_account_key: 'a2V5' }).serviceUrl).toBe('https://acct.blob.core.windows.net');
    expect(cfg('https://acct.dfs.core.windows.net/fs/t', { sas_token: '?sv=1&sig=2' })).toMatchObject({
      serviceUrl: 'https://acct.blob.core.windows.net',
      credential: { kind: 'sas', sas: 'sv=1&sig=2' },
    });
    expect(cfg('az://c/t', { azure_storage_account_name: 'other', account_key: 'a2V5' }).serviceUrl).toBe('https://other.blob.core.windows.net');
    expect(cfg('az://c/t', {}, { AZURE_STORAGE_ACCOUNT_NAME: 'fromenv', AZURE_STORAGE_ACCOUNT_KEY: 'a2V5' })).toMatchObject({
      account: 'fromenv',
      serviceUrl: 'https://fromenv.blob.core.windows.net',
      credential: { kind: 'sharedKey', account: 'fromenv', key: 'a2V5' },
    });
    expect(cfg('az://ws/lh/Tables/t', { azure_storage_account_name: 'onelake', azure_use_fabric_endpoint: 'true', bearer_token: 't' }).serviceUrl).toBe(
      'https://onelake.blob.fabric.microsoft.com',
    );
    expect(cfg('abfss://ws@onelake.dfs.fabric.microsoft.com/lh/Tables/t', { bearer_token: 't' })).toMatchObject({
      serviceUrl: 'https://onelake.blob.fabric.microsoft.com',
      credential: { kind: 'bearer', token: 't' },
    });
  });

  it('uses Azurite defaults with azure_storage_use_emulator, honouring AZURITE_BLOB_STORAGE_URL and azure_storage_endpoint', () => {
    const loc = parseAzureUrl('az://c/t');
    expect(resolveAzureConfig(loc, { azure_storage_use_emulator: 'true' }, {})).toMatchObject({
      account: AZURITE_ACCOUNT,
      serviceUrl: 'http://127.0.0.1:10000/devstoreaccount1',
      credential: { kind: 'sharedKey', account: AZURITE_ACCOUNT, key: AZURITE_KEY },
      emulator: true,
    });
    expect(resolveAzureConfig(loc, { use_emulator: '1' }, { AZURITE_BLOB_STORAGE_URL: 'http://127.0.0.1:4321/' }).serviceUrl).toBe(
      'http://127.0.0.1:4321/devstoreaccount1',
    );
    expect(resolveAzureConfig(loc, { azure_storage_use_emulator: 'true', azure_storage_endpoint: 'http://127.0.0.1:5555/devstoreaccount1/' }, {}).serviceUrl).toBe(
      'http://127.0.0.1:5555/devstoreaccount1',
    );
    // The URL's own account wins over the emulator default.
    expect(resolveAzureConfig(parseAzureUrl('abfss://c@devstoreaccount1.dfs.core.windows.net/t'), { use_emulator: 'true' }, {}).serviceUrl).toBe(
      'http://127.0.0.1:10000/devstoreaccount1',
    );
  });

  it('picks credentials in object_store order, options over environment', () => {
    const loc = parseAzureUrl('abfss://fs@acct.dfs.core.windows.net/t');
    const kind = (options: Record<string, string>, env: Record<string, string> = {}) => resolveAzureConfig(loc, options, env).credential;
    expect(kind({ bearer_token: 'tok', account_key: 'a2V5' })).toEqual({ kind: 'bearer', token: 'tok' });
    expect(kind({ token: 'tok' })).toEqual({ kind: 'bearer', token: 'tok' });
    expect(kind({ access_token: 'tok' })).toEqual({ kind: 'bearer', token: 'tok' });
    expect(kind({ access_key: 'a2V5', sas_token: 'sv=1' })).toEqual({ kind: 'sharedKey', account: 'acct', key: 'a2V5' });
    expect(kind({ azure_storage_sas_key: 'sv=1' })).toEqual({ kind: 'sas', sas: 'sv=1' });
    expect(kind({}, { AZURE_STORAGE_SAS_TOKEN: 'sv=env' })).toEqual({ kind: 'sas', sas: 'sv=env' });
    expect(kind({ sas_key: 'sv=opt' }, { AZURE_STORAGE_SAS_TOKEN: 'sv=env' })).toEqual({ kind: 'sas', sas: 'sv=opt' });
    expect(kind({ azure_client_id: 'id', azure_client_secret: 's', azure_tenant_id: 'tn' })).toEqual({
      kind: 'clientSecret',
      clientId: 'id',
      clientSecret: 's',
      tenantId: 'tn',
    });
    expect(kind({}, { AZURE_CLIENT_ID: 'id', AZURE_CLIENT_SECRET: 's', AZURE_TENANT_ID: 'tn' })).toMatchObject({ kind: 'clientSecret' });
    // AZURE_CLIENT_ID alone selects a user-assigned managed identity in the default chain.
    expect(kind({}, { AZURE_CLIENT_ID: 'mi' })).toEqual({ kind: 'default', managedIdentityClientId: 'mi' });
    expect(kind({ azure_use_azure_cli: 'true' })).toEqual({ kind: 'azureCli' });
    expect(kind({})).toEqual({ kind: 'default' });
    expect(kind({ azure_skip_signature: 'true', account_key: 'a2V5' })).toEqual({ kind: 'anonymous' });
  });

  it.each([
    [{ aws_region: 'x' }, /unknown storage option\(s\) aws_region for Azure; valid options are azure_storage_account_name, .*azure_storage_account_key/],
    [{ azure_storage_use_emulator: 'maybe' }, /azure_storage_use_emulator=maybe must be true or false/],
    [{ azure_client_secret: 's' }, /azure_client_secret also needs azure_client_id and azure_tenant_id/],
    [{ account_key: 'a', access_key: 'b' }, /account_key and access_key are aliases but have different values/],
    [{ azure_storage_endpoint: 'not a url' }, /azure_storage_endpoint not a url is not a URL/],
    [{ azure_storage_endpoint: 'http://10.1.2.3:10000/acct', account_key: 'a2V5' }, /plain http; set azure_allow_http=true/],
  ])('rejects options %j with one actionable line naming the URL', (options, message) => {
    const url = 'az://container/table';
    const err = catchSync(() => resolveAzureConfig(parseAzureUrl(url), options, { AZURE_STORAGE_ACCOUNT_NAME: 'acct' }));
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(url);
    expect((err as Error).message).not.toContain('\n');
  });

  it('needs an account for az:// URLs and says how to give one', () => {
    const err = catchSync(() => resolveAzureConfig(parseAzureUrl('az://c/t'), {}, {}));
    expect((err as Error).message).toMatch(/cannot open az:\/\/c\/t: no storage account; set the azure_storage_account_name option or AZURE_STORAGE_ACCOUNT_NAME/);
  });

  it('allows plain http to loopback and with azure_allow_http, and lists every documented key', () => {
    const loc = parseAzureUrl('az://c/t');
    expect(resolveAzureConfig(loc, { azure_storage_endpoint: 'http://localhost:1/a', account_name: 'a', account_key: 'a2V5' }, {}).serviceUrl).toBe('http://localhost:1/a');
    expect(resolveAzureConfig(loc, { endpoint: 'http://10.0.0.1:1/a', account_name: 'a', account_key: 'a2V5', azure_allow_http: 'true' }, {}).serviceUrl).toBe(
      'http://10.0.0.1:1/a',
    );
    for (const key of [
      'azure_storage_account_name',
      'azure_storage_account_key',
      'account_key',
      'access_key',
      'azure_storage_sas_key',
      'sas_token',
      'bearer_token',
      'token',
      'access_token',
      'azure_client_id',
      'azure_client_secret',
      'azure_tenant_id',
      'azure_use_azure_cli',
      'azure_storage_endpoint',
      'endpoint',
      'azure_storage_use_emulator',
      'azure_allow_http',
    ]) {
      expect(AZURE_OPTION_KEYS).toContain(key);
    }
  });

  it('refuses to send a bearer token over plain http', async () => {
    const err = await azureStoreFromUrl(new URL('az://c/t'), { bearer_token: 't', azure_storage_endpoint: 'http://127.0.0.1:1/acct' }, {}, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(/bearer token is only sent over https/);
  });

  it('imports the Azure SDKs only lazily (type-only or dynamic imports)', () => {
    const dir = fileURLToPath(new URL('../../src/stores/', import.meta.url));
    const files = ['azure.ts', ...readdirSync(`${dir}azure`).map((f) => `azure/${f}`)];
    for (const f of files) {
      const src = readFileSync(`${dir}${f}`, 'utf8');
      for (const m of src.matchAll(/^\s*(import|export)\b([^;]*?)\bfrom\s*['"](@azure\/[^'"]+)['"]/gm)) {
        expect(m[2]!.trim().startsWith('type'), `${f} imports ${m[3]} at runtime`).toBe(true);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Against Azurite.

let service: BlobServiceClient;
const containers: string[] = [];
let seq = 0;

function admin(): BlobServiceClient {
  service ??= new BlobServiceClient(accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  return service;
}

async function freshContainer(): Promise<string> {
  const name = `t${process.pid}-${Date.now().toString(36)}-${seq++}`;
  await admin().getContainerClient(name).create();
  containers.push(name);
  return name;
}

afterAll(async () => {
  if (skip !== undefined) return;
  await Promise.all(containers.map((c) => admin().getContainerClient(c).deleteIfExists()));
});

const emulator = (extra: Record<string, string> = {}) => ({ azure_storage_use_emulator: 'true', azure_storage_endpoint: accountUrl, ...extra });

async function openStore(url: string, tuning: AzureStoreTuning = {}, options: Record<string, string> = emulator()): Promise<AzureStore> {
  return (await azureStoreFromUrl(new URL(url), options, tuning, {})) as AzureStore;
}

describeObjectStoreContract('azure (Azurite, container root, az:// + use_emulator)', async () => openStore(`az://${await freshContainer()}`), skip !== undefined ? { skip } : {});
describeObjectStoreContract(
  'azure (Azurite, under a prefix, abfss:// dfs URL + account key + endpoint)',
  async () =>
    resolveStore(`abfss://${await freshContainer()}@${AZURITE_ACCOUNT}.dfs.core.windows.net/lake/my table`, {
      azure_storage_account_key: AZURITE_KEY,
      azure_storage_endpoint: accountUrl,
    }),
  skip !== undefined ? { skip } : {},
);

describe.skipIf(skip !== undefined)(`AzureStore on Azurite${skip !== undefined ? ` (skipped: ${skip})` : ''}`, () => {
  it('is what resolveStore opens for az://, azure:// and https:// URLs, with the URL as given as its url', async () => {
    const c = await freshContainer();
    for (const url of [`az://${c}/t`, `azure://${c}/t/`, `https://${AZURITE_ACCOUNT}.blob.core.windows.net/${c}/t`]) {
      const store = await resolveStore(url, emulator());
      expect(store).toBeInstanceOf(AzureStore);
      expect(store.url).toBe(url.replace(/\/+$/, ''));
      expect(store.capabilities).toEqual({ atomicCreate: 'native', rangeReads: true, multipartUpload: true });
    }
    const a = await resolveStore(`az://${c}/t`, emulator());
    await a.put('x.json', bytes('1'));
    const b = await resolveStore(`https://${AZURITE_ACCOUNT}.dfs.core.windows.net/${c}/t`, emulator());
    expect(text(await b.get('x.json'))).toBe('1');
    // The blob name is the URL's path plus the key.
    expect(await admin().getContainerClient(c).getBlobClient('t/x.json').exists()).toBe(true);
  });

  it('lets exactly one of 8 writers (separate clients) create a key, over 5 rounds; losers get AlreadyExistsError from a 409', async () => {
    const c = await freshContainer();
    const stores = await Promise.all(Array.from({ length: 8 }, () => openStore(`az://${c}/race`)));
    for (let round = 0; round < 5; round++) {
      const key = `_delta_log/${String(round).padStart(20, '0')}.json`;
      const payloads = stores.map((_, i) => bytes(`{"commitInfo":{"round":${round},"writer":${i}}}`));
      const results = await Promise.allSettled(stores.map((s, i) => s.putIfAbsent(key, payloads[i]!)));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        expect(r.reason).toBeInstanceOf(AlreadyExistsError);
        expect((r.reason as Error).message).toBe(`object az://${c}/race/${key} already exists`);
        // The cause chain ends in Azurite's 409 BlobAlreadyExists.
        let cause: unknown = r.reason;
        while ((cause as { cause?: unknown }).cause !== undefined) cause = (cause as { cause: unknown }).cause;
        expect((cause as { statusCode?: number }).statusCode).toBe(409);
      }
      expect(await stores[0]!.get(key)).toEqual(payloads[winners[0]!]);
    }
  });

  it('writes a large object with putStream as several staged blocks committed at once', async () => {
    const c = await freshContainer();
    const store = await openStore(`az://${c}/big`);
    const size = 20 * 1024 * 1024 + 12_345;
    const data = pattern(size, 5);
    const started = Date.now();
    await store.putStream('part-0.parquet', chunked(data, 1_000_003));
    const elapsed = Date.now() - started;
    const blocks = await admin().getContainerClient(c).getBlockBlobClient('big/part-0.parquet').getBlockList('committed');
    expect(blocks.committedBlocks?.map((b) => b.size)).toEqual([8 * 1024 * 1024, 8 * 1024 * 1024, size - 16 * 1024 * 1024]);
    const back = await store.get('part-0.parquet');
    expect(back.byteLength).toBe(size);
    expect(Buffer.compare(back, data)).toBe(0);
    expect((await store.head('part-0.parquet')).size).toBe(size);
    console.log(`[azure] putStream of ${(size / 1048576).toFixed(1)} MiB in 3 blocks took ${elapsed} ms`);
  });

  it('sends put of more than one block as blocks too, and a failed multi-block putStream commits nothing', async () => {
    const c = await freshContainer();
    const store = await openStore(`az://${c}`, { blockSize: 64 * 1024, uploadConcurrency: 2 });
    const data = pattern(300_000, 9);
    await store.put('p.bin', data);
    expect((await admin().getContainerClient(c).getBlockBlobClient('p.bin').getBlockList('committed')).committedBlocks).toHaveLength(5);
    expect(Buffer.compare(await store.get('p.bin'), data)).toBe(0);
    async function* failing(): AsyncIterable<Uint8Array> {
      yield pattern(200_000, 1);
      throw new Error('source failed after 3 blocks');
    }
    await expect(store.putStream('p.bin', failing())).rejects.toThrow('source failed after 3 blocks');
    expect(Buffer.compare(await store.get('p.bin'), data)).toBe(0);
    await expect(store.putStream('new.bin', failing())).rejects.toThrow('source failed');
    await expect(store.head('new.bin')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads a suffix range (a Parquet footer) and clamps ranges at and past the end', async () => {
    const store = await openStore(`az://${await freshContainer()}`);
    const data = pattern(10_000, 4);
    await store.put('f.parquet', data);
    const { size } = await store.head('f.parquet');
    expect(await store.get('f.parquet', { offset: size - 8, length: 8 })).toEqual(data.slice(size - 8));
    expect(await store.get('f.parquet', { offset: size - 1000, length: 1000 })).toEqual(data.slice(size - 1000));
    expect(await store.get('f.parquet', { offset: size - 4, length: 100 })).toEqual(data.slice(size - 4));
    expect((await store.get('f.parquet', { offset: size, length: 10 })).byteLength).toBe(0);
    expect((await store.get('f.parquet', { offset: size + 50, length: 10 })).byteLength).toBe(0);
    await store.put('empty', new Uint8Array(0));
    expect((await store.get('empty', { offset: 0, length: 8 })).byteLength).toBe(0);
    await expect(store.get('missing', { offset: 5, length: 0 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages through long listings and honours startAfter across pages', async () => {
    const c = await freshContainer();
    const store = await openStore(`az://${c}/t`, { listPageSize: 7 });
    const keys = Array.from({ length: 40 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`);
    await Promise.all(keys.map((k) => store.put(k, bytes(k))));
    expect(await paths(store.list('_delta_log/'))).toEqual(keys);
    expect(await paths(store.list('_delta_log/', { startAfter: keys[25] }))).toEqual(keys.slice(26));
  });

  it('falls back to client-side filtering when the service rejects startFrom', async () => {
    const c = await freshContainer();
    const proxy = await startAzuriteProxy(accountUrl);
    try {
      proxy.decide = (req) => (req.url?.includes('startFrom=') ? { status: 400, code: 'InvalidQueryParameterValue' } : 'forward');
      const store = await openStore(`az://${c}/t`, {}, emulator({ azure_storage_endpoint: `${proxy.url}/${AZURITE_ACCOUNT}` }));
      for (const k of ['a/1', 'a/2', 'a/3']) await store.put(k, bytes(k));
      expect(await paths(store.list('a/', { startAfter: 'a/1' }))).toEqual(['a/2', 'a/3']);
      expect(await paths(store.list('a/', { startAfter: 'a/2' }))).toEqual(['a/3']);
      // Asked once, then remembered.
      expect(proxy.seen.filter((r) => r.url.includes('startFrom=')).length).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('hides ADLS Gen2 directory markers (hdi_isfolder) from list, get and head', async () => {
    const c = await freshContainer();
    const cc = admin().getContainerClient(c);
    await cc.getBlockBlobClient('t/_delta_log').upload('', 0, { metadata: { hdi_isfolder: 'true' } });
    const store = await openStore(`az://${c}/t`);
    await store.put('_delta_log/00000000000000000000.json', bytes('{}'));
    expect(await paths(store.list(''))).toEqual(['_delta_log/00000000000000000000.json']);
    await expect(store.head('_delta_log')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.get('_delta_log')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('settles an ambiguous create: the PUT landed, the reply was lost, the SDK retried and got 409', async () => {
    const c = await freshContainer();
    const proxy = await startAzuriteProxy(accountUrl);
    try {
      let dropped = 0;
      proxy.decide = (req) => (req.method === 'PUT' && req.headers['if-none-match'] === '*' && dropped++ === 0 ? 'drop-after-forward' : 'forward');
      const store = await openStore(`az://${c}`, {}, emulator({ azure_storage_endpoint: `${proxy.url}/${AZURITE_ACCOUNT}` }));
      await store.putIfAbsent('_delta_log/00000000000000000001.json', bytes('mine'));
      const puts = proxy.seen.filter((r) => r.method === 'PUT' && r.ifNoneMatch === '*');
      expect(puts.length).toBeGreaterThanOrEqual(2);
      expect(text(await store.get('_delta_log/00000000000000000001.json'))).toBe('mine');
      // A rival's bytes at the same key are still a loss.
      dropped = 0;
      await admin().getContainerClient(c).getBlockBlobClient('_delta_log/00000000000000000002.json').upload('rival', 5);
      await expect(store.putIfAbsent('_delta_log/00000000000000000002.json', bytes('mine'))).rejects.toBeInstanceOf(AlreadyExistsError);
    } finally {
      await proxy.close();
    }
  });

  it('retries throttling (503) and server errors (500) transparently', async () => {
    const c = await freshContainer();
    const proxy = await startAzuriteProxy(accountUrl);
    try {
      proxy.decide = (_req, i) => (i === 0 ? { status: 503, code: 'ServerBusy' } : i === 1 ? { status: 500, code: 'InternalError' } : 'forward');
      const store = await openStore(`az://${c}`, {}, emulator({ azure_storage_endpoint: `${proxy.url}/${AZURITE_ACCOUNT}` }));
      await store.put('k', bytes('v'));
      expect(proxy.seen.length).toBe(3);
      expect(text(await store.get('k'))).toBe('v');
    } finally {
      await proxy.close();
    }
  });

  it('reports a store that keeps failing as StoreUnavailableError after retries, naming the URL', async () => {
    const c = await freshContainer();
    const proxy = await startAzuriteProxy(accountUrl);
    try {
      proxy.decide = () => ({ status: 503, code: 'ServerBusy' });
      const store = await openStore(`az://${c}/t`, {}, emulator({ azure_storage_endpoint: `${proxy.url}/${AZURITE_ACCOUNT}` }));
      const started = Date.now();
      const err = await store.get('x.json').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(isDuckrunError(err, 'STORE_UNAVAILABLE')).toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`^cannot read az://${c}/t/x\\.json: HTTP 503 ServerBusy: .*after retries`));
      expect(proxy.seen.length).toBe(5);
      console.log(`[azure] 5 tries against a failing store took ${Date.now() - started} ms`);
    } finally {
      await proxy.close();
    }
  });

  it('maps a missing container and a wrong key to StoreConfigError with one line naming the URL; reads of missing objects stay NotFoundError', async () => {
    const missing = await openStore('az://no-such-container/t');
    await expect(missing.get('x')).rejects.toBeInstanceOf(NotFoundError);
    for (const op of [() => missing.put('x', bytes('1')), () => paths(missing.list(''))]) {
      const err = await op().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConfigError);
      expect((err as Error).message).toMatch(
        /^cannot (write|list) az:\/\/no-such-container\/t\/.*: container no-such-container does not exist in storage account devstoreaccount1; create it first/,
      );
      expect((err as Error).message).not.toContain('\n');
    }
    await expect(missing.delete(['x'])).resolves.toBeUndefined();

    const c = await freshContainer();
    const wrongKey = await openStore(`az://${c}/t`, {}, emulator({ azure_storage_account_key: Buffer.from('not the key').toString('base64') }));
    const err = await wrongKey.put('x', bytes('1')).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreConfigError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot write az://${c}/t/x: access denied \\(403 \\w+\\) using the account key of devstoreaccount1`));
  });

  it('authorises with a SAS token', async () => {
    const c = await freshContainer();
    const { generateBlobSASQueryParameters, ContainerSASPermissions } = await import('@azure/storage-blob');
    const sas = generateBlobSASQueryParameters(
      { containerName: c, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    const store = await openStore(`az://${c}/t`, {}, { azure_storage_endpoint: accountUrl, azure_storage_sas_key: `?${sas}` });
    await store.putIfAbsent('a.json', bytes('sas'));
    expect(await paths(store.list(''))).toEqual(['a.json']);
    await store.delete(['a.json']);
    expect(await paths(store.list(''))).toEqual([]);
  });

  it('deletes many objects concurrently and ignores missing ones', async () => {
    const c = await freshContainer();
    const store = await openStore(`az://${c}`);
    const keys = Array.from({ length: 50 }, (_, i) => `d/${i}.parquet`);
    await Promise.all(keys.map((k) => store.put(k, bytes(k))));
    await store.delete([...keys, 'd/missing-1', 'd/missing-2']);
    expect(await paths(store.list('d/'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------

function catchSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

async function paths(it: AsyncIterable<{ path: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.path);
  return out;
}

async function* chunked(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let o = 0; o < data.byteLength; o += size) yield data.subarray(o, o + size);
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
