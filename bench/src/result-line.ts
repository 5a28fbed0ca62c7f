/**
 * The one-line protocol between a measured child process and the bench runner: the child prints
 * `RESULT {json}` on stdout. The naive baseline probes (baselines/) print the same, so one parser reads
 * both.
 */
export type ResultFields = Record<string, unknown>;

const PREFIX = 'RESULT ';

export function printResult(fields: ResultFields): void {
  process.stdout.write(`${PREFIX}${JSON.stringify(fields)}\n`);
}

/** The last RESULT line of a child's stdout, or null when it printed none (it crashed or was killed). */
export function parseResult(stdout: string): ResultFields | null {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(PREFIX));
  return line === undefined ? null : (JSON.parse(line.slice(PREFIX.length)) as ResultFields);
}

export function numberField(fields: ResultFields, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`result field ${name} is not a number: ${JSON.stringify(fields)}`);
  }
  return value;
}

/** This process's own peak RSS, for when no GNU time is available to measure it from outside. */
export function ownPeakRssMiB(): number {
  // resourceUsage().maxRSS is in KiB on Linux.
  return round1(process.resourceUsage().maxRSS / 1024);
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
