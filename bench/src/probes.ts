/**
 * The measurements: the naive baseline probes (baselines/) and feedproc's own children, each run as its own process.
 * Throughput probes are run round-robin (rep 1 of every probe, then rep 2, …) rather than probe by probe, so
 * that a slow spell on this shared VM hits baselines and feedproc alike and the ratios stay fair.
 */
import { basename, join } from 'node:path';
import { runChild, runTool, type ChildRun } from './child.js';
import { childEnv, type BenchPaths } from './data.js';
import { numberField, type ResultFields } from './result-line.js';
import { median } from './stats.js';

export interface Probe {
  id: string;
  label: string;
  script: string;
  args: readonly string[];
  /** RESULT field holding the figure and the field holding the count it was computed from. */
  valueField: string;
  countField: string;
  expectedCount: number;
  unit: string;
  timeoutMs: number;
  /** Extra sanity check of a RESULT; returns what is wrong, or null. */
  check?: (result: ResultFields) => string | null;
  /** An unmeasured script run before every run (seeding Redis), as its own process. */
  before?: { script: string; args: readonly string[]; timeoutMs: number };
}

export interface ProbeOutcome {
  probe: Probe;
  runs: ChildRun[];
  /** Median of the runs' values; null when a run failed. */
  value: number | null;
  peakRssMiB: number | null;
  error: string | null;
}

export interface BenchContext {
  paths: BenchPaths;
  dataDir: string;
  log: (line: string) => void;
  /** The bench's redis-server, once started (the pipeline probes need it). */
  redis?: { url: string; port: number };
}

const MINUTE = 60_000;

/** The naive parse baselines (baselines/) that the goals are stated against. */
export function baselineProbes(paths: BenchPaths, messages: number): Probe[] {
  const baseline = (file: string): string => join(paths.baselines, file);
  const xml = {
    valueField: 'msgsPerSec',
    countField: 'messages',
    expectedCount: messages,
    unit: 'messages/s',
    timeoutMs: 3 * MINUTE,
  };
  return [
    {
      id: 'fxp-stream',
      label: 'xml-fxp-stream.js (fast-xml-parser per message)',
      script: baseline('xml-fxp-stream.js'),
      args: [],
      ...xml,
    },
    { id: 'saxes', label: 'xml-saxes.js (saxes)', script: baseline('xml-saxes.js'), args: [], ...xml },
    {
      id: 'flat-split',
      label: 'flat-split.js (split by hand)',
      script: baseline('flat-split.js'),
      args: [],
      valueField: 'rowsPerSec',
      countField: 'rows',
      expectedCount: messages,
      unit: 'rows/s',
      timeoutMs: MINUTE,
    },
  ];
}

/** feedproc validating a feed; the generated data is valid, so any error result means the bench is wrong. */
export function validateProbe(
  paths: BenchPaths,
  id: string,
  file: string,
  messages: number,
  unit: string,
  timeoutMs: number,
): Probe {
  return {
    id,
    label: `feedproc validate ${basename(file)}`,
    script: join(paths.children, 'child-validate.js'),
    args: [file],
    valueField: 'perSec',
    countField: 'messages',
    expectedCount: messages,
    unit,
    timeoutMs,
    check: (r) =>
      r['status'] !== 'Complete' || r['errors'] !== 0
        ? `expected a clean Complete report, got ${JSON.stringify(r)}`
        : null,
  };
}

/** feedproc refusing a hostile file: the figure is how long validation took until the Rejected report. */
export function rejectionProbe(paths: BenchPaths, id: string, file: string): Probe {
  return {
    id,
    label: `feedproc validate ${basename(file)}`,
    script: join(paths.children, 'child-validate.js'),
    args: [file],
    valueField: 'ms',
    countField: 'messages',
    expectedCount: 0,
    unit: 'ms',
    timeoutMs: MINUTE,
    check: (r) => (r['status'] !== 'Rejected' ? `expected the file to be rejected, got ${JSON.stringify(r)}` : null),
  };
}

export function reportProbe(paths: BenchPaths, dataDir: string, results: number): Probe {
  return {
    id: 'report-xml',
    label: `feedproc XML report, ${results.toLocaleString('en-US')} Errors`,
    script: join(paths.children, 'child-report.js'),
    args: [String(results), join(dataDir, 'report.xml')],
    valueField: 'ms',
    countField: 'results',
    expectedCount: results,
    unit: 'ms',
    timeoutMs: 2 * MINUTE,
  };
}

