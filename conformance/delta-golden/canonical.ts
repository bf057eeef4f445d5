// Row canonicalisation for comparing Arrow results across writers: timestamps as UTC instants in
// microseconds whatever their unit or zone, decimals as exact numbers, maps order-insensitive.

import { Type, Vector, type Data, type DataType, type Decimal, type Timestamp, type RecordBatch } from 'apache-arrow';

const MICROS_PER: Record<number, [bigint, bigint]> = {
  0: [1_000_000n, 1n], // seconds
  1: [1_000n, 1n], // milliseconds
  2: [1n, 1n], // microseconds
  3: [1n, 1_000n], // nanoseconds
};

/** Canonical JSON strings of every row of `batches`, with columns keyed by name. */
export function canonicalRows(batches: Iterable<RecordBatch>): string[] {
  const rows: string[] = [];
  for (const batch of batches) {
    const names = batch.schema.fields.map((f) => f.name);
    const cols = batch.data.children.map((d) => canonicalValues(d));
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, unknown> = {};
      names.forEach((n, j) => (row[n] = cols[j]![i]));
      rows.push(stableStringify(row));
    }
  }
  return rows;
}

/** The canonical plain value of each row of `data`. */
export function canonicalValues(data: Data): unknown[] {
  const type = data.type as DataType;
  const out: unknown[] = new Array(data.length);
  const valid = (i: number) => data.nullCount === 0 || data.getValid(i);
  switch (type.typeId) {
    case Type.Struct: {
      const children = data.children.map((c) => canonicalValues(c));
      const names = (type.children ?? []).map((f) => f.name);
      for (let i = 0; i < data.length; i++) {
        if (!valid(i)) { out[i] = null; continue; }
        const o: Record<string, unknown> = {};
        names.forEach((n, j) => (o[n] = children[j]![i]));
        out[i] = o;
      }
      return out;
    }
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const child = canonicalValues(data.children[0]!);
      const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
      for (let i = 0; i < data.length; i++) {
        if (!valid(i)) { out[i] = null; continue; }
        const items = child.slice(Number(offsets[i]), Number(offsets[i + 1]));
        out[i] = type.typeId === Type.Map ? items.map((e) => stableStringify(e)).sort() : items;
      }
      return out;
    }
    case Type.Timestamp: {
      const [mul, div] = MICROS_PER[(type as Timestamp).unit]!;
      const values = data.values as unknown as BigInt64Array;
      for (let i = 0; i < data.length; i++) out[i] = valid(i) ? `ts:${(values[i]! * mul) / div}` : null;
      return out;
    }
    case Type.Decimal: {
      const d = type as Decimal;
      const words = d.bitWidth / 32;
      const values = data.values as unknown as Uint32Array;
      for (let i = 0; i < data.length; i++) {
        if (!valid(i)) { out[i] = null; continue; }
        let v = 0n;
        for (let w = words - 1; w >= 0; w--) v = (v << 32n) | BigInt(values[i * words + w]!);
        out[i] = `dec:${decimalText(BigInt.asIntN(d.bitWidth, v), d.scale)}`;
      }
      return out;
    }
    case Type.Date: {
      const vector = new Vector([data]);
      for (let i = 0; i < data.length; i++) {
        const v = vector.get(i) as unknown;
        out[i] = v === null ? null : `date:${Math.floor(Number(v instanceof Date ? v.getTime() : v) / 86_400_000)}`;
      }
      return out;
    }
    default: {
      const vector = new Vector([data]);
      for (let i = 0; i < data.length; i++) out[i] = plain(vector.get(i));
      return out;
    }
  }
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return `int:${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `int:${v}` : Number.isNaN(v) ? 'NaN' : v;
  if (v instanceof Uint8Array) return `bin:${Buffer.from(v).toString('hex')}`;
  return v;
}

function decimalText(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  let text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  digits = text;
  return neg && digits !== '0' ? `-${digits}` : digits;
}

/** JSON with object keys sorted, so equal rows give equal strings. */
export function stableStringify(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return value;
  });
}
