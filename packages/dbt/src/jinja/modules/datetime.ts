// `modules.datetime`: Python's datetime, date and timedelta over JS numbers, enough for dbt configs
// and macros (now/utcnow, constructors, strftime, isoformat, arithmetic, comparisons).
// Values keep wall-clock fields in UTC milliseconds plus microseconds; `tz` marks aware UTC values.
import { arg, pyFunction, type Kwargs } from '../py/call.js';
import { NOT_IMPLEMENTED } from '../py/ops.js';
import { pyStr } from '../py/repr.js';

const DAY_MS = 86_400_000;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** A fixed UTC offset (pytz.utc is the only zone provided). */
export class TzInfo {
  constructor(readonly zone: string) {}
  /** `pytz.utc.localize(naive)`. */
  localize(dt: PyDateTime): PyDateTime {
    return new PyDateTime(dt.wallMs, dt.micro, this);
  }
  __str__(): string {
    return this.zone;
  }
}

/** `pytz.utc`. */
export const UTC = new TzInfo('UTC');

/** Python `timedelta`. */
export class PyTimeDelta {
  /** Total duration in microseconds. */
  constructor(readonly totalMicros: number) {}
  get days(): number {
    return Math.floor(this.totalMicros / (DAY_MS * 1000));
  }
  get seconds(): number {
    return Math.floor((this.totalMicros - this.days * DAY_MS * 1000) / 1e6);
  }
  get microseconds(): number {
    return this.totalMicros - this.days * DAY_MS * 1000 - this.seconds * 1e6;
  }
  total_seconds(): number {
    return this.totalMicros / 1e6;
  }
  __add__(o: unknown): unknown {
    if (o instanceof PyTimeDelta) return new PyTimeDelta(this.totalMicros + o.totalMicros);
    return NOT_IMPLEMENTED;
  }
  __radd__(o: unknown): unknown {
    return o instanceof PyDateTime || o instanceof PyDate ? o.__add__(this) : NOT_IMPLEMENTED;
  }
  __sub__(o: unknown): unknown {
    return o instanceof PyTimeDelta ? new PyTimeDelta(this.totalMicros - o.totalMicros) : NOT_IMPLEMENTED;
  }
  __eq__(o: unknown): boolean {
    return o instanceof PyTimeDelta && o.totalMicros === this.totalMicros;
  }
  valueOf(): number {
    return this.totalMicros;
  }
  __str__(): string {
    const d = this.days;
    let rest = this.totalMicros - d * DAY_MS * 1000;
    const h = Math.floor(rest / 3.6e9);
    rest -= h * 3.6e9;
    const m = Math.floor(rest / 6e7);
    rest -= m * 6e7;
    const s = Math.floor(rest / 1e6);
    const us = rest - s * 1e6;
    const hms = `${h}:${p2(m)}:${p2(s)}${us ? `.${String(us).padStart(6, '0')}` : ''}`;
    return d ? `${d} day${Math.abs(d) === 1 ? '' : 's'}, ${hms}` : hms;
  }
}

/** Python `date`. */
export class PyDate {
  constructor(readonly wallMs: number) {}
  get year(): number {
    return new Date(this.wallMs).getUTCFullYear();
  }
  get month(): number {
    return new Date(this.wallMs).getUTCMonth() + 1;
  }
  get day(): number {
    return new Date(this.wallMs).getUTCDate();
  }
  weekday(): number {
    return (new Date(this.wallMs).getUTCDay() + 6) % 7;
  }
  isoformat(): string {
    return new Date(this.wallMs).toISOString().slice(0, 10);
  }
  strftime(fmt: unknown): string {
    return strftime(pyStr(fmt), this.wallMs, 0, undefined);
  }
  replace(...a: unknown[]): PyDate {
    const k = (a.at(-1) ?? {}) as Kwargs;
    return new PyDate(Date.UTC(Number(k.year ?? this.year), Number(k.month ?? this.month) - 1, Number(k.day ?? this.day)));
  }
  __add__(o: unknown): unknown {
    return o instanceof PyTimeDelta ? new PyDate(this.wallMs + Math.floor(o.totalMicros / 1000 / DAY_MS) * DAY_MS) : NOT_IMPLEMENTED;
  }
  __sub__(o: unknown): unknown {
    if (o instanceof PyTimeDelta) return new PyDate(this.wallMs - Math.floor(o.totalMicros / 1000 / DAY_MS) * DAY_MS);
    if (o instanceof PyDate && !(o instanceof PyDateTime)) return new PyTimeDelta((this.wallMs - o.wallMs) * 1000);
    return NOT_IMPLEMENTED;
  }
  __eq__(o: unknown): boolean {
    return o instanceof PyDate && !(o instanceof PyDateTime) && o.wallMs === this.wallMs;
  }
  valueOf(): number {
    return this.wallMs;
  }
  __str__(): string {
    return this.isoformat();
  }
}

