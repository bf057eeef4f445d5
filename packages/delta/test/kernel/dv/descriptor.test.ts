import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import type { DeletionVectorDescriptor } from '../../../src/kernel/actions/types.js';
import {
  buildDeletionVectorFile,
  decodeDeletionVector,
  deletionVectorByteRange,
  deletionVectorId,
  encodeDeletionVectorUuidPath,
  inlineDeletionVector,
  parseDeletionVectorFile,
  resolveDeletionVector,
  serializeDeletionVector,
} from '../../../src/kernel/dv/descriptor.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const golden = path.resolve(repoRoot, '../shared/fixtures/delta-golden');
const dvTable = path.join(golden, 'dv-partitioned-with-checkpoint/delta');
const haveDvTable = fs.existsSync(dvTable);

function expectDvError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
    expect.unreachable();
  } catch (e) {
    expect(isDuckrunError(e, 'DELTA_DELETION_VECTOR')).toBe(true);
    expect((e as Error).message).toMatch(message);
  }
}

describe('resolveDeletionVector', () => {
  it('turns a u descriptor with a random prefix into the prefixed deletion_vector_<uuid>.bin path (PROTOCOL.md example 1)', () => {
    const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 };
    expect(resolveDeletionVector(dv)).toEqual({
      kind: 'relative',
      path: 'ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin',
      offset: 4,
      sizeInBytes: 40,
    });
  });

  it('resolves a u descriptor without a prefix to a file at the table root', () => {
    const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: '0X9F0q2<2yJ-f)Gm2!e0', offset: 1, sizeInBytes: 34, cardinality: 1 };
    const resolved = resolveDeletionVector(dv);
    expect(resolved.kind).toBe('relative');
    expect(resolved.kind === 'relative' && resolved.path).toMatch(/^deletion_vector_[0-9a-f-]{36}\.bin$/);
  });

  it('keeps a p descriptor as an absolute URI (PROTOCOL.md example 2)', () => {
    const dv: DeletionVectorDescriptor = {
      storageType: 'p',
      pathOrInlineDv: 's3://mytable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin',
      offset: 4,
      sizeInBytes: 40,
      cardinality: 6,
    };
    expect(resolveDeletionVector(dv)).toEqual({
      kind: 'absolute',
      url: 's3://mytable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin',
      offset: 4,
      sizeInBytes: 40,
    });
  });

  it('reads an absent offset of an on-disk DV as 0', () => {
    const dv: DeletionVectorDescriptor = { storageType: 'p', pathOrInlineDv: 'file:/tmp/dv.bin', sizeInBytes: 40, cardinality: 6 };
    expect(resolveDeletionVector(dv)).toMatchObject({ kind: 'absolute', url: 'file:///tmp/dv.bin', offset: 0 });
  });

  it('returns the raw bytes of an inline descriptor, cut to sizeInBytes', () => {
    const dv: DeletionVectorDescriptor = { storageType: 'i', pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L', sizeInBytes: 40, cardinality: 6 };
    const resolved = resolveDeletionVector(dv);
    expect(resolved.kind === 'inline' && resolved.bytes.length).toBe(40);
  });

  it('rejects a u descriptor too short to hold a UUID', () => {
    expectDvError(() => resolveDeletionVector({ storageType: 'u', pathOrInlineDv: 'abc', sizeInBytes: 1, cardinality: 1 }), /shorter than the 20-character/);
  });

  it('rejects an unknown storage type', () => {
    const dv = { storageType: 'x', pathOrInlineDv: 'a', sizeInBytes: 1, cardinality: 1 } as unknown as DeletionVectorDescriptor;
    expectDvError(() => resolveDeletionVector(dv), /unknown storageType "x"/);
  });
});

