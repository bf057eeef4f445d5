// `modules.itertools`: the finite helpers templates use (chain, product, combinations, permutations,
// islice), returning lists since templates consume them whole.
import { arg, pyFunction } from '../py/call.js';
import { pyIter } from '../py/values.js';

function combinations(items: unknown[], r: number): unknown[][] {
  if (r === 0) return [[]];
  const out: unknown[][] = [];
  items.forEach((x, i) => {
    for (const rest of combinations(items.slice(i + 1), r - 1)) out.push([x, ...rest]);
  });
  return out;
}

function permutations(items: unknown[], r: number): unknown[][] {
  if (r === 0) return [[]];
  const out: unknown[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)], r - 1)) out.push([x, ...rest]);
  });
  return out;
}

/** Builds `modules.itertools`. */
export function createItertoolsModule(): Record<string, unknown> {
  return {
    chain: pyFunction('chain', (a) => a.flatMap((x) => pyIter(x))),
    product: pyFunction('product', (a, k) => {
      const pools = Array.from({ length: Number(k.repeat ?? 1) }, () => a.map((x) => pyIter(x))).flat();
      return pools.reduce<unknown[][]>((acc, pool) => acc.flatMap((prefix) => pool.map((x) => [...prefix, x])), [[]]);
    }),
    combinations: pyFunction('combinations', (a, k) => combinations(pyIter(a[0]), Number(arg(a, k, 1, 'r')))),
    permutations: pyFunction('permutations', (a, k) => {
      const items = pyIter(a[0]);
      return permutations(items, Number(arg(a, k, 1, 'r', items.length) ?? items.length));
    }),
    islice: pyFunction('islice', (a) => {
      const items = pyIter(a[0]);
      return a.length === 2 ? items.slice(0, Number(a[1])) : items.slice(Number(a[1] ?? 0), a[2] === null ? undefined : Number(a[2])).filter((_x, i) => i % Number(a[3] ?? 1) === 0);
    }),
  };
}
