#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `pnpm install` through the root prepare script).
import { main } from '../dist/bin.js';

process.exitCode = await main(process.argv.slice(2));
