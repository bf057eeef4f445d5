// Reads the row count and row-group count out of a parquet footer (thrift compact `FileMetaData`), so a
// freshly written checkpoint can be checked before it becomes visible, from its last bytes only.

import { CheckpointError } from '../errors.js';

/** What a parquet footer says about its file. */
export interface ParquetFooterInfo {
  readonly numRows: number;
  readonly rowGroups: number;
  /** Bytes of the footer, its length field and the closing magic. */
  readonly footerBytes: number;
}

/** Parses the footer at the end of `tail` (the last bytes of a parquet file, at least the whole footer). */
export function readParquetFooter(tail: Uint8Array, file: string): ParquetFooterInfo {
  const n = tail.length;
  if (n < 12 || !isMagic(tail, n - 4)) throw new CheckpointError(`${file} does not end with the parquet magic; the write was truncated`);
  const length = new DataView(tail.buffer, tail.byteOffset + n - 8, 4).getUint32(0, true);
  if (length + 8 > n) throw new CheckpointError(`${file} has a ${length}-byte parquet footer, more than the ${n - 8} bytes kept to check it`);
  const reader = new CompactReader(tail.subarray(n - 8 - length, n - 8), file);
  let numRows: number | undefined;
  let rowGroups: number | undefined;
  let field = 0;
  for (;;) {
    const header = reader.byte();
    const type = header & 0x0f;
    if (type === STOP) break;
    const delta = header >> 4;
    field = delta === 0 ? reader.zigzag() : field + delta;
    if (field === 3 && type === I64) numRows = reader.zigzag();
    else if (field === 4 && type === LIST) rowGroups = reader.skipList();
    else reader.skip(type);
  }
  if (numRows === undefined || rowGroups === undefined) throw new CheckpointError(`${file} has a parquet footer without num_rows or row_groups`);
  return { numRows, rowGroups, footerBytes: length + 8 };
}

const STOP = 0;
const I64 = 6;
const LIST = 9;

function isMagic(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x50 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x52 && bytes[at + 3] === 0x31;
}

/** Just enough of the thrift compact protocol to walk a struct and skip what it does not need. */
class CompactReader {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new CheckpointError(`${this.file} has a truncated parquet footer`);
    return this.bytes[this.at++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** Skips a list or set and returns its element count. */
  skipList(): number {
    const header = this.byte();
    const size = header >> 4 === 15 ? this.varint() : header >> 4;
    const type = header & 0x0f;
    for (let i = 0; i < size; i++) this.skipElement(type);
    return size;
  }

  /** Skips one collection element: unlike fields, booleans in collections take a byte each. */
  private skipElement(type: number): void {
    if (type === 1 || type === 2) this.at += 1;
    else this.skip(type);
  }

  skip(type: number): void {
    switch (type) {
      case 1:
      case 2:
        return; // boolean field: the value is in the type nibble
      case 3:
        this.at += 1;
        return;
      case 4:
      case 5:
      case 6:
        this.varint();
        return;
      case 7:
        this.at += 8;
        return;
      case 8: {
        const length = this.varint();
        this.at += length;
        return;
      }
      case 9:
      case 10:
        this.skipList();
        return;
      case 11: {
        const size = this.varint();
        if (size === 0) return;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.skipElement(kinds >> 4);
          this.skipElement(kinds & 0x0f);
        }
        return;
      }
      case 12:
        for (;;) {
          const header = this.byte();
          if ((header & 0x0f) === STOP) return;
          if (header >> 4 === 0) this.zigzag();
          this.skip(header & 0x0f);
        }
      default:
        throw new CheckpointError(`${this.file} has a parquet footer with unknown thrift type ${type}`);
    }
  }
}
