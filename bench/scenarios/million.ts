// The 1,000,000-file tables shared by the checkpoint write and replay scenarios.

import type { TableRecipe } from '../tables.js';

/** A table whose state is one 1,000,000-file checkpoint (version 100) plus 5 commits of 10 files. */
export const MILLION_NAME = 'checkpoint-1m-files';
/** Recipe of {@link MILLION_NAME}. */
export const MILLION_RECIPE: TableRecipe = { checkpointFiles: 1_000_000, checkpointAt: 100, commitsAfter: 5, seed: 2 };

/** The same number of files as plain JSON commits (100 commits × 10,000 adds), the replay baseline. */
export const MILLION_JSON_NAME = 'json-1m-files';
/** Recipe of {@link MILLION_JSON_NAME}. */
export const MILLION_JSON_RECIPE: TableRecipe = { commits: 100, filesPerCommit: 10_000, removeEvery: 0, seed: 2 };
