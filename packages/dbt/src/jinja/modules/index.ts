// The `modules` global: Python standard modules dbt exposes to templates.
import { createDatetimeModule, UTC, TzInfo, type Clock } from './datetime.js';
import { createItertoolsModule } from './itertools.js';
import { createReModule } from './re.js';
import { pyFunction } from '../py/call.js';
import { pyStr } from '../py/repr.js';

/** Builds the `modules` namespace; `clock` is read by datetime.now()/utcnow(). */
export function createModules(clock: Clock): Record<string, unknown> {
  return {
    datetime: createDatetimeModule(clock),
    re: createReModule(),
    itertools: createItertoolsModule(),
    pytz: {
      utc: UTC,
      UTC,
      timezone: pyFunction('timezone', (a) => {
        const zone = pyStr(a[0]);
        if (zone.toUpperCase() !== 'UTC' && zone !== 'Etc/UTC') throw new Error(`pytz: only UTC is available, not '${zone}'`);
        return UTC;
      }),
    },
  };
}

export { TzInfo };