/** Python `datetime` (naive, or aware in UTC). */
export class PyDateTime extends PyDate {
  constructor(
    wallMs: number,
    readonly micro: number,
    readonly tzinfo: TzInfo | null = null,
  ) {
    super(wallMs);
  }
  get hour(): number {
    return new Date(this.wallMs).getUTCHours();
  }
  get minute(): number {
    return new Date(this.wallMs).getUTCMinutes();
  }
  get second(): number {
    return new Date(this.wallMs).getUTCSeconds();
  }
  get microsecond(): number {
    return this.micro;
  }
  date(): PyDate {
    return new PyDate(Math.floor(this.wallMs / DAY_MS) * DAY_MS);
  }
  override isoformat(sep: unknown = 'T'): string {
    const iso = new Date(this.wallMs).toISOString();
    const frac = this.micro ? `.${String(this.micro).padStart(6, '0')}` : '';
    return `${iso.slice(0, 10)}${pyStr(sep)}${iso.slice(11, 19)}${frac}${this.tzinfo ? '+00:00' : ''}`;
  }
  override strftime(fmt: unknown): string {
    return strftime(pyStr(fmt), this.wallMs, this.micro, this.tzinfo ?? undefined);
  }
  timestamp(): number {
    return this.wallMs / 1000 + (this.micro % 1000) / 1e6;
  }
  astimezone(tz: unknown): PyDateTime {
    return new PyDateTime(this.wallMs, this.micro, tz instanceof TzInfo ? tz : UTC);
  }
  override replace(...a: unknown[]): PyDateTime {
    const k = (a.at(-1) ?? {}) as Kwargs;
    const ms = Date.UTC(
      Number(k.year ?? this.year),
      Number(k.month ?? this.month) - 1,
      Number(k.day ?? this.day),
      Number(k.hour ?? this.hour),
      Number(k.minute ?? this.minute),
      Number(k.second ?? this.second),
      Math.floor(Number(k.microsecond ?? this.micro) / 1000),
    );
    const tz = 'tzinfo' in k ? (k.tzinfo instanceof TzInfo ? k.tzinfo : null) : this.tzinfo;
    return new PyDateTime(ms, Number(k.microsecond ?? this.micro), tz);
  }
  override __add__(o: unknown): unknown {
    if (!(o instanceof PyTimeDelta)) return NOT_IMPLEMENTED;
    return fromMicros(this.totalMicros() + o.totalMicros, this.tzinfo);
  }
  override __sub__(o: unknown): unknown {
    if (o instanceof PyTimeDelta) return fromMicros(this.totalMicros() - o.totalMicros, this.tzinfo);
    if (o instanceof PyDateTime) return new PyTimeDelta(this.totalMicros() - o.totalMicros());
    return NOT_IMPLEMENTED;
  }
  override __eq__(o: unknown): boolean {
    return o instanceof PyDateTime && o.totalMicros() === this.totalMicros();
  }
  override valueOf(): number {
    return this.wallMs + (this.micro % 1000) / 1000;
  }
  override __str__(): string {
    return this.isoformat(' ');
  }
  totalMicros(): number {
    return this.wallMs * 1000 + (this.micro % 1000);
  }
}

function fromMicros(us: number, tz: TzInfo | null): PyDateTime {
  const ms = Math.floor(us / 1000);
  const micro = (new Date(ms).getUTCMilliseconds()) * 1000 + (us - ms * 1000);
  return new PyDateTime(ms, micro, tz);
}

function p2(n: number): string {
  return String(n).padStart(2, '0');
}

function strftime(fmt: string, wallMs: number, micro: number, tz: TzInfo | undefined): string {
  const d = new Date(wallMs);
  const h = d.getUTCHours();
  const doy = Math.floor((wallMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
  const wd = (d.getUTCDay() + 6) % 7;
  return fmt.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'Y': return String(d.getUTCFullYear()).padStart(4, '0');
      case 'y': return p2(d.getUTCFullYear() % 100);
      case 'm': return p2(d.getUTCMonth() + 1);
      case 'd': return p2(d.getUTCDate());
      case 'H': return p2(h);
      case 'I': return p2(h % 12 === 0 ? 12 : h % 12);
      case 'p': return h < 12 ? 'AM' : 'PM';
      case 'M': return p2(d.getUTCMinutes());
      case 'S': return p2(d.getUTCSeconds());
      case 'f': return String(micro).padStart(6, '0');
      case 'j': return String(doy).padStart(3, '0');
      case 'b': return (MONTHS[d.getUTCMonth()] as string).slice(0, 3);
      case 'B': return MONTHS[d.getUTCMonth()] as string;
      case 'a': return (DAYS[wd] as string).slice(0, 3);
      case 'A': return DAYS[wd] as string;
      case 'w': return String(d.getUTCDay());
      case 'z': return tz ? '+0000' : '';
      case 'Z': return tz ? tz.zone : '';
      case 'F': return `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
      case 'T': return `${p2(h)}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
      case '%': return '%';
      default: return m;
    }
  });
}

