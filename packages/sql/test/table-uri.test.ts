import { describe, expect, it } from 'vitest';
import { resolveRoot, resolveTableUri } from '../src/table-uri.js';

describe('resolveTableUri', () => {
  it.each([
    ['sales', 'file:///data/lake', 'file:///data/lake/sales'],
    ['./sales/', 'file:///data/lake', 'file:///data/lake/sales'],
    ['../other/t', 'file:///data/lake', 'file:///data/other/t'],
    ['my table', 'file:///data/lake', 'file:///data/lake/my%20table'],
    ['gold/orders', 's3://bucket/root', 's3://bucket/root/gold/orders'],
    ['t', 'memory://mem', 'memory://mem/t'],
    ['/abs/path', 's3://bucket/root', 'file:///abs/path'],
    ['s3://other/t/', 'file:///data/lake', 's3://other/t'],
    ['file:///x/y', 's3://bucket/root', 'file:///x/y'],
  ])('%s against %s is %s', (uri, root, expected) => {
    expect(resolveTableUri(uri, root)).toBe(expected);
  });
});

describe('resolveRoot', () => {
  it('defaults to the working directory and resolves relative paths against it', () => {
    const cwd = `file://${process.cwd().split('/').map(encodeURIComponent).join('/')}`;
    expect(resolveRoot(undefined)).toBe(cwd);
    expect(resolveRoot('lake')).toBe(`${cwd}/lake`);
    expect(resolveRoot('s3://bucket/lake/')).toBe('s3://bucket/lake');
  });
});
