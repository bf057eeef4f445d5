// Python string formatting: `'%s-%d' % (a, b)` (printf style) and `'{} {name}'.format(...)`.
import { pyRepr, pyStr } from './repr.js';
import { isDict } from './values.js';

/** Python `fmt % args`; a list stands for a tuple, a dict feeds `%(name)s`. */
export function percentFormat(fmt: string, args: unknown): string {
  const positional = Array.isArray(args) ? args : [args];
  let next = 0;
  const re = /%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g;
  const out = fmt.replace(re, (_m, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let value: unknown;
    if (key !== undefined) {
      if (!isDict(args)) throw new TypeError('format requires a mapping');
      value = args[key];
    } else {
      if (next >= positional.length) throw new TypeError('not enough arguments for format string');
      value = positional[next++];
    }
    const w = width === '*' ? Number(positional[next++]) : width === undefined ? undefined : Number(width);
    const p = prec === '*' ? Number(positional[next++]) : prec === undefined ? undefined : Number(prec);
    return pad(convert(value, conv, p, flags), w, flags.includes('-') ? '<' : '>', flags.includes('0') && !'sr'.includes(conv) ? '0' : ' ');
  });
  return out;
}

function convert(value: unknown, conv: string, precision: number | undefined, flags: string): string {
  const sign = (n: number, s: string): string => (n >= 0 && flags.includes('+') ? `+${s}` : n >= 0 && flags.includes(' ') ? ` ${s}` : s);
  switch (conv) {
    case 's':
      return precision === undefined ? pyStr(value) : pyStr(value).slice(0, precision);
    case 'r':
    case 'a':
      return pyRepr(value);
    case 'd':
    case 'i':
    case 'u':
      return sign(Number(value), String(Math.trunc(Number(value))));
    case 'f':
    case 'F':
      return sign(Number(value), Number(value).toFixed(precision ?? 6));
    case 'e':
    case 'E': {
      const s = pyExponent(Number(value), precision ?? 6);
      return sign(Number(value), conv === 'E' ? s.toUpperCase() : s);
    }
    case 'g':
    case 'G':
      return sign(Number(value), String(Number(Number(value).toPrecision(precision ?? 6))));
    case 'x':
      return Math.trunc(Number(value)).toString(16);
    case 'X':
      return Math.trunc(Number(value)).toString(16).toUpperCase();
    case 'o':
      return Math.trunc(Number(value)).toString(8);
    case 'c':
      return typeof value === 'number' ? String.fromCodePoint(value) : pyStr(value);
    default:
      return pyStr(value);
  }
}

/** Python writes exponents with at least two digits: 1.5e+03, not 1.5e+3. */
function pyExponent(n: number, precision: number): string {
  return n.toExponential(precision).replace(/e([+-])(\d)$/, 'e$10$2');
}

function pad(s: string, width: number | undefined, align: '<' | '>' | '^', fill: string): string {
  if (width === undefined || s.length >= width) return s;
  const n = width - s.length;
  if (align === '<') return s + fill.repeat(n);
  if (align === '^') return fill.repeat(Math.floor(n / 2)) + s + fill.repeat(Math.ceil(n / 2));
  if (fill === '0' && /^[+-]/.test(s)) return s[0] + '0'.repeat(n) + s.slice(1);
  return fill.repeat(n) + s;
}

/** Python `fmt.format(*args, **kwargs)` with the common format-spec subset. */
export function strFormat(fmt: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}!:]*)(?:!([rsa]))?(?::([^{}]*))?\}/g, (m, field: string | undefined, conversion: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const path = field ?? '';
    const [head = '', ...rest] = path.split('.');
    let value: unknown = head === '' ? args[auto++] : /^\d+$/.test(head) ? args[Number(head)] : kwargs[head];
    for (const attr of rest) value = (value as Record<string, unknown> | null | undefined)?.[attr];
    const text = conversion === 'r' || conversion === 'a' ? pyRepr(value) : undefined;
    return applySpec(value, text, spec ?? '');
  });
}

function applySpec(value: unknown, text: string | undefined, spec: string): string {
  const m = /^(?:(.)?([<>^=]))?([-+ ])?(0)?(\d+)?(,)?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!m) return text ?? pyStr(value);
  const [, fillCh, align, signFlag, zero, width, comma, precision, type] = m;
  let s: string;
  if (text !== undefined) s = text;
  else if (type === 'f' || type === 'F') s = Number(value).toFixed(precision === undefined ? 6 : Number(precision));
  else if (type === '%') s = `${(Number(value) * 100).toFixed(precision === undefined ? 6 : Number(precision))}%`;
  else if (type === 'd') s = String(Math.trunc(Number(value)));
  else if (type === 'x') s = Math.trunc(Number(value)).toString(16);
  else if (type === 'e') s = pyExponent(Number(value), precision === undefined ? 6 : Number(precision));
  else if (precision !== undefined && typeof value === 'number') s = String(Number(value.toPrecision(Number(precision))));
  else if (precision !== undefined) s = pyStr(value).slice(0, Number(precision));
  else s = pyStr(value);
  if (comma) s = s.replace(/^(-?\d+)/, (d) => d.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
  if (signFlag === '+' && typeof value === 'number' && value >= 0) s = `+${s}`;
  const defaultAlign = typeof value === 'number' ? '>' : '<';
  const fill = fillCh ?? (zero ? '0' : ' ');
  return pad(s, width === undefined ? undefined : Number(width), align === '=' ? '>' : ((align as '<' | '>' | '^' | undefined) ?? defaultAlign), fill);
}
