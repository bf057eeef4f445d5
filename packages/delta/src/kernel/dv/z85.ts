// ZeroMQ Z85 (base85) codec, the encoding Delta uses for deletion vector UUIDs and inline bitmaps
// (PROTOCOL.md "Deletion Vector Descriptor Schema") and for variant statistics.
import { DeltaProtocolError } from '../../errors.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

const DECODE = buildDecodeTable();

/** Decodes Z85 text (length a multiple of 5) into bytes (4 per 5 characters). */
export function decodeZ85(text: string): Uint8Array {
  if (text.length % 5 !== 0) {
    throw new DeltaProtocolError(
      `Z85 text of length ${text.length} is not a multiple of 5 characters ("${preview(text)}"); the value is truncated or not Z85`,
    );
  }
  const out = new Uint8Array((text.length / 5) * 4);
  let o = 0;
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const code = text.charCodeAt(i + j);
      const digit = code < 128 ? (DECODE[code] ?? -1) : -1;
      if (digit < 0) {
        throw new DeltaProtocolError(
          `character ${JSON.stringify(text[i + j])} at position ${i + j} of "${preview(text)}" is not a Z85 digit`,
        );
      }
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) {
      throw new DeltaProtocolError(`Z85 group "${text.slice(i, i + 5)}" in "${preview(text)}" overflows 32 bits`);
    }
    out[o++] = (value >>> 24) & 0xff;
    out[o++] = (value >>> 16) & 0xff;
    out[o++] = (value >>> 8) & 0xff;
    out[o++] = value & 0xff;
  }
  return out;
}

/**
 * Encodes bytes as Z85. Input whose length is not a multiple of 4 is padded with zero bytes first, as
 * Delta does for inline deletion vectors (the descriptor's `sizeInBytes` tells readers where data ends).
 */
export function encodeZ85(bytes: Uint8Array): string {
  const padded = bytes.length % 4 === 0 ? bytes : padTo4(bytes);
  let out = '';
  for (let i = 0; i < padded.length; i += 4) {
    let value =
      ((padded[i] ?? 0) * 0x1000000 + ((padded[i + 1] ?? 0) << 16) + ((padded[i + 2] ?? 0) << 8) + (padded[i + 3] ?? 0)) >>> 0;
    let group = '';
    for (let j = 0; j < 5; j++) {
      group = ALPHABET.charAt(value % 85) + group;
      value = Math.floor(value / 85);
    }
    out += group;
  }
  return out;
}

function padTo4(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  return padded;
}

function buildDecodeTable(): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
