// A dependency-free SVG chart of a scenario's measurements: time per operation (log scale), its ratio to the
// native DuckDB baseline, and its multiple of the reference (the same chain's overwrite), one row per operation.

import { stats, type Measurement } from './harness.js';

const ROW = 22;
const LABEL_W = 430;
const BAR_W = 300;
const GAP = 40;

/** SVG text of the chart for `measurements` (baselines become the ratio column, not rows of their own). */
export function renderChart(title: string, measurements: readonly Measurement[]): string {
  const rows = measurements.filter((m) => !m.label.includes('baseline:') && Number.isFinite(stats(m.samples).median) && stats(m.samples).median > 0);
  const times = rows.map((m) => stats(m.samples).median);
  const ratios = rows.map((m) => {
    const base = m.baseline ? measurements.find((x) => x.label === m.baseline) : undefined;
    return base ? stats(m.samples).median / stats(base.samples).median : undefined;
  });
  const maxLog = Math.log10(Math.max(10, ...times));
  const minLog = Math.floor(Math.log10(Math.max(0.1, Math.min(...times, 1))));
  const maxRatio = Math.max(2, ...ratios.map((r) => r ?? 0));
  const width = LABEL_W + BAR_W * 2 + GAP * 2 + 140;
  const top = 56;
  const height = top + rows.length * ROW + 30;
  const xTime = (ms: number) => LABEL_W + ((Math.log10(ms) - minLog) / (maxLog - minLog)) * BAR_W;
  const xRatio = (r: number) => LABEL_W + BAR_W + GAP + (r / maxRatio) * BAR_W;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="${LABEL_W}" y="44">time (median, log scale)</text>`,
    `<text x="${LABEL_W + BAR_W + GAP}" y="44">ratio to native DuckDB baseline</text>`,
    `<text x="${LABEL_W + BAR_W * 2 + GAP * 2 + 20}" y="44">× overwrite</text>`,
    `<line x1="${xRatio(1).toFixed(1)}" y1="${top - 4}" x2="${xRatio(1).toFixed(1)}" y2="${height - 24}" stroke="#999" stroke-dasharray="3,3"/>`,
    `<text x="${(xRatio(1) + 3).toFixed(1)}" y="${height - 12}" fill="#666">1×</text>`,
  ];
  rows.forEach((m, i) => {
    const y = top + i * ROW;
    const t = times[i]!;
    out.push(`<text x="${LABEL_W - 8}" y="${y + 14}" text-anchor="end">${escape(m.label)}</text>`);
    out.push(`<rect x="${LABEL_W}" y="${y + 3}" width="${Math.max(1, xTime(t) - LABEL_W).toFixed(1)}" height="${ROW - 8}" fill="#4e79a7"/>`);
    out.push(`<text x="${(xTime(t) + 4).toFixed(1)}" y="${y + 14}">${escape(formatTime(t))}</text>`);
    const r = ratios[i];
    if (r !== undefined) {
      const x0 = LABEL_W + BAR_W + GAP;
      out.push(`<rect x="${x0}" y="${y + 3}" width="${Math.max(1, xRatio(r) - x0).toFixed(1)}" height="${ROW - 8}" fill="${r <= 1 ? '#59a14f' : '#e15759'}"/>`);
      out.push(`<text x="${(xRatio(r) + 4).toFixed(1)}" y="${y + 14}">${r.toFixed(2)}×</text>`);
    }
    const ref = m.reference ? measurements.find((x) => x.label === m.reference) : undefined;
    if (ref) out.push(`<text x="${LABEL_W + BAR_W * 2 + GAP * 2 + 20}" y="${y + 14}">${(t / stats(ref.samples).median).toFixed(2)}×</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function formatTime(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