/** Parses ISO-8601 text (`2024-01-31`, `2024-01-31T10:00:00.123456+00:00`). */
function fromIso(text: string): PyDateTime {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]00:?00)?$/.exec(text.trim());
  if (!m) throw new Error(`ValueError: Invalid isoformat string: '${text}'`);
  const micro = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Math.floor(micro / 1000));
  return new PyDateTime(ms, micro, m[8] ? UTC : null);
}

/** `strptime` for the numeric directives (%Y %m %d %H %M %S %f and literals). */
function strptime(text: string, fmt: string): PyDateTime {
  const fields: string[] = [];
  const source = fmt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([YmdHMSfz%])/g, (_m, c: string) => {
    if (c === '%') return '%';
    fields.push(c);
    return c === 'Y' ? '(\\d{4})' : c === 'f' ? '(\\d{1,6})' : c === 'z' ? '([+-]\\d{4}|Z)' : '(\\d{1,2})';
  });
  const m = new RegExp(`^${source}$`).exec(text);
  if (!m) throw new Error(`ValueError: time data '${text}' does not match format '${fmt}'`);
  const v: Record<string, string> = {};
  fields.forEach((f, i) => (v[f] = m[i + 1] as string));
  const micro = v.f ? Number(v.f.padEnd(6, '0')) : 0;
  const ms = Date.UTC(Number(v.Y ?? 1900), Number(v.m ?? 1) - 1, Number(v.d ?? 1), Number(v.H ?? 0), Number(v.M ?? 0), Number(v.S ?? 0), Math.floor(micro / 1000));
  return new PyDateTime(ms, micro, v.z ? UTC : null);
}

/** The clock the module reads; the render driver memoises it per node. */
export type Clock = () => Date;

/** Builds `modules.datetime` reading time from `clock`. */
export function createDatetimeModule(clock: Clock): Record<string, unknown> {
  const nowAt = (utc: boolean, tz: unknown): PyDateTime => {
    const d = clock();
    const ms = utc || tz instanceof TzInfo ? d.getTime() : d.getTime() - d.getTimezoneOffset() * 60_000;
    return new PyDateTime(ms, d.getUTCMilliseconds() * 1000, tz instanceof TzInfo ? tz : null);
  };
  const datetime = Object.assign(
    pyFunction('datetime', (a, k) => {
      const n = (i: number, name: string, dflt: number): number => Number(arg(a, k, i, name, dflt));
      const micro = n(6, 'microsecond', 0);
      const ms = Date.UTC(n(0, 'year', 1), n(1, 'month', 1) - 1, n(2, 'day', 1), n(3, 'hour', 0), n(4, 'minute', 0), n(5, 'second', 0), Math.floor(micro / 1000));
      const tz = arg(a, k, 7, 'tzinfo', null);
      return new PyDateTime(ms, micro, tz instanceof TzInfo ? tz : null);
    }),
    {
      now: pyFunction('now', (a, k) => nowAt(false, arg(a, k, 0, 'tz'))),
      utcnow: pyFunction('utcnow', () => nowAt(true, null)),
      today: pyFunction('today', () => nowAt(false, null)),
      fromisoformat: pyFunction('fromisoformat', (a) => fromIso(pyStr(a[0]))),
      strptime: pyFunction('strptime', (a) => strptime(pyStr(a[0]), pyStr(a[1]))),
      fromtimestamp: pyFunction('fromtimestamp', (a, k) => {
        const ms = Number(a[0]) * 1000;
        const tz = arg(a, k, 1, 'tz');
        return new PyDateTime(Math.floor(ms), Math.round((ms % 1000) * 1000), tz instanceof TzInfo ? tz : null);
      }),
    },
  );
  const date = Object.assign(
    pyFunction('date', (a, k) => new PyDate(Date.UTC(Number(arg(a, k, 0, 'year')), Number(arg(a, k, 1, 'month')) - 1, Number(arg(a, k, 2, 'day'))))),
    {
      today: pyFunction('today', () => nowAt(false, null).date()),
      fromisoformat: pyFunction('fromisoformat', (a) => fromIso(pyStr(a[0])).date()),
    },
  );
  const timedelta = pyFunction('timedelta', (a, k) => {
    const n = (i: number, name: string): number => Number(arg(a, k, i, name, 0));
    const micros =
      n(0, 'days') * DAY_MS * 1000 + n(1, 'seconds') * 1e6 + n(2, 'microseconds') + n(3, 'milliseconds') * 1000 + n(4, 'minutes') * 6e7 + n(5, 'hours') * 3.6e9 + n(6, 'weeks') * 7 * DAY_MS * 1000;
    return new PyTimeDelta(Math.round(micros));
  });
  return { datetime, date, timedelta, timezone: { utc: UTC } };
}
