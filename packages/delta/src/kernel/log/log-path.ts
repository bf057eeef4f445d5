// File names inside `_delta_log` → typed log paths (PROTOCOL.md "Delta Log Entries", "Checkpoints").

/** A commit file `<version>.json`. */
export interface CommitPath {
  readonly kind: 'commit';
  readonly version: number;
  readonly name: string;
}

/** A checkpoint file: classic, one part of a multi-part, or a v2 (UUID-named) checkpoint. */
export interface CheckpointPath {
  readonly kind: 'checkpoint';
  readonly version: number;
  readonly name: string;
  readonly type: 'classic' | 'multipart' | 'v2';
  readonly format: 'parquet' | 'json';
  /** 1-based part number and part count of a multi-part checkpoint. */
  readonly part?: number;
  readonly parts?: number;
}

/** A log compaction file `<start>.<end>.compacted.json` (an optional optimisation; we may ignore it). */
export interface CompactionPath {
  readonly kind: 'compaction';
  readonly version: number;
  readonly endVersion: number;
  readonly name: string;
}

/** A version checksum `<version>.crc`. */
export interface CrcPath {
  readonly kind: 'crc';
  readonly version: number;
  readonly name: string;
}

/** Any recognised file in `_delta_log`. */
export type LogPath = CommitPath | CheckpointPath | CompactionPath | CrcPath;

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC = /^(\d{20})\.checkpoint\.parquet$/;
const MULTIPART = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const V2 = /^(\d{20})\.checkpoint\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.(parquet|json)$/;
const COMPACTION = /^(\d{20})\.(\d{20})\.compacted\.json$/;
const CRC = /^(\d{20})\.crc$/;

/** Parses a file name (no directory) from `_delta_log`; `undefined` for files that are not log entries. */
export function parseLogPath(name: string): LogPath | undefined {
  let m = COMMIT.exec(name);
  if (m) return { kind: 'commit', version: Number(m[1]), name };
  m = CLASSIC.exec(name);
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name, type: 'classic', format: 'parquet' };
  m = MULTIPART.exec(name);
  if (m) {
    const part = Number(m[2]);
    const parts = Number(m[3]);
    if (part < 1 || part > parts) return undefined;
    return { kind: 'checkpoint', version: Number(m[1]), name, type: 'multipart', format: 'parquet', part, parts };
  }
  m = V2.exec(name);
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name, type: 'v2', format: m[2] === 'json' ? 'json' : 'parquet' };
  m = COMPACTION.exec(name);
  if (m) return { kind: 'compaction', version: Number(m[1]), endVersion: Number(m[2]), name };
  m = CRC.exec(name);
  if (m) return { kind: 'crc', version: Number(m[1]), name };
  return undefined;
}

/** The 20-digit zero-padded form of a version used in log file names. */
export function formatVersion(version: number): string {
  return String(version).padStart(20, '0');
}

/** The commit file name of a version. */
export function commitFileName(version: number): string {
  return `${formatVersion(version)}.json`;
}
