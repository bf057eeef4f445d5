// A generic decoder of the thrift compact protocol (the encoding of parquet footers): a struct becomes a
// map from field id to value, so callers pick the fields they know and ignore the rest (new footer fields
// appear with every parquet format release).

/** A decoded thrift value: integers as numbers (footer counts fit in 2^53), binaries as bytes. */
export type ThriftValue = boolean | number | Uint8Array | ThriftValue[] | ThriftStruct | Map<ThriftValue, ThriftValue>;

/** A decoded struct or union: field id → value. */
export type ThriftStruct = Map<number, ThriftValue>;

/** Thrown on bytes that are not a well-formed compact-protocol struct. */
export class ThriftDecodeError extends Error {}

const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** Decodes one struct from the start of `bytes`. */
export function decodeThriftStruct(bytes: Uint8Array): ThriftStruct {
  return new CompactDecoder(bytes).struct();
}

class CompactDecoder {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  struct(): ThriftStruct {
    const out: ThriftStruct = new Map();
    let field = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === STOP) return out;
      const delta = header >> 4;
      field = delta === 0 ? this.zigzag() : field + delta;
      // Booleans of fields carry their value in the type nibble.
      out.set(field, type === TRUE ? true : type === FALSE ? false : this.value(type));
    }
  }

  private value(type: number): ThriftValue {
    switch (type) {
      case TRUE:
      case FALSE:
        // Inside collections a boolean takes a byte of its own.
        return this.byte() === TRUE;
      case BYTE: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case I16:
      case I32:
      case I64:
        return this.zigzag();
      case DOUBLE: {
        this.need(8);
        const v = this.view.getFloat64(this.at, true);
        this.at += 8;
        return v;
      }
      case BINARY: {
        const length = this.varint();
        this.need(length);
        const v = this.bytes.subarray(this.at, this.at + length);
        this.at += length;
        return v;
      }
      case LIST:
      case SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const kind = header & 0x0f;
        const out: ThriftValue[] = [];
        for (let i = 0; i < size; i++) out.push(this.value(kind));
        return out;
      }
      case MAP: {
        const size = this.varint();
        const out = new Map<ThriftValue, ThriftValue>();
        if (size === 0) return out;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) out.set(this.value(kinds >> 4), this.value(kinds & 0x0f));
        return out;
      }
      case STRUCT:
        return this.struct();
      default:
        throw new ThriftDecodeError(`unknown thrift compact type ${type} at byte ${this.at}`);
    }
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  private need(n: number): void {
    if (this.at + n > this.bytes.length) throw new ThriftDecodeError('truncated thrift struct');
  }

  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ThriftDecodeError('varint longer than 10 bytes');
  }

  private zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
}
