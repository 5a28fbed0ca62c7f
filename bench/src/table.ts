/** Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned. */
import { describeGoal, type Figure } from './figures.js';
import { numberField } from './result-line.js';
import type { ProbeOutcome } from './probes.js';
import { formatNumber } from './stats.js';

export function renderTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  rightAligned: ReadonlySet<number>,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export function figuresTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.figure,
    f.value === null ? '-' : formatValue(f.value, f.unit),
    f.baseline
      ? `${f.baseline.label}: ${f.baseline.value === null ? '-' : formatValue(f.baseline.value, f.baseline.unit)}`
      : '-',
    f.ratio === null ? '-' : `${f.ratio.toFixed(2)}x`,
    describeGoal(f.goal, f.unit),
    f.verdict,
  ]);
  return renderTable(['figure', 'value', 'baseline', 'ratio', 'goal', 'result'], rows, new Set([1, 3]));
}

/** Every probe with each run's value, so a noisy median can be spotted. */
export function runsTable(outcomes: readonly ProbeOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.probe.label,
    o.value === null ? 'ERROR' : formatValue(o.value, o.probe.unit),
    o.runs.map((run) => formatNumber(numberField(run.result, o.probe.valueField))).join(' / '),
    o.peakRssMiB === null ? '-' : `${o.peakRssMiB} MiB`,
    o.runs.length === 0 ? '-' : `${o.runs.map((run) => run.wallS.toFixed(1)).join(' / ')} s`,
  ]);
  return renderTable(['probe', 'median', 'runs', 'peak RSS (median)', 'wall'], rows, new Set([1, 3]));
}

export function formatValue(value: number, unit: string): string {
  if (unit === 's') return `${value.toFixed(2)} s`;
  return `${formatNumber(value)} ${unit}`;
}
