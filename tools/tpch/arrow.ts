// apache-arrow for the generator. tools/ is not a workspace package, so a bare 'apache-arrow' import has
// nothing to resolve against; the bench workspace (which declares apache-arrow) lends its copy, the same
// one @duckrun/delta uses, so generated batches pass the writer's instanceof checks.
export * from '../../bench/arrow.js';
