import { describe, expect, it } from 'vitest';
import type { AddFile } from '../../src/kernel/actions/types.js';
import { planCompaction } from '../../src/maintenance/bin-pack.js';
import type { ScanFile } from '../../src/scan/scan.js';

const file = (path: string, size: number, part: string | null = null, extra: Partial<AddFile> = {}): ScanFile => {
  const add: AddFile = { path, size, partitionValues: part === null ? {} : { p: part }, modificationTime: 0, dataChange: true, ...extra };
  return { path, size, partitionValues: part === null ? {} : { p: part }, add };
};
const dv = { storageType: 'i' as const, pathOrInlineDv: 'x', sizeInBytes: 1, cardinality: 1 };

describe('compaction planning', () => {
  it('fills bins smallest first up to the target size, per partition', () => {
    const plan = planCompaction([file('a', 40, 'x'), file('b', 10, 'x'), file('c', 30, 'x'), file('d', 50, 'x'), file('e', 10, 'y'), file('f', 20, 'y')], 80);
    expect(plan.bins.map((b) => b.files.map((f) => f.path))).toEqual([['b', 'c', 'a'], ['e', 'f']]);
    expect(plan.bins.map((b) => b.bytes)).toEqual([80, 30]);
    // `d` ends up alone in its bin: a rewrite would only copy it.
    expect(plan).toMatchObject({ considered: 6, skipped: 1 });
  });

  it('leaves large files alone unless they carry a deletion vector, which it always rewrites', () => {
    const plan = planCompaction([file('big', 100), file('bigdv', 100, null, { deletionVector: dv }), file('small', 1)], 50);
    expect(plan.bins.map((b) => b.files.map((f) => f.path))).toEqual([['bigdv']]);
    expect(plan).toMatchObject({ considered: 2, skipped: 1 });
  });

  it('treats an empty partition value and null as the same partition', () => {
    const withValue = (path: string, value: string | null): ScanFile => {
      const f = file(path, 1);
      return { ...f, add: { ...f.add, partitionValues: { p: value } } };
    };
    const plan = planCompaction([withValue('b', ''), withValue('c', null), withValue('d', 'x')], 10);
    expect(plan.bins.map((x) => x.files.map((f) => f.path))).toEqual([['b', 'c']]);
  });
});