export async function runRoundRobin(
  probes: readonly Probe[],
  reps: number,
  ctx: BenchContext,
): Promise<Map<string, ProbeOutcome>> {
  const outcomes = new Map(probes.map((probe) => [probe.id, emptyOutcome(probe)]));
  for (let rep = 1; rep <= reps; rep += 1) {
    for (const outcome of outcomes.values()) {
      if (outcome.error === null) await runOnce(outcome, `${rep}/${reps}`, ctx);
    }
  }
  for (const outcome of outcomes.values()) summarize(outcome);
  return outcomes;
}

function emptyOutcome(probe: Probe): ProbeOutcome {
  return { probe, runs: [], value: null, peakRssMiB: null, error: null };
}

async function runOnce(outcome: ProbeOutcome, rep: string, ctx: BenchContext): Promise<void> {
  const { probe } = outcome;
  const env = childEnv(ctx.paths, ctx.dataDir, ctx.redis?.port);
  try {
    if (probe.before) await runTool({ label: `${probe.label} (before)`, ...probe.before, env, cwd: ctx.dataDir });
    const run = await runChild({
      label: probe.label,
      script: probe.script,
      args: probe.args,
      env,
      cwd: ctx.dataDir,
      timeoutMs: probe.timeoutMs,
    });
    const problem = sanityProblem(probe, run.result);
    if (problem) throw new Error(`${probe.label}: ${problem}`);
    outcome.runs.push(run);
    const value = numberField(run.result, probe.valueField);
    ctx.log(
      `  ${probe.label} run ${rep}: ${value} ${probe.unit}, peak RSS ${run.peakRssMiB ?? '?'} MiB, wall ${run.wallS.toFixed(1)} s`,
    );
  } catch (err) {
    // One broken probe must not cost the other figures; it shows as an error in the table.
    outcome.error = err instanceof Error ? err.message : String(err);
    ctx.log(`  ${probe.label} run ${rep}: FAILED ${outcome.error}`);
  }
}

function sanityProblem(probe: Probe, result: ResultFields): string | null {
  const count = result[probe.countField];
  if (count !== probe.expectedCount)
    return `counted ${String(count)} ${probe.countField}, expected ${probe.expectedCount}`;
  return probe.check?.(result) ?? null;
}

function summarize(outcome: ProbeOutcome): void {
  if (outcome.error !== null || outcome.runs.length === 0) return;
  outcome.value = median(outcome.runs.map((run) => numberField(run.result, outcome.probe.valueField)));
  const rss = outcome.runs.map((run) => run.peakRssMiB).filter((v): v is number => v !== null);
  outcome.peakRssMiB = rss.length === outcome.runs.length ? median(rss) : null;
}

/** The naive end-to-end baseline (baselines/naive-e2e.ts) in one mode, on Redis seeded by seed.js before each run. */
export function naivePipelineProbe(paths: BenchPaths, mode: 'saxes' | 'flat', messages: number): Probe {
  return {
    id: `naive-${mode}`,
    label: `naive-e2e.js ${mode}`,
    script: join(paths.baselines, 'naive-e2e.js'),
    args: [mode],
    valueField: 'linesPerSec',
    countField: 'lines',
    expectedCount: messages,
    unit: 'lines/s',
    timeoutMs: 3 * MINUTE,
    check: (r) =>
      (r['outcomes'] as { ok?: number } | undefined)?.ok !== messages
        ? `expected ${messages} ok, got ${JSON.stringify(r['outcomes'])}`
        : null,
    before: { script: join(paths.baselines, 'seed.js'), args: [], timeoutMs: 2 * MINUTE },
  };
}

