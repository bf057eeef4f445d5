// The dbt version duckrun reports (to `require-dbt-version`, `dbt_version` in Jinja and artifacts),
// and the range check packages rely on: a 1.x version so real projects' ranges pass.

/** The dbt-core version duckrun behaves as. */
export const DBT_VERSION = '1.10.0';

/**
 * True when `version` satisfies every constraint, each like `>=1.3.0`, `<2.0.0`, `1.5.0` or
 * `1.5.x` (a list, or a comma-separated string, as `require-dbt-version` takes them).
 */
export function satisfiesVersionRange(version: string, constraints: readonly string[]): boolean {
  const have = parseVersion(version);
  if (have === undefined) return false;
  for (const raw of constraints.flatMap((c) => c.split(','))) {
    const c = raw.trim();
    if (c === '') continue;
    const m = /^(>=|<=|>|<|==|=)?\s*v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(c);
    if (!m) return false;
    const op = m[1] ?? '=';
    const parts = [m[2], m[3], m[4]];
    const wildcard = parts.findIndex((p) => p === undefined || p === 'x' || p === '*');
    const want = parts.map((p) => (p === undefined || p === 'x' || p === '*' ? 0 : Number(p)));
    const cmp = compare(have, want);
    if ((op === '=' || op === '==') && wildcard >= 0) {
      if (!want.slice(0, wildcard).every((w, i) => w === have[i])) return false;
      continue;
    }
    const ok = { '>=': cmp >= 0, '<=': cmp <= 0, '>': cmp > 0, '<': cmp < 0, '==': cmp === 0, '=': cmp === 0 }[op];
    if (!ok) return false;
  }
  return true;
}

function parseVersion(v: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  return 0;
}
