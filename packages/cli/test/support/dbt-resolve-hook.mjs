// Node resolve hook for source-bin.ts: while @duckrun/dbt does not export runDbt, the CLI's
// `import('@duckrun/dbt')` resolves to dbt-with-runner.ts instead (TODO(#6): delete with the shim).
const shim = new URL('./dbt-with-runner.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  // Resolved through the chain, so tsx still marks the .ts file for transpiling.
  if (specifier === '@duckrun/dbt' && context.parentURL?.includes('/packages/cli/src/')) return next(shim, context);
  return next(specifier, context);
}