/** `feedproc process FILE --workers N` on feedproc's ledger seeded with the feed's orders before each run. */
export function processProbe(
  paths: BenchPaths,
  redisUrl: string,
  spec: { id: string; file: string; messages: number; workers: number; memory?: boolean },
): Probe {
  const seedMs = Math.max(2 * MINUTE, spec.messages * 0.3);
  return {
    id: spec.id,
    label: `feedproc process ${basename(spec.file)} --workers ${spec.workers}`,
    script: join(paths.children, 'child-pipeline.js'),
    args: [spec.file, redisUrl, String(spec.workers), ...(spec.memory ? ['--memory'] : [])],
    valueField: 'perSec',
    countField: 'messages',
    expectedCount: spec.messages,
    unit: 'lines/s',
    timeoutMs: Math.max(3 * MINUTE, spec.messages * 0.5),
    check: (r) =>
      r['status'] !== 'Complete' || r['successful'] !== spec.messages
        ? `expected every message applied, got ${JSON.stringify(r)}`
        : null,
    before: {
      script: join(paths.children, 'child-seed.js'),
      args: [redisUrl, paths.baselines, String(spec.messages)],
      timeoutMs: seedMs,
    },
  };
}

/** Submit-to-report time of 1-message feeds on a warm process. */
export function latencyProbe(paths: BenchPaths, dataDir: string, redisUrl: string, feeds: number): Probe {
  return {
    id: 'latency-1',
    label: `feedproc 1-message feed, submit to report (${feeds} feeds, warm process)`,
    script: join(paths.children, 'child-latency.js'),
    args: [dataDir, redisUrl, paths.baselines, String(feeds)],
    valueField: 'medianMs',
    countField: 'feeds',
    expectedCount: feeds,
    unit: 'ms',
    timeoutMs: 2 * MINUTE,
    before: {
      script: join(paths.children, 'child-seed.js'),
      args: [redisUrl, paths.baselines, String(feeds + 10)],
      timeoutMs: MINUTE,
    },
  };
}

/**
 * The drop folder: 1-message files renamed into incoming/ one at a time (report on disk), then a burst. `stableMs`
 * null runs the watcher with its default stability window, a number with FEEDPROC_WATCH_STABLE_MS set to it.
 */
export function watchProbe(
  paths: BenchPaths,
  dataDir: string,
  redisUrl: string,
  run: { id: string; files: number; burst: number; stableMs: number | null },
): Probe {
  const window = run.stableMs === null ? 'default window' : `${run.stableMs} ms window`;
  const then = run.burst === 0 ? '' : `, then ${run.burst} files`;
  return {
    id: run.id,
    label: `feedproc watch, ${window}: 1-message file renamed in -> report on disk (${run.files} files)${then}`,
    script: join(paths.children, 'child-watch.js'),
    args: [
      dataDir,
      redisUrl,
      String(run.files),
      String(run.burst),
      ...(run.stableMs === null ? [] : [String(run.stableMs)]),
    ],
    valueField: 'medianMs',
    countField: 'files',
    expectedCount: run.files,
    unit: 'ms',
    timeoutMs: 10 * MINUTE,
    check: (r) =>
      r['burstFiles'] !== run.burst ? `expected ${run.burst} burst files, got ${JSON.stringify(r)}` : null,
    before: {
      script: join(paths.children, 'child-seed.js'),
      args: [redisUrl, paths.baselines, '0'],
      timeoutMs: MINUTE,
    },
  };
}

/**
 * Scale-out: `processes` separate `feedproc worker` processes apply a feed submitted with `feedproc submit`, on the
 * ledger seeded with the feed's orders before each run; the figure is lines per second from submit to report.
 */
export function scaleOutProbe(
  paths: BenchPaths,
  redisUrl: string,
  spec: { file: string; messages: number; processes: number; memory: boolean },
): Probe {
  return {
    id: `scale-${spec.processes}`,
    label: `feedproc submit ${basename(spec.file)} + ${spec.processes} worker process${spec.processes === 1 ? '' : 'es'}`,
    script: join(paths.children, 'child-scale.js'),
    args: [spec.file, redisUrl, String(spec.processes), ...(spec.memory ? ['--memory'] : [])],
    valueField: 'perSec',
    countField: 'messages',
    expectedCount: spec.messages,
    unit: 'lines/s',
    timeoutMs: Math.max(3 * MINUTE, spec.messages * 1),
    check: (r) =>
      r['status'] !== 'Complete' || r['successful'] !== spec.messages
        ? `expected every message applied, got ${JSON.stringify(r)}`
        : null,
    before: {
      script: join(paths.children, 'child-seed.js'),
      args: [redisUrl, paths.baselines, String(spec.messages)],
      timeoutMs: Math.max(2 * MINUTE, spec.messages * 0.3),
    },
  };
}
