// Binds the object-store contract to MemoryStore, plus what is specific to named buckets and prefixes.

import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore, clearMemoryBucket, memoryStoreFromUrl, resolveStore } from '../../src/index.js';
import { describeObjectStoreContract } from '../contract.js';

const buckets: string[] = [];

function freshBucket(): string {
  const name = `contract-${process.pid}-${buckets.length}`;
  buckets.push(name);
  return name;
}

afterAll(() => {
  for (const b of buckets) clearMemoryBucket(b);
});

describeObjectStoreContract('memory', async () => new MemoryStore(freshBucket()));
describeObjectStoreContract('memory (under a key prefix)', async () => new MemoryStore(freshBucket(), 'some/table'));

describe('MemoryStore', () => {
  it('shares objects between stores opened on the same bucket name', async () => {
    const bucket = freshBucket();
    await new MemoryStore(bucket).put('t/x.json', new Uint8Array([1]));
    const other = await resolveStore(`memory://${bucket}`);
    expect(await other.get('t/x.json')).toEqual(new Uint8Array([1]));
  });

  it('sees only keys under its prefix, not keys that merely start with the same characters', async () => {
    const bucket = freshBucket();
    const root = new MemoryStore(bucket);
    await root.put('tab/in.json', new Uint8Array([1]));
    await root.put('table/out.json', new Uint8Array([2]));
    await root.put('tab', new Uint8Array([3]));
    const scoped = new MemoryStore(bucket, 'tab');
    const listed: string[] = [];
    for await (const m of scoped.list('')) listed.push(m.path);
    expect(listed).toEqual(['in.json']);
    await expect(scoped.get('../table/out.json')).rejects.toThrow(/does not exist/);
  });

  it('opens a memory:// URL as bucket plus prefix and reports it back as its url', () => {
    const store = memoryStoreFromUrl(new URL('memory://bucket-a/some/table'));
    expect(store.url).toBe('memory://bucket-a/some/table');
    expect(memoryStoreFromUrl(new URL('memory://bucket-a')).url).toBe('memory://bucket-a');
  });

  it('forgets every object when its bucket is cleared', async () => {
    const bucket = freshBucket();
    await new MemoryStore(bucket).put('x', new Uint8Array([1]));
    clearMemoryBucket(bucket);
    await expect(new MemoryStore(bucket).head('x')).rejects.toThrow(/does not exist/);
  });
});
