import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { decodeNativeRoaringBitmapArray, decodeRoaringBitmapArray, encodeRoaringBitmapArray } from '../../../src/kernel/dv/roaring.js';

/** Little-endian byte writer for hand-assembling serializations straight from the format spec. */
class Bytes {
  private readonly out: number[] = [];
  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: number): this {
    return this.u32(v % 2 ** 32).u32(Math.floor(v / 2 ** 32));
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.u8(bytes[i] ?? 0);
    return this;
  }
  get length(): number {
    return this.out.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

const rows = (bytes: Uint8Array): number[] => Array.from(decodeRoaringBitmapArray(bytes));
const range = (from: number, to: number, step = 1): number[] => {
  const out: number[] = [];
  for (let v = from; v < to; v += step) out.push(v);
  return out;
};

describe('decodeRoaringBitmapArray', () => {
  it('decodes an array container behind the no-run cookie (offset header present)', () => {
    const b = new Bytes().u64(1).u32(0); // one bucket, high key 0
    b.u32(12346).u32(1); // cookie, container count
    b.u16(0).u16(2); // key 0, cardinality-1
    b.u32(16); // offset header: container data starts 16 bytes into the 32-bit bitmap
    b.u16(1).u16(5).u16(9);
    expect(rows(b.build())).toEqual([1, 5, 9]);
  });

  it('decodes a run container (run cookie, fewer than four containers so no offset header)', () => {
    const b = new Bytes().u64(1).u32(0);
    b.u32(12347 | (0 << 16)); // run cookie, size-1 in the high half
    b.u8(0b1); // container 0 is a run container
    b.u16(0).u16(99);
    b.u16(1).u16(10).u16(99); // one run: start 10, length-1 99
    expect(rows(b.build())).toEqual(range(10, 110));
  });

  it('decodes runs spanning several containers when the run cookie carries an offset header', () => {
    const b = new Bytes().u64(1).u32(0);
    b.u32(12347 | (4 << 16)); // five containers
    b.u8(0b10101); // containers 0, 2 and 4 are runs
    const keys = [0, 1, 2, 3, 4];
    const cards = [65536, 2, 3, 1, 10];
    for (let i = 0; i < 5; i++) b.u16(keys[i] ?? 0).u16((cards[i] ?? 1) - 1);
    for (let i = 0; i < 5; i++) b.u32(0xdeadbeef); // offsets are not needed for a sequential read
    b.u16(1).u16(0).u16(65535); // container 0: the whole 16-bit block
    b.u16(7).u16(8); // container 1: array
    b.u16(2).u16(0).u16(1).u16(100).u16(0); // container 2: runs {0,1} and {100}
    b.u16(65535); // container 3: array
    b.u16(1).u16(65526).u16(9); // container 4: run up to the end of its block
    const expected = [
      ...range(0, 65536),
      65536 + 7,
      65536 + 8,
      2 * 65536,
      2 * 65536 + 1,
      2 * 65536 + 100,
      3 * 65536 + 65535,
      ...range(4 * 65536 + 65526, 5 * 65536),
    ];
    expect(rows(b.build())).toEqual(expected);
  });

  it('decodes a bitmap container holding more than 4096 values', () => {
    const bitmap = new Uint8Array(8192);
    const values = range(0, 8194, 2); // 4097 even numbers
    for (const v of values) bitmap[v >>> 3]! |= 1 << (v & 7);
    const b = new Bytes().u64(1).u32(0);
    b.u32(12346).u32(1).u16(3).u16(values.length - 1).u32(16).raw(bitmap);
    expect(rows(b.build())).toEqual(values.map((v) => 3 * 65536 + v));
  });

  it('decodes a bitmap container whose values use the top bit of a 64-bit word', () => {
    const bitmap = new Uint8Array(8192).fill(0xff);
    const b = new Bytes().u64(1).u32(0);
    b.u32(12346).u32(1).u16(0).u16(65535).u32(16).raw(bitmap);
    const out = decodeRoaringBitmapArray(b.build());
    expect(out.length).toBe(65536);
    expect(out[31]).toBe(31);
    expect(out[63]).toBe(63);
    expect(out[65535]).toBe(65535);
  });

  it('places rows of higher buckets above 2^32', () => {
    const b = new Bytes().u64(2);
    b.u32(0).u32(12346).u32(1).u16(0).u16(0).u32(16).u16(42);
    b.u32(5).u32(12346).u32(1).u16(2).u16(0).u32(16).u16(7);
    expect(rows(b.build())).toEqual([42, 5 * 2 ** 32 + 2 * 65536 + 7]);
  });

  it('decodes an empty bitmap array to no rows', () => {
    expect(rows(new Bytes().u64(0).build())).toEqual([]);
  });

  it.each([
    ['an unknown cookie', new Bytes().u64(1).u32(0).u32(99).build(), /cookie 99/],
    ['a truncated container', new Bytes().u64(1).u32(0).u32(12346).u32(1).u16(0).u16(4).u32(16).u16(1).build(), /ends after/],
    ['descending bucket keys', new Bytes().u64(2).u32(3).u32(12346).u32(0).u32(1).u32(12346).u32(0).build(), /strictly ascending/],
    ['trailing bytes', new Bytes().u64(0).u8(1).build(), /trailing/],
    ['a bucket count larger than the data', new Bytes().u64(1000).build(), /claims 1000 buckets/],
    ['a bucket key beyond 2^53', new Bytes().u64(1).u32(2 ** 21).u32(12346).u32(0).build(), /beyond 2\^53/],
    [
      'a run container whose runs disagree with its header',
      new Bytes().u64(1).u32(0).u32(12347).u8(1).u16(0).u16(5).u16(1).u16(0).u16(1).build(),
      /holds 2 values but its header says 6/,
    ],
  ])('rejects %s with a deletion vector error', (_name, bytes, message) => {
    try {
      decodeRoaringBitmapArray(bytes);
      expect.unreachable();
    } catch (e) {
      expect(isDuckrunError(e, 'DELTA_DELETION_VECTOR')).toBe(true);
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('decodeNativeRoaringBitmapArray', () => {
  const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

  it('decodes big-endian sized bitmaps whose position is their high key, empty ones included', () => {
    const bitmap0 = new Bytes().u32(12346).u32(1).u16(0).u16(1).u32(16).u16(3).u16(4).build();
    const bitmap1 = new Bytes().u32(12346).u32(0).build();
    const bitmap2 = new Bytes().u32(12347).u8(1).u16(1).u16(2).u16(1).u16(5).u16(2).build();
    const b = new Bytes().raw(be32(3));
    for (const bm of [bitmap0, bitmap1, bitmap2]) b.raw(be32(bm.length)).raw(bm);
    expect(Array.from(decodeNativeRoaringBitmapArray(b.build()))).toEqual([3, 4, 2 * 2 ** 32 + 65536 + 5, 2 * 2 ** 32 + 65536 + 6, 2 * 2 ** 32 + 65536 + 7]);
  });

  it('rejects a bitmap whose size prefix disagrees with its content', () => {
    const bitmap = new Bytes().u32(12346).u32(0).build();
    const bytes = new Bytes().raw(be32(1)).raw(be32(12)).raw(bitmap).raw([0, 0, 0, 0]).build();
    expect(() => decodeNativeRoaringBitmapArray(bytes)).toThrow(/size prefix says 12/);
  });
});

describe('encodeRoaringBitmapArray', () => {
  it('writes the same bytes Spark wrote for a one-row deletion vector', () => {
    // Bitmap part of dv-partitioned-with-checkpoint's deletion_vector_0229ec3d-….bin (row 0).
    const spark = new Bytes().u64(1).u32(0).u32(12346).u32(1).u16(0).u16(0).u32(16).u16(0).build();
    expect(Array.from(encodeRoaringBitmapArray([0]))).toEqual(Array.from(spark));
  });

  it('chooses a run container for a dense range and keeps it tiny', () => {
    const values = range(1000, 61000);
    const bytes = encodeRoaringBitmapArray(values);
    expect(bytes.length).toBeLessThan(40);
    expect(new DataView(bytes.buffer).getUint16(12, true)).toBe(12347);
    expect(rows(bytes)).toEqual(values);
  });

  it('chooses a bitmap container for more than 4096 scattered values', () => {
    const values = range(0, 65536, 3);
    const bytes = encodeRoaringBitmapArray(values);
    expect(bytes.length).toBeGreaterThan(8192);
    expect(bytes.length).toBeLessThan(8192 + 64);
    expect(rows(bytes)).toEqual(values);
  });

  it('writes the offset header with the run cookie once there are four containers', () => {
    const values = [...range(0, 100), ...range(65536, 65636), ...range(131072, 131172), ...range(196608, 196708)];
    const bytes = encodeRoaringBitmapArray(values);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(12, true)).toBe((12347 | (3 << 16)) >>> 0);
    // cookie(4) + run flags(1) + 4 descriptive entries(16) + 4 offsets(16) precede the data.
    expect(view.getUint32(12 + 4 + 1 + 16, true)).toBe(4 + 1 + 16 + 16);
    expect(rows(bytes)).toEqual(values);
  });

  it('round-trips mixed containers across several buckets', () => {
    const values = [
      0,
      1,
      2,
      ...range(70_000, 75_000, 1),
      ...range(200_000, 265_000, 7),
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 65_537,
      7 * 2 ** 32 + 12,
      Number.MAX_SAFE_INTEGER,
    ];
    expect(rows(encodeRoaringBitmapArray(values))).toEqual(values);
  });

  it('round-trips pseudo-random row sets of many densities', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const density of [0.0001, 0.01, 0.3, 0.9, 0.999]) {
      const values: number[] = [];
      for (let v = 0; v < 300_000; v++) if (next() < density) values.push(v);
      expect(rows(encodeRoaringBitmapArray(values))).toEqual(values);
    }
  });

  it('drops duplicate rows', () => {
    expect(rows(encodeRoaringBitmapArray([1, 1, 2, 2, 2, 9]))).toEqual([1, 2, 9]);
  });

  it('encodes no rows as an empty bitmap array', () => {
    expect(Array.from(encodeRoaringBitmapArray([]))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each([
    ['unsorted rows', [5, 3], /unsorted/],
    ['a negative row', [-1], /\[0, 2\^53\)/],
    ['a fractional row', [1.5], /\[0, 2\^53\)/],
    ['a row beyond 2^53', [2 ** 53], /\[0, 2\^53\)/],
  ])('refuses %s', (_name, input, message) => {
    expect(() => encodeRoaringBitmapArray(input)).toThrow(message);
  });
});
