// Local file paths of a Delta table's data files, for engines that read local disk themselves.
import type { ScanFile, Snapshot } from '@duckrun/delta';
import { NativeScanUnsupported } from './conform-sql.js';

/** Characters read_parquet takes as glob syntax in a path; such files are left to the Arrow path. */
const GLOB = /[*?[\]{}]/;

/**
 * The local path of every file, in order. Only `file://` tables qualify: for object stores (s3, azure, gcs,
 * r2) DuckDB would need its httpfs/azure extensions, which cannot be downloaded offline, and memory://
 * tables do not exist outside this process; those are read by the Arrow path.
 */
export function localDataFilePaths(snapshot: Snapshot, files: readonly ScanFile[]): string[] {
  if (!snapshot.tableUri.startsWith('file:')) {
    throw new NativeScanUnsupported(`table ${snapshot.tableUri} is not on local disk (DuckDB's remote file systems are extensions that cannot be loaded offline)`);
  }
  return files.map((file) => {
    const url = snapshot.dataFileUrl(file);
    // The URL is percent-decoded already: its path is the file's path (a host part means a network share).
    if (!url.startsWith('file:///')) throw new NativeScanUnsupported(`data file ${url} is not a local file`);
    let path = url.slice('file://'.length);
    if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
    if (GLOB.test(path)) throw new NativeScanUnsupported(`data file ${path} has characters read_parquet would take as a glob pattern`);
    return path;
  });
}
