// Project variables as dbt scopes them: a `vars:` key naming a package holds that package's vars.

/**
 * The vars `var()` sees in package `pkg`: the package's own global vars, then its own scoped block,
 * then the root project's global vars, then the root's block for `pkg`, then `--vars`.
 */
export function computeVars(
  rootVars: Readonly<Record<string, unknown>>,
  ownVars: Readonly<Record<string, unknown>>,
  pkg: string,
  packageNames: ReadonlySet<string>,
  cliVars: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const globals = (vars: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(vars).filter(([k, v]) => !(packageNames.has(k) && isMap(v))));
  const scoped = (vars: Readonly<Record<string, unknown>>) => (isMap(vars[pkg]) ? (vars[pkg] as Record<string, unknown>) : {});
  return { ...globals(ownVars), ...scoped(ownVars), ...globals(rootVars), ...scoped(rootVars), ...cliVars };
}

function isMap(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
