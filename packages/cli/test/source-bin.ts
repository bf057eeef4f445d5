// Runs the CLI from source in a child process (node --conditions=source --import tsx source-bin.ts …),
// so end-to-end tests exercise fresh processes without a build step.
import { main } from '../src/bin.js';

process.exitCode = await main(process.argv.slice(2));
