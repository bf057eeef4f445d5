// vitest globalSetup: provides a per-run directory through which S3 test files share one Ceph RGW
// (see rgw.ts). Cheap when no S3 test runs: it only makes a directory; the first S3 test file starts
// the server, and the teardown here stops it.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopSharedRgw } from './rgw.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'duckrun-rgw-'));
  project.provide('duckrunRgw', { dir, owner: process.pid });
  return () => stopSharedRgw(dir);
}