describe('deletionVectorId', () => {
  it('joins storage type, path and offset with @ (PROTOCOL.md "Derived Fields")', () => {
    expect(deletionVectorId({ storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 })).toBe(
      'uab^-aqEH.-t@S}K{vb[*k^@4',
    );
  });

  it('omits the @offset part when the descriptor has no offset', () => {
    expect(deletionVectorId({ storageType: 'i', pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L', sizeInBytes: 40, cardinality: 6 })).toBe(
      'iwi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L',
    );
  });

  it('tells two DVs of the same file apart by offset', () => {
    const a: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: 'x'.repeat(20), offset: 1, sizeInBytes: 34, cardinality: 1 };
    expect(deletionVectorId(a)).not.toBe(deletionVectorId({ ...a, offset: 43 }));
  });
});

describe('decodeDeletionVector', () => {
  it('decodes the inline example of PROTOCOL.md (native bitmap layout) to rows 3, 4, 7, 11, 18, 29', () => {
    const dv: DeletionVectorDescriptor = { storageType: 'i', pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L', sizeInBytes: 40, cardinality: 6 };
    expect(Array.from(decodeDeletionVector(null, dv))).toEqual([3, 4, 7, 11, 18, 29]);
  });

  it('round-trips rows through an inline descriptor', () => {
    const rows = [0, 5, 6, 7, 100_000, 2 ** 32 + 3];
    const dv = inlineDeletionVector(rows);
    expect(dv.cardinality).toBe(rows.length);
    expect(Array.from(decodeDeletionVector(undefined, dv))).toEqual(rows);
  });

  it('requires file bytes for an on-disk descriptor', () => {
    const dv: DeletionVectorDescriptor = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 1, sizeInBytes: 34, cardinality: 1 };
    expectDvError(() => decodeDeletionVector(null, dv), /ab\/deletion_vector_d2c639aa-.*was not supplied/);
  });

  it('rejects an inline DV whose cardinality disagrees with its descriptor', () => {
    const dv = { ...inlineDeletionVector([1, 2, 3]), cardinality: 4 };
    expectDvError(() => decodeDeletionVector(null, dv), /deletes 3 rows but its descriptor says 4/);
  });

  it('rejects an inline DV with the wrong magic number', () => {
    const body = serializeDeletionVector([1]);
    body[0] = 0;
    const dv = { ...inlineDeletionVector([1]), pathOrInlineDv: encodeZ85Padded(body) };
    expectDvError(() => decodeDeletionVector(null, dv), /magic number/);
  });
});

describe('parseDeletionVectorFile', () => {
  const uuid = '0f3a9c1e-5b7d-4e2f-8a6b-c9d0e1f2a3b4';
  const first = [0, 1, 2, 1000];
  const second = [...Array.from({ length: 5000 }, (_, i) => i * 3), 2 ** 33];
  const file = buildDeletionVectorFile([serializeDeletionVector(first), serializeDeletionVector(second)]);
  const descriptor = (i: 0 | 1): DeletionVectorDescriptor => ({
    storageType: 'u',
    pathOrInlineDv: encodeDeletionVectorUuidPath(uuid, 'q7'),
    offset: file.offsets[i] ?? 0,
    sizeInBytes: serializeDeletionVector(i === 0 ? first : second).length,
    cardinality: (i === 0 ? first : second).length,
  });

  it('reads each of several DVs stored in one file', () => {
    expect(Array.from(parseDeletionVectorFile(file.bytes, descriptor(0)))).toEqual(first);
    expect(Array.from(parseDeletionVectorFile(file.bytes, descriptor(1)))).toEqual(second);
  });

  it('names the file after the UUID and prefix encoded by the writer helper', () => {
    expect(resolveDeletionVector(descriptor(0))).toMatchObject({ path: `q7/deletion_vector_${uuid}.bin` });
  });

  it('reads a DV from a range read given the range start', () => {
    const dv = descriptor(1);
    const { offset, length } = deletionVectorByteRange(dv);
    const slice = file.bytes.slice(offset, offset + length);
    expect(Array.from(parseDeletionVectorFile(slice, dv, { bytesOffset: offset }))).toEqual(second);
  });

  it('rejects a corrupted byte through the CRC-32 check and names the file', () => {
    const bytes = file.bytes.slice();
    bytes[(file.offsets[0] ?? 0) + 20]! ^= 0x01;
    expectDvError(() => parseDeletionVectorFile(bytes, descriptor(0)), new RegExp(`q7/deletion_vector_${uuid}\\.bin fails its CRC-32 check`));
  });

  it('rejects a file with another format version', () => {
    const bytes = file.bytes.slice();
    bytes[0] = 2;
    expectDvError(() => parseDeletionVectorFile(bytes, descriptor(0), { file: 's3://t/x.bin' }), /s3:\/\/t\/x\.bin has format version 2/);
  });

  it('rejects a size prefix that disagrees with the descriptor', () => {
    expectDvError(() => parseDeletionVectorFile(file.bytes, { ...descriptor(0), sizeInBytes: 99 }), /says 99/);
  });

  it('rejects a truncated file', () => {
    expectDvError(() => parseDeletionVectorFile(file.bytes.subarray(0, 30), descriptor(0)), /truncated/);
    expectDvError(() => parseDeletionVectorFile(file.bytes, { ...descriptor(0), offset: 1_000_000 }), /no deletion vector at offset 1000000/);
  });

  it('rejects a cardinality mismatch', () => {
    expectDvError(() => parseDeletionVectorFile(file.bytes, { ...descriptor(1), cardinality: 3 }), /deletes 5001 rows but its descriptor says 3/);
  });
});

interface FixtureDv {
  readonly source: string;
  readonly path: string;
  readonly numRecords: number | undefined;
  readonly dv: DeletionVectorDescriptor;
}

function fixtureDvsFromJson(): FixtureDv[] {
  const log = path.join(dvTable, '_delta_log');
  const out: FixtureDv[] = [];
  for (const name of fs.readdirSync(log).filter((n) => n.endsWith('.json')).sort()) {
    for (const line of fs.readFileSync(path.join(log, name), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const action = JSON.parse(line) as { add?: { path: string; stats?: string; deletionVector?: DeletionVectorDescriptor }; remove?: { path: string; deletionVector?: DeletionVectorDescriptor } };
      const file = action.add ?? action.remove;
      if (file?.deletionVector) {
        const stats = action.add?.stats ? (JSON.parse(action.add.stats) as { numRecords?: number }) : undefined;
        out.push({ source: name, path: file.path, numRecords: stats?.numRecords, dv: file.deletionVector });
      }
    }
  }
  return out;
}

describe.skipIf(!haveDvTable)('deletion vectors of the dv-partitioned-with-checkpoint golden table (needs ../shared/fixtures/delta-golden; skipped when it is absent)', () => {
  const dvs = haveDvTable ? fixtureDvsFromJson() : [];

  it('finds deletion vectors in the JSON commits', () => {
    expect(dvs.length).toBeGreaterThanOrEqual(15);
  });

  it('resolves every descriptor to a deletion_vector_*.bin file that exists in the table', () => {
    for (const { dv } of dvs) {
      const resolved = resolveDeletionVector(dv);
      expect(resolved.kind).toBe('relative');
      if (resolved.kind === 'relative') expect(fs.existsSync(path.join(dvTable, resolved.path))).toBe(true);
    }
  });

  it('decodes every DV to its descriptor cardinality, with rows inside the data file', () => {
    for (const { dv, numRecords, source, path: dataFile } of dvs) {
      const resolved = resolveDeletionVector(dv);
      if (resolved.kind !== 'relative') throw new Error(`unexpected ${resolved.kind} DV in ${source}`);
      const rows = decodeDeletionVector(fs.readFileSync(path.join(dvTable, resolved.path)), dv);
      expect(rows.length, `${source} ${dataFile}`).toBe(dv.cardinality);
      for (let i = 1; i < rows.length; i++) expect(rows[i]!).toBeGreaterThan(rows[i - 1]!);
      if (numRecords !== undefined) expect(rows[rows.length - 1]!).toBeLessThan(numRecords);
    }
  });

  it('decodes every DV from a range read of exactly its bytes', () => {
    for (const { dv } of dvs) {
      const resolved = resolveDeletionVector(dv);
      if (resolved.kind !== 'relative') continue;
      const whole = fs.readFileSync(path.join(dvTable, resolved.path));
      const { offset, length } = deletionVectorByteRange(dv);
      expect(offset + length).toBeLessThanOrEqual(whole.length);
      const rows = parseDeletionVectorFile(whole.subarray(offset, offset + length), dv, { bytesOffset: offset });
      expect(rows.length).toBe(dv.cardinality);
    }
  });

  it('re-encodes every DV byte for byte as Spark wrote it', () => {
    for (const { dv } of dvs) {
      const resolved = resolveDeletionVector(dv);
      if (resolved.kind !== 'relative') continue;
      const whole = new Uint8Array(fs.readFileSync(path.join(dvTable, resolved.path)));
      const rows = decodeDeletionVector(whole, dv);
      const rebuilt = buildDeletionVectorFile([serializeDeletionVector(rows)]);
      expect(Array.from(rebuilt.bytes)).toEqual(Array.from(whole.subarray(0, rebuilt.bytes.length)));
    }
  });

  it('gives add and remove of the same DV the same id, and different DVs different ids', () => {
    const ids = new Map<string, string>();
    for (const { dv } of dvs) {
      const resolved = resolveDeletionVector(dv);
      const key = resolved.kind === 'relative' ? `${resolved.path}@${resolved.offset}` : '';
      const id = deletionVectorId(dv);
      const seen = ids.get(id);
      if (seen !== undefined) expect(seen).toBe(key);
      ids.set(id, key);
    }
    expect(new Set(ids.values()).size).toBe(ids.size);
  });

  it('decodes the DVs listed in the parquet checkpoint to their cardinalities', () => {
    const checkpoint = fs.readFileSync(path.join(dvTable, '_delta_log/00000000000000000010.checkpoint.parquet'));
    const table = tableFromIPC(readParquet(new Uint8Array(checkpoint)).intoIPCStream());
    const adds = table.getChild('add');
    let seen = 0;
    for (let i = 0; i < table.numRows; i++) {
      const raw = adds?.get(i)?.toJSON() as { deletionVector?: Record<string, unknown> | null } | undefined;
      const d = raw?.deletionVector;
      if (!d) continue;
      const dv: DeletionVectorDescriptor = {
        storageType: d['storageType'] as 'u',
        pathOrInlineDv: d['pathOrInlineDv'] as string,
        offset: d['offset'] as number,
        sizeInBytes: d['sizeInBytes'] as number,
        cardinality: Number(d['cardinality'] as bigint),
      };
      const resolved = resolveDeletionVector(dv);
      if (resolved.kind !== 'relative') throw new Error('expected a relative DV');
      expect(decodeDeletionVector(fs.readFileSync(path.join(dvTable, resolved.path)), dv).length).toBe(dv.cardinality);
      seen++;
    }
    expect(seen).toBeGreaterThan(0);
  });
});

/** Z85 of bytes padded to a multiple of 4, for hand-corrupted inline DVs. */
function encodeZ85Padded(bytes: Uint8Array): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  let out = '';
  for (let i = 0; i < padded.length; i += 4) {
    let v = new DataView(padded.buffer).getUint32(i, false);
    let group = '';
    for (let j = 0; j < 5; j++) {
      group = alphabet[v % 85] + group;
      v = Math.floor(v / 85);
    }
    out += group;
  }
  return out;
}
