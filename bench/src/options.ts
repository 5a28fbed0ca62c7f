/** Command-line options of `npm run bench` (after `--`, e.g. `npm run bench -- --quick --json out.json`). */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  help: boolean;
  /** Skip the 1,000,000-message memory figure (about 500 MB of data and about 40 s per run). */
  quick: boolean;
  /** Runs per throughput figure; the median is reported. */
  reps: number;
  /** Where to write the results as JSON (default bench-results/latest.json in the repository). */
  json: string | undefined;
  /** Messages of the scale-out feed (1, 2 and 4 worker processes). */
  scaleMessages: number;
  /** Only the scale-out figures and their baseline (a quick check of that part). */
  scaleOnly: boolean;
  /** Folder of other baseline probes (same RESULT protocol); default the bench's own, bench/dist/baselines. */
  baselines: string | undefined;
  /** Messages in the big file of the memory figure. */
  bigMessages: number;
  /** Exit 1 when a goal is missed, not only when a measurement fails. */
  strict: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--reps N] [--json PATH] [--strict] [--baselines DIR] [--big-messages N] [--scale-messages N] [--scale-only]
  --quick           skip the peak-RSS figure on the 1,000,000-message XML file
  --reps N          runs per figure, median reported (default 3)
  --json PATH       where to write every run and figure as JSON (default bench-results/latest.json; npm run bench:readme reads it)
  --strict          exit 1 when a goal is missed (default: only when a measurement fails)
  --baselines DIR   other baseline probes with the same names and RESULT lines (default: the bench's own)
  --big-messages N  size of the memory-figure file (default 1000000)
  --scale-messages N  size of the scale-out feed applied by 1, 2 and 4 worker processes (default 100000)
  --scale-only      measure only the scale-out figures and the naive flat baseline they are compared with`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      quick: { type: 'boolean', default: false },
      reps: { type: 'string', default: '3' },
      json: { type: 'string' },
      baselines: { type: 'string' },
      'big-messages': { type: 'string', default: '1000000' },
      strict: { type: 'boolean', default: false },
      'scale-messages': { type: 'string', default: '100000' },
      'scale-only': { type: 'boolean', default: false },
    },
    strict: true,
  });
  return {
    help: values.help,
    quick: values.quick,
    reps: positiveInteger('--reps', values.reps),
    json: values.json,
    baselines: values.baselines,
    bigMessages: positiveInteger('--big-messages', values['big-messages']),
    strict: values.strict,
    scaleMessages: positiveInteger('--scale-messages', values['scale-messages']),
    scaleOnly: values['scale-only'],
  };
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not ${text}`);
  return value;
}
