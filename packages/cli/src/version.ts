// The package version, read once from package.json so `--version` and engineInfo agree.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** duckrun's version as published. */
export const VERSION: string = (require('../package.json') as { version: string }).version;
