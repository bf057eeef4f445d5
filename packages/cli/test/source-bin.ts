// Runs the CLI from source in a child process (node --conditions=source --import tsx source-bin.ts …),
// so end-to-end tests exercise fresh processes without a build step.
import { register } from 'node:module';

// TODO(#6): drop once @duckrun/dbt's entry exports runDbt.
const dbt = (await import('@duckrun/dbt')) as Record<string, unknown>;
if (typeof dbt['runDbt'] !== 'function') register('./support/dbt-resolve-hook.mjs', import.meta.url);

const { main } = await import('../src/bin.js');
process.exitCode = await main(process.argv.slice(2));
