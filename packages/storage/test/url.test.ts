// toUrl() spelling of locations and resolveStore() refusals, with the messages users see.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryStore, StoreConfigError, isDuckrunError, resolveStore, toUrl } from '../src/index.js';

async function configError(p: Promise<unknown>): Promise<StoreConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreConfigError);
  expect(isDuckrunError(err, 'STORE_CONFIG')).toBe(true);
  return err as StoreConfigError;
}

describe('toUrl', () => {
  it('turns an absolute POSIX path into a file:// URL without a trailing slash', () => {
    expect(toUrl('/data/tables/orders')).toBe('file:///data/tables/orders');
    expect(toUrl('/data/tables/orders/')).toBe('file:///data/tables/orders');
    expect(toUrl('/data//tables/./x/../orders')).toBe('file:///data/tables/orders');
    expect(toUrl('/')).toBe('file:///');
  });

  it('resolves a relative path against the working directory by default', () => {
    expect(toUrl('tables/orders')).toBe(`${toUrl(process.cwd())}/tables/orders`);
    expect(toUrl('./orders')).toBe(`${toUrl(process.cwd())}/orders`);
    expect(toUrl('.')).toBe(toUrl(process.cwd()));
  });

  it('resolves a relative path against a base directory or a base URL', () => {
    expect(toUrl('orders', '/data/tables')).toBe('file:///data/tables/orders');
    expect(toUrl('../orders', '/data/tables/')).toBe('file:///data/orders');
    expect(toUrl('orders', 'file:///data/tables')).toBe('file:///data/tables/orders');
    expect(toUrl('./orders/', 'memory://bucket/root/')).toBe('memory://bucket/root/orders');
    expect(toUrl('../other', 's3://bucket/a/b')).toBe('s3://bucket/a/other');
    expect(toUrl('my table', 'memory://bucket')).toBe('memory://bucket/my%20table');
  });

  it('ignores the base for an absolute path', () => {
    expect(toUrl('/abs/t', 'memory://bucket')).toBe('file:///abs/t');
  });

  it('turns Windows paths into file:///C:/ URLs', () => {
    expect(toUrl('C:\\data\\orders')).toBe('file:///C:/data/orders');
    expect(toUrl('D:/data/orders/')).toBe('file:///D:/data/orders');
  });

  it('percent-encodes what a URL path cannot hold but keeps = and : readable', () => {
    expect(toUrl('/t/date=2024-01-01/a:b@c')).toBe('file:///t/date=2024-01-01/a:b@c');
    expect(toUrl('/t/my table/100%/ü#?')).toBe('file:///t/my%20table/100%25/%C3%BC%23%3F');
  });

  it.each(['/t/my table/100%/ü#?/x', '/t/date=2024-01-01/a:b@c;d&e+f,g$h', "/t/it's (1) ~ [2] {3}", '/t/日本/😀'])(
    'spells %s so that the URL parser keeps it and maps it back to the same path',
    (path) => {
      const url = toUrl(path);
      expect(new URL(url).href).toBe(url);
      expect(fileURLToPath(url)).toBe(path);
      expect(fileURLToPath(pathToFileURL(path))).toBe(fileURLToPath(url));
    },
  );

  it('passes URLs through, only dropping trailing slashes', () => {
    expect(toUrl('file:///data/orders/')).toBe('file:///data/orders');
    expect(toUrl('memory://bucket/t/')).toBe('memory://bucket/t');
    expect(toUrl('memory://bucket')).toBe('memory://bucket');
    expect(toUrl('s3://bucket/path/to/table')).toBe('s3://bucket/path/to/table');
    expect(toUrl('abfss://fs@acct.dfs.core.windows.net/t/')).toBe('abfss://fs@acct.dfs.core.windows.net/t');
    expect(toUrl('file:///')).toBe('file:///');
    expect(toUrl('memory://')).toBe('memory://');
  });
});

describe('resolveStore', () => {
  it('opens memory:// URLs as memory stores rooted at the URL', async () => {
    const store = await resolveStore('memory://url-test/some/table/');
    expect(store).toBeInstanceOf(MemoryStore);
    expect(store.url).toBe('memory://url-test/some/table');
  });

  it('opens local paths and file:// URLs as stores whose url is toUrl of the location', async () => {
    const store = await resolveStore('/tmp/duckrun-url-test-never-created');
    expect(store.url).toBe('file:///tmp/duckrun-url-test-never-created');
    expect(store.capabilities.atomicCreate).toBe('native');
    expect((await resolveStore('file:///tmp/duckrun-url-test-never-created/')).url).toBe(store.url);
  });

  it('refuses storage options for a local path, naming each option and saying to remove them', async () => {
    const err = await configError(resolveStore('/tmp/t', { aws_region: 'eu-west-1', aws_access_key_id: 'AKIA' }));
    expect(err.message).toContain('aws_region');
    expect(err.message).toContain('aws_access_key_id');
    expect(err.message).toContain('file://');
    expect(err.message).toContain('/tmp/t');
    expect(err.message).toMatch(/remove them/);
  });

  it('refuses storage options for memory:// URLs too', async () => {
    const err = await configError(resolveStore('memory://b/t', { bearer_token: 'x' }));
    expect(err.message).toContain('bearer_token');
    expect(err.message).toContain('memory://');
  });

  it('ignores options whose value is undefined', async () => {
    const options = { aws_region: undefined } as unknown as Record<string, string>;
    await expect(resolveStore('memory://b/t', options)).resolves.toBeInstanceOf(MemoryStore);
  });

  it('refuses an unknown scheme, naming it and the schemes that work', async () => {
    const err = await configError(resolveStore('ftp://host/table'));
    expect(err.message).toContain('ftp:');
    expect(err.message).toContain('ftp://host/table');
    expect(err.message).toMatch(/unknown URL scheme/);
    expect(err.message).toMatch(/file:\/\/.*memory:\/\//);
  });

  it.each([
    ['s3://bucket/table', /aws_region/],
    ['s3a://bucket/table', /aws_region/],
    ['gs://bucket/table', /google_service_account/],
    ['az://container/table', /azure_storage_account_name/],
    ['azure://container/table', /azure_storage_account_name/],
    ['abfs://fs@acct.dfs.core.windows.net/table', /azure_storage_account_key/],
    ['abfss://fs@acct.dfs.core.windows.net/table', /azure_storage_account_key/],
    ['https://acct.blob.core.windows.net/container/table', /azure_storage_account_key/],
  ])('routes %s to its cloud adapter, which refuses an unknown option listing the valid ones', async (url, validKey) => {
    const err = await configError(resolveStore(url, { no_such_option: 'x' }));
    expect(err.message).toContain('no_such_option');
    expect(err.message).toMatch(validKey);
  });

  it('refuses an r2:// URL whose binding was never registered, saying how to register it', async () => {
    const err = await configError(resolveStore('r2://binding/table'));
    expect(err.message).toContain('r2://binding/table');
    expect(err.message).toMatch(/registerR2Binding/);
  });

  it('treats https URLs of other hosts as an unknown location', async () => {
    const err = await configError(resolveStore('https://example.com/table'));
    expect(err.message).toMatch(/unknown URL scheme https:/);
  });
});
