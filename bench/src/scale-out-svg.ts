/**
 * The scale-out plot as a plain SVG written by hand (no charting package): lines per second against the number of
 * `feedproc worker` processes, with the linear ideal from one process, the naive baseline of the same run, and
 * Redis's busy share at each point (near 100 % it is Redis, one core, that limits).
 */
export interface ScalePoint {
  processes: number;
  linesPerSec: number;
  redisBusyPercent: number | null;
}

export interface ScalePlotInfo {
  date: string;
  messages: number;
  machine: string;
  /** Naive end-to-end flat baseline of the same run, lines/s. */
  baseline: number | null;
  /** Shown under the title, e.g. that this was a small run. */
  note: string | null;
}

const WIDTH = 640;
const HEIGHT = 400;
const LEFT = 78;
const RIGHT = 24;
const TOP = 72;
const BOTTOM = 56;

export function renderScaleOutSvg(points: readonly ScalePoint[], info: ScalePlotInfo): string {
  const maxProcesses = Math.max(...points.map((p) => p.processes));
  const first = points[0] as ScalePoint;
  const ideal = (n: number): number => (first.linesPerSec / first.processes) * n;
  const top = niceCeiling(
    Math.max(...points.map((p) => p.linesPerSec), ideal(maxProcesses), info.baseline ?? 0) * 1.05,
  );
  const x = (n: number): number => LEFT + ((n - 0.5) / (maxProcesses + 0.5 - 0.5)) * (WIDTH - LEFT - RIGHT - 20);
  const y = (v: number): number => HEIGHT - BOTTOM - (v / top) * (HEIGHT - TOP - BOTTOM);
  const parts: string[] = [];
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`);
  parts.push(text(WIDTH / 2, 24, 'feedproc scale-out: lines/s against worker processes', 'middle', 16, 'bold'));
  parts.push(
    text(
      WIDTH / 2,
      44,
      `flat adjustment feed, ${info.messages.toLocaleString('en-US')} messages, submit → report; ${info.date}, ${info.machine}`,
      'middle',
      11,
    ),
  );
  if (info.note) parts.push(text(WIDTH / 2, 58, info.note, 'middle', 11, 'normal', '#c0392b'));
  for (let i = 0; i <= 5; i += 1) {
    const v = (top / 5) * i;
    parts.push(`<line x1="${LEFT}" y1="${f(y(v))}" x2="${WIDTH - RIGHT}" y2="${f(y(v))}" stroke="#e5e5e5"/>`);
    parts.push(text(LEFT - 8, y(v) + 4, Math.round(v).toLocaleString('en-US'), 'end', 11));
  }
  for (const p of points) parts.push(text(x(p.processes), HEIGHT - BOTTOM + 18, String(p.processes), 'middle', 12));
  parts.push(
    `<line x1="${LEFT}" y1="${HEIGHT - BOTTOM}" x2="${WIDTH - RIGHT}" y2="${HEIGHT - BOTTOM}" stroke="#333"/>`,
  );
  parts.push(`<line x1="${LEFT}" y1="${TOP - 8}" x2="${LEFT}" y2="${HEIGHT - BOTTOM}" stroke="#333"/>`);
  parts.push(
    text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 14, '`feedproc worker` processes (2 concurrent jobs each)', 'middle', 12),
  );
  parts.push(
    `<text x="18" y="${(TOP + HEIGHT - BOTTOM) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${(TOP + HEIGHT - BOTTOM) / 2})">lines per second</text>`,
  );
  const idealEnd = Math.min(ideal(maxProcesses), top);
  parts.push(
    `<line x1="${f(x(first.processes))}" y1="${f(y(first.linesPerSec))}" x2="${f(x(maxProcesses))}" y2="${f(y(idealEnd))}" stroke="#999" stroke-dasharray="5 4"/>`,
  );
  parts.push(text(x(maxProcesses) - 10, y(idealEnd) + 16, 'linear from 1 process', 'end', 11, 'normal', '#777'));
  if (info.baseline !== null) {
    parts.push(
      `<line x1="${LEFT}" y1="${f(y(info.baseline))}" x2="${WIDTH - RIGHT}" y2="${f(y(info.baseline))}" stroke="#c0392b" stroke-dasharray="2 3"/>`,
    );
    parts.push(
      text(
        LEFT + 6,
        y(info.baseline) - 6,
        `naive end to end, 1 process (naive-e2e.js flat): ${Math.round(info.baseline).toLocaleString('en-US')}/s`,
        'start',
        11,
        'normal',
        '#c0392b',
      ),
    );
  }
  parts.push(
    `<polyline fill="none" stroke="#1f6feb" stroke-width="2.5" points="${points.map((p) => `${f(x(p.processes))},${f(y(p.linesPerSec))}`).join(' ')}"/>`,
  );
  for (const p of points) {
    parts.push(`<circle cx="${f(x(p.processes))}" cy="${f(y(p.linesPerSec))}" r="4.5" fill="#1f6feb"/>`);
    const busy = p.redisBusyPercent === null ? '' : `, Redis ${p.redisBusyPercent} %`;
    const last = p.processes === maxProcesses;
    parts.push(
      text(
        x(p.processes) + (last ? -8 : 8),
        y(p.linesPerSec) + 16,
        `${Math.round(p.linesPerSec).toLocaleString('en-US')}/s${busy}`,
        last ? 'end' : 'start',
        11,
      ),
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

function text(
  x: number,
  y: number,
  content: string,
  anchor: 'start' | 'middle' | 'end',
  size: number,
  weight = 'normal',
  fill = '#222',
): string {
  return `<text x="${f(x)}" y="${f(y)}" font-size="${size}" font-weight="${weight}" fill="${fill}" text-anchor="${anchor}">${escapeXml(content)}</text>`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function f(value: number): string {
  return value.toFixed(1);
}

/** 1, 2 or 5 times a power of ten, at or above `value`: round axis ticks. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}
