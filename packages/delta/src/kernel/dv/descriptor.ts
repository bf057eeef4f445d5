// Deletion vector descriptors (PROTOCOL.md "Deletion Vectors", "Deletion Vector File Storage Format"):
// where a DV lives, its unique id for log replay, and decoding of inline and on-disk DVs to row indexes.
import { DeletionVectorError, DeltaProtocolError } from '../../errors.js';
import type { DeletionVectorDescriptor } from '../actions/types.js';
import { decodeAddPath } from '../partitions/path.js';
import { decodeNativeRoaringBitmapArray, decodeRoaringBitmapArray, encodeRoaringBitmapArray } from './roaring.js';
import { decodeZ85, encodeZ85 } from './z85.js';

/** Magic number (LE) that opens every serialized deletion vector ("Deletion Vector Format"). */
export const DV_MAGIC = 1681511377;
/** Magic number (BE) of the older native RoaringBitmapArray layout, as in PROTOCOL.md's inline example. */
export const DV_MAGIC_NATIVE = 1681511376;
/** Format version byte at the start of a deletion vector file. */
export const DV_FILE_VERSION = 1;

/** Where a deletion vector's bytes are: inline in the log, or a byte range of a file. */
export type ResolvedDeletionVector =
  | { readonly kind: 'inline'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'relative';
      /** Decoded path relative to the table root, e.g. `ab/deletion_vector_<uuid>.bin`. */
      readonly path: string;
      readonly offset: number;
      readonly sizeInBytes: number;
    }
  | {
      readonly kind: 'absolute';
      /** Absolute URI of the file (percent-encoded, `file:///…` for local paths). */
      readonly url: string;
      readonly offset: number;
      readonly sizeInBytes: number;
    };

/** Options for {@link parseDeletionVectorFile}. */
export interface DeletionVectorFileOptions {
  /** File offset of `bytes[0]`: 0 when `bytes` is the whole file, `dv.offset` for a range read. */
  readonly bytesOffset?: number;
  /** Name of the file in error messages (defaults to the descriptor's path). */
  readonly file?: string;
}

/** Resolves a descriptor to its inline bytes or to the file (and byte range) that holds it. */
export function resolveDeletionVector(dv: DeletionVectorDescriptor): ResolvedDeletionVector {
  switch (dv.storageType) {
    case 'i':
      return { kind: 'inline', bytes: inlineBytes(dv) };
    case 'u':
      return { kind: 'relative', path: uuidRelativePath(dv.pathOrInlineDv), offset: dv.offset ?? 0, sizeInBytes: dv.sizeInBytes };
    case 'p': {
      const decoded = decodeAddPath(dv.pathOrInlineDv);
      const offset = dv.offset ?? 0;
      return 'absolute' in decoded
        ? { kind: 'absolute', url: decoded.absolute, offset, sizeInBytes: dv.sizeInBytes }
        : { kind: 'relative', path: decoded.relative, offset, sizeInBytes: dv.sizeInBytes };
    }
    default:
      throw new DeletionVectorError(
        `deletion vector has unknown storageType ${JSON.stringify((dv as { storageType: unknown }).storageType)} (expected u, i or p); the table was written by a newer or non-conforming writer`,
      );
  }
}

/** The DV's `uniqueId` (PROTOCOL.md "Derived Fields"): `<storageType><pathOrInlineDv>[@<offset>]`. */
export function deletionVectorId(dv: DeletionVectorDescriptor): string {
  const base = `${dv.storageType}${dv.pathOrInlineDv}`;
  return dv.offset === undefined || dv.offset === null ? base : `${base}@${dv.offset}`;
}

/** File byte range a reader must fetch for an on-disk DV: size prefix, data and checksum. */
export function deletionVectorByteRange(dv: DeletionVectorDescriptor): { readonly offset: number; readonly length: number } {
  return { offset: dv.offset ?? 0, length: 4 + dv.sizeInBytes + 4 };
}

/**
 * Decodes a deletion vector to its sorted row indexes. Inline DVs need no bytes; on-disk DVs need the
 * file (or the range from {@link deletionVectorByteRange}, with `options.bytesOffset`).
 */
