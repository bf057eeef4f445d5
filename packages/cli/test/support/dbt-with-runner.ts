// Test wiring until @duckrun/dbt's entry exports the runner (TODO(#6)): the package plus runDbt from the
// runner's own index. Used by vi.mock in-process and by source-bin.ts's resolve hook in child processes.
export * from '../../../dbt/src/index.js';
export { runDbt } from '../../../dbt/src/runner/index.js';
