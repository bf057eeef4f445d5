// Jinja's `loop` object inside a for loop: index/first/last, cycle(), changed(), previtem/nextitem.
import { pyEquals } from './py/values.js';

/** Per-loop memory shared by the iterations (for `loop.changed`). */
export interface LoopState {
  changedLast?: unknown[];
}

/** One iteration's `loop` variable. */
export class LoopContext {
  readonly index0: number;
  readonly index: number;
  readonly revindex: number;
  readonly revindex0: number;
  readonly first: boolean;
  readonly last: boolean;
  readonly length: number;
  readonly depth = 1;
  readonly depth0 = 0;
  readonly previtem: unknown;
  readonly nextitem: unknown;
  readonly #state: LoopState;

  constructor(items: readonly unknown[], i: number, state: LoopState) {
    this.index0 = i;
    this.index = i + 1;
    this.length = items.length;
    this.revindex = items.length - i;
    this.revindex0 = items.length - i - 1;
    this.first = i === 0;
    this.last = i === items.length - 1;
    this.previtem = i > 0 ? items[i - 1] : undefined;
    this.nextitem = i + 1 < items.length ? items[i + 1] : undefined;
    this.#state = state;
  }

  /** `loop.cycle('odd', 'even')`. */
  cycle(...values: unknown[]): unknown {
    if (values.length === 0) throw new TypeError('loop.cycle() needs at least one value');
    return values[this.index0 % values.length];
  }

  /** True on the first call and whenever the arguments differ from the previous iteration's. */
  changed(...values: unknown[]): boolean {
    const before = this.#state.changedLast;
    this.#state.changedLast = values;
    return before === undefined || !pyEquals(before, values);
  }
}