export function decodeDeletionVector(
  bytes: Uint8Array | null | undefined,
  dv: DeletionVectorDescriptor,
  options: DeletionVectorFileOptions = {},
): Float64Array {
  if (dv.storageType === 'i') return decodeSerializedDeletionVector(inlineBytes(dv), dv, 'inline deletion vector');
  if (bytes === null || bytes === undefined) {
    throw new DeletionVectorError(
      `deletion vector file ${describe(dv, options)} was not supplied; read it from the table before decoding`,
    );
  }
  return parseDeletionVectorFile(bytes, dv, options);
}

/**
 * Reads one DV out of a deletion vector file: checks the version byte (when the file start is present),
 * the 4-byte big-endian size, the magic, the CRC-32 and the cardinality, and returns sorted row indexes.
 */
export function parseDeletionVectorFile(
  bytes: Uint8Array,
  dv: DeletionVectorDescriptor,
  options: DeletionVectorFileOptions = {},
): Float64Array {
  const file = describe(dv, options);
  const bytesOffset = options.bytesOffset ?? 0;
  const offset = dv.offset ?? 0;
  const at = offset - bytesOffset;
  if (bytesOffset === 0 && bytes.length > 0 && bytes[0] !== DV_FILE_VERSION) {
    throw new DeletionVectorError(
      `deletion vector file ${file} has format version ${bytes[0]}, but duckrun reads version ${DV_FILE_VERSION}; the file is corrupt or from a newer writer`,
    );
  }
  if (at < 0 || at + 4 > bytes.length) {
    throw new DeletionVectorError(
      `deletion vector file ${file} is ${bytesOffset + bytes.length} bytes long and has no deletion vector at offset ${offset}; the file is truncated or the descriptor is wrong`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(at, false);
  if (size !== dv.sizeInBytes) {
    throw new DeletionVectorError(
      `deletion vector at offset ${offset} of ${file} is ${size} bytes but its descriptor says ${dv.sizeInBytes}; the file does not belong to this log entry`,
    );
  }
  if (at + 4 + size + 4 > bytes.length) {
    throw new DeletionVectorError(
      `deletion vector file ${file} ends before the ${size}-byte deletion vector at offset ${offset} and its checksum; the file is truncated`,
    );
  }
  const data = bytes.subarray(at + 4, at + 4 + size);
  const expected = view.getUint32(at + 4 + size, false);
  const actual = crc32(data);
  if (expected !== actual) {
    throw new DeletionVectorError(
      `deletion vector at offset ${offset} of ${file} fails its CRC-32 check (stored ${hex(expected)}, computed ${hex(actual)}); the file is corrupt`,
    );
  }
  return decodeSerializedDeletionVector(data, dv, `deletion vector at offset ${offset} of ${file}`);
}

/** Serializes sorted row indexes as a DV body: the magic number followed by the RoaringBitmapArray. */
export function serializeDeletionVector(rows: ArrayLike<number>): Uint8Array {
  const bitmap = encodeRoaringBitmapArray(rows);
  const out = new Uint8Array(4 + bitmap.length);
  new DataView(out.buffer).setUint32(0, DV_MAGIC, true);
  out.set(bitmap, 4);
  return out;
}

/** Builds an inline (`storageType: 'i'`) descriptor for sorted row indexes. */
export function inlineDeletionVector(rows: ArrayLike<number>): DeletionVectorDescriptor {
  const body = serializeDeletionVector(rows);
  return { storageType: 'i', pathOrInlineDv: encodeZ85(body), sizeInBytes: body.length, cardinality: countDistinct(rows) };
}

/**
 * Lays out a deletion vector file holding the given serialized DVs (from {@link serializeDeletionVector}):
 * version byte, then per DV a big-endian size, the data and its CRC-32. Returns each DV's offset.
 */
export function buildDeletionVectorFile(dvs: readonly Uint8Array[]): { readonly bytes: Uint8Array; readonly offsets: number[] } {
  const total = 1 + dvs.reduce((n, d) => n + 8 + d.length, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes[0] = DV_FILE_VERSION;
  const offsets: number[] = [];
  let pos = 1;
  for (const d of dvs) {
    offsets.push(pos);
    view.setUint32(pos, d.length, false);
    bytes.set(d, pos + 4);
    view.setUint32(pos + 4 + d.length, crc32(d), false);
    pos += 8 + d.length;
  }
  return { bytes, offsets };
}

/** The `pathOrInlineDv` of a `u` descriptor: optional random prefix + the Z85 form of the UUID. */
export function encodeDeletionVectorUuidPath(uuid: string, prefix = ''): string {
  const hexDigits = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hexDigits)) {
    throw new DeletionVectorError(`"${uuid}" is not a UUID; deletion vector files are named by a UUID`);
  }
  const raw = new Uint8Array(16);
  for (let i = 0; i < 16; i++) raw[i] = parseInt(hexDigits.slice(2 * i, 2 * i + 2), 16);
  return prefix + encodeZ85(raw);
}

// ---------------------------------------------------------------------------------------------------

/**
 * Checks the magic number, decodes the bitmap and checks its cardinality against the descriptor. Writers
 * produce the portable layout; the native one is accepted too because PROTOCOL.md's own example uses it.
 */
function decodeSerializedDeletionVector(data: Uint8Array, dv: DeletionVectorDescriptor, where: string): Float64Array {
  if (data.length < 4) throw new DeletionVectorError(`${where} is only ${data.length} bytes; it is truncated`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const magic = view.getUint32(0, true);
  const native = view.getUint32(0, false) === DV_MAGIC_NATIVE;
  if (magic !== DV_MAGIC && !native) {
    throw new DeletionVectorError(
      `${where} starts with magic number ${magic}, not ${DV_MAGIC}; it is not a RoaringBitmapArray (corrupt, or an unsupported format)`,
    );
  }
  let rows: Float64Array;
  try {
    rows = native ? decodeNativeRoaringBitmapArray(data.subarray(4)) : decodeRoaringBitmapArray(data.subarray(4));
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new DeletionVectorError(`${where} cannot be decoded (${detail}); the deletion vector is corrupt`, { cause: e });
  }
  if (rows.length !== dv.cardinality) {
    throw new DeletionVectorError(
      `${where} deletes ${rows.length} rows but its descriptor says ${dv.cardinality}; the log entry and the deletion vector disagree`,
    );
  }
  return rows;
}

function inlineBytes(dv: DeletionVectorDescriptor): Uint8Array {
  let decoded: Uint8Array;
  try {
    decoded = decodeZ85(dv.pathOrInlineDv);
  } catch (e) {
    throw new DeletionVectorError(
      `inline deletion vector "${short(dv.pathOrInlineDv)}" is not valid Z85; the log entry is corrupt`,
      { cause: e },
    );
  }
  if (decoded.length < dv.sizeInBytes) {
    throw new DeletionVectorError(
      `inline deletion vector "${short(dv.pathOrInlineDv)}" holds ${decoded.length} bytes but its descriptor says ${dv.sizeInBytes}; the log entry is corrupt`,
    );
  }
  return decoded.subarray(0, dv.sizeInBytes);
}

/** `[prefix/]deletion_vector_<uuid>.bin` from a `u` descriptor's `pathOrInlineDv`. */
function uuidRelativePath(pathOrInlineDv: string): string {
  if (pathOrInlineDv.length < 20) {
    throw new DeletionVectorError(
      `deletion vector path "${pathOrInlineDv}" is shorter than the 20-character Z85 UUID it must end with; the log entry is corrupt`,
    );
  }
  const prefix = pathOrInlineDv.slice(0, -20);
  let raw: Uint8Array;
  try {
    raw = decodeZ85(pathOrInlineDv.slice(-20));
  } catch (e) {
    if (!(e instanceof DeltaProtocolError)) throw e;
    throw new DeletionVectorError(
      `deletion vector path "${pathOrInlineDv}" does not end with a Z85-encoded UUID; the log entry is corrupt`,
      { cause: e },
    );
  }
  let h = '';
  for (const b of raw) h += b.toString(16).padStart(2, '0');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  const name = `deletion_vector_${uuid}.bin`;
  return prefix === '' ? name : `${prefix}/${name}`;
}

function describe(dv: DeletionVectorDescriptor, options: DeletionVectorFileOptions): string {
  if (options.file !== undefined) return options.file;
  try {
    const r = resolveDeletionVector(dv);
    return r.kind === 'relative' ? r.path : r.kind === 'absolute' ? r.url : 'inline';
  } catch {
    return JSON.stringify(dv.pathOrInlineDv);
  }
}

function countDistinct(rows: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i] !== rows[i - 1]) n++;
  return n;
}

const CRC_TABLE = buildCrcTable();

/** CRC-32 (IEEE 802.3, as java.util.zip.CRC32) of `data`. */
function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (CRC_TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function short(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
