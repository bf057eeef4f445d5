import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { decodeZ85, encodeZ85 } from '../../../src/kernel/dv/z85.js';

describe('Z85', () => {
  it('encodes the ZeroMQ reference vector "HelloWorld"', () => {
    const bytes = Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(encodeZ85(bytes)).toBe('HelloWorld');
    expect(Array.from(decodeZ85('HelloWorld'))).toEqual(Array.from(bytes));
  });

  it('round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(decodeZ85(encodeZ85(bytes)))).toEqual(Array.from(bytes));
  });

  it('encodes all-zero and all-ones words at the ends of the alphabet', () => {
    expect(encodeZ85(new Uint8Array(4))).toBe('00000');
    expect(encodeZ85(Uint8Array.from([255, 255, 255, 255]))).toBe('%nSc0');
    expect(Array.from(decodeZ85('%nSc0'))).toEqual([255, 255, 255, 255]);
  });

  it('pads input that is not a multiple of four bytes with zeros', () => {
    const text = encodeZ85(Uint8Array.from([1, 2, 3, 4, 5]));
    expect(text).toHaveLength(10);
    expect(Array.from(decodeZ85(text))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
  });

  it('decodes the empty string to no bytes', () => {
    expect(decodeZ85('')).toHaveLength(0);
    expect(encodeZ85(new Uint8Array(0))).toBe('');
  });

  it('rejects text whose length is not a multiple of five', () => {
    expect(() => decodeZ85('abcd')).toThrow(/multiple of 5/);
  });

  it('rejects characters outside the alphabet with a protocol error', () => {
    try {
      decodeZ85('abc"e');
      expect.unreachable();
    } catch (e) {
      expect(isDuckrunError(e, 'DELTA_PROTOCOL')).toBe(true);
      expect((e as Error).message).toMatch(/position 3/);
    }
  });

  it('rejects a group that overflows 32 bits', () => {
    expect(() => decodeZ85('#####')).toThrow(/overflows 32 bits/);
  });
});
