/**
 * `npm run bench`: feedproc against its own naive baseline probes (baselines/), in one run, on freshly generated
 * data (docs/performance.md explains why goals are ratios measured side by side). Every measurement is its own
 * child process. Progress goes to stderr, the result table to stdout, and with --json PATH everything to a file.
 * Exit code: 0 measured, 1 a measurement failed (or, with --strict, a goal was missed), 2 bad usage.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { findGnuTime, stopAllChildren } from './child.js';
import {
  generateBigXml,
  generateFeeds,
  locatePaths,
  makeDataDir,
  removePath,
  writeBillionLaughs,
  type BenchPaths,
} from './data.js';
import { fieldFigure, limitFigure, noteFigure, ratioFigure, skippedFigure, type Figure } from './figures.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import {
  baselineProbes,
  latencyProbe,
  naivePipelineProbe,
  processProbe,
  rejectionProbe,
  reportProbe,
  runRoundRobin,
  scaleOutProbe,
  validateProbe,
  watchProbe,
  type BenchContext,
  type Probe,
  type ProbeOutcome,
} from './probes.js';
import { startBenchRedis, stopBenchRedis, type BenchRedis } from './bench-redis.js';
import { boundedFigures, boundedProbes } from './bounded-probes.js';
import { numberField } from './result-line.js';
import { median } from './stats.js';
import { figuresTable, runsTable } from './table.js';

/** The data size: the baselines always read the 100,000-message feed-100k files. */
const MESSAGES = 100_000;
const REPORT_RESULTS = 100_000;
const MINUTE = 60_000;
/** The setting for the end-to-end figure: `feedproc process` with 2 workers. */
const PROCESS_WORKERS = 2;
const LATENCY_FEEDS = 50;
/** Files timed one by one under the default stability window (each costs a window), then the burst. */
const WATCH_FILES = 20;
const WATCH_BURST = 1000;
/** The window a deployment whose writers all write-then-rename can set (docs/drop-folder.md), and its files. */
const FAST_WINDOW_MS = 200;
const FAST_WATCH_FILES = 50;
/** What the watcher may add to its stability window before a renamed-in file's report is on disk (aim). */
const WATCH_OVERHEAD_MS = 300;
/** Separate `feedproc worker` processes of the scale-out figures. */
export const SCALE_PROCESSES = [1, 2, 4] as const;

function redisUrl(ctx: BenchContext): string {
  if (!ctx.redis) throw new Error('the bench redis-server is not running');
  return ctx.redis.url;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (err) {
    log(`bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    log(USAGE);
    return 0;
  }
  let paths: BenchPaths;
  try {
    paths = locatePaths(options.baselines);
  } catch (err) {
    log(`bench: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const dataDir = makeDataDir();
  const stopOnSignal = (signal: NodeJS.Signals, code: number): void => {
    process.once(signal, () => {
      // Children live in their own process groups, so the terminal's Ctrl-C does not reach them by itself.
      stopAllChildren();
      stopBenchRedis();
      removePath(dataDir);
      log(`bench: interrupted by ${signal}; children stopped, ${dataDir} removed`);
      process.exit(code);
    });
  };
  stopOnSignal('SIGINT', 130);
  stopOnSignal('SIGTERM', 143);
  let redis: BenchRedis | null = null;
  try {
    redis = await startBenchRedis(dataDir);
    return await bench(options, { paths, dataDir, log, redis });
  } finally {
    redis?.stop();
    removePath(dataDir);
  }
}

function mainProbes(ctx: BenchContext, feeds: { xml: string; txt: string }): Probe[] {
  return [
    ...baselineProbes(ctx.paths, MESSAGES),
    naivePipelineProbe(ctx.paths, 'saxes', MESSAGES),
    processProbe(ctx.paths, redisUrl(ctx), {
      id: 'process-xml',
      file: feeds.xml,
      messages: MESSAGES,
      workers: PROCESS_WORKERS,
    }),
    naivePipelineProbe(ctx.paths, 'flat', MESSAGES),
    processProbe(ctx.paths, redisUrl(ctx), {
      id: 'process-flat',
      file: feeds.txt,
      messages: MESSAGES,
      workers: PROCESS_WORKERS,
    }),
    latencyProbe(ctx.paths, ctx.dataDir, redisUrl(ctx), LATENCY_FEEDS),
    watchProbe(ctx.paths, ctx.dataDir, redisUrl(ctx), {
      id: 'watch-1',
      files: WATCH_FILES,
      burst: WATCH_BURST,
      stableMs: null,
    }),
    watchProbe(ctx.paths, ctx.dataDir, redisUrl(ctx), {
      id: 'watch-fast',
      files: FAST_WATCH_FILES,
      burst: 0,
      stableMs: FAST_WINDOW_MS,
    }),
    validateProbe(ctx.paths, 'feedproc-xml', feeds.xml, MESSAGES, 'messages/s', 3 * MINUTE),
    validateProbe(ctx.paths, 'feedproc-flat', feeds.txt, MESSAGES, 'rows/s', MINUTE),
    reportProbe(ctx.paths, ctx.dataDir, REPORT_RESULTS),
    rejectionProbe(ctx.paths, 'billion-laughs', writeBillionLaughs(ctx.dataDir)),
    ...boundedProbes(ctx.paths, ctx.dataDir),
  ];
}

/**
 * Scale-out: lines/s with 1, 2 and 4 worker processes against the naive end-to-end flat baseline and against one
 * process, and Redis CPU per message, which stops falling — and Redis's busy share nears 1 — where Redis is the limit.
 */
function scaleFigures(outcomes: ReadonlyMap<string, ProbeOutcome>, messages: number): Figure[] {
  const get = (id: string): ProbeOutcome => outcomes.get(id) as ProbeOutcome;
  const size = messages >= 1000 && messages % 1000 === 0 ? `${messages / 1000}k` : String(messages);
  const one = get('scale-1');
  return [
    ...SCALE_PROCESSES.flatMap((n) => {
      const label = `${n} worker process${n === 1 ? '' : 'es'}, flat ${size}, submit -> report`;
      return [
        ratioFigure(`scale-out-${n}`, label, get(`scale-${n}`), get('naive-flat'), { kind: 'none' }),
        ...(n === 1
          ? []
          : [
              ratioFigure(`scale-out-${n}-speedup`, `${label}, against 1 process`, get(`scale-${n}`), one, {
                kind: 'none',
              }),
            ]),
        fieldFigure(
          `scale-out-${n}-apply`,
          `${n} worker process${n === 1 ? '' : 'es'}: apply phase alone (after submit returned)`,
          get(`scale-${n}`),
          'applyPerSec',
          'lines/s',
        ),
        fieldFigure(
          `scale-out-${n}-redis-cpu`,
          `${n} worker process${n === 1 ? '' : 'es'}: Redis CPU per message`,
          get(`scale-${n}`),
          'redisCpuUsPerMessage',
          'us/message',
        ),
        fieldFigure(
          `scale-out-${n}-redis-busy`,
          `${n} worker process${n === 1 ? '' : 'es'}: Redis busy share of the wall time`,
          get(`scale-${n}`),
          'redisBusyPercent',
          '%',
        ),
      ];
    }),
    fieldFigure(
      'redis-bytes-per-order',
      'Redis memory per imported order (1 item; order hash + purchase-date index)',
      one,
      'bytesPerOrder',
      'B/order',
    ),
    fieldFigure(
      'redis-bytes-per-message',
      'Redis memory growth per applied adjustment (refund + cancellation + stock + event)',
      one,
      'growthPerMessage',
      'B/message',
    ),
  ];
}

async function bench(options: BenchOptions, ctx: BenchContext): Promise<number> {
  const started = performance.now();
  const env = environment(ctx.paths);
  log(`bench: ${env.node}, ${env.cpus} x ${env.cpuModel}, commit ${env.gitCommit ?? '?'}, data in ${ctx.dataDir}`);
  log(`bench: peak RSS from ${env.rssSource}; ${options.reps} runs per figure, median reported`);
  log(`bench: generating ${MESSAGES} messages with baselines/gen-data.js`);
  const feeds = await generateFeeds(ctx.paths, ctx.dataDir, MESSAGES);
  const scaleFeed =
    options.scaleMessages === MESSAGES
      ? feeds.txt
      : (await generateFeeds(ctx.paths, join(ctx.dataDir, 'scale'), options.scaleMessages)).txt;
  const scale = SCALE_PROCESSES.map((processes) =>
    scaleOutProbe(ctx.paths, redisUrl(ctx), {
      file: scaleFeed,
      messages: options.scaleMessages,
      processes,
      memory: processes === 1,
    }),
  );

  log(
    `bench: ${options.scaleOnly ? 'scale-out only' : 'baselines, feedproc validate, the XML report, the pipeline and scale-out'} on ${redisUrl(ctx)}, round-robin`,
  );
  const probes: Probe[] = options.scaleOnly
    ? [naivePipelineProbe(ctx.paths, 'flat', MESSAGES), ...scale]
    : [...mainProbes(ctx, feeds), ...scale];
  const outcomes = await runRoundRobin(probes, options.reps, ctx);
  const big =
    options.quick || options.scaleOnly
      ? new Map<string, ProbeOutcome>()
      : await measureBigFile(ctx, options.bigMessages, options.reps);

  const all = [...outcomes.values(), ...big.values()];
  const measured = new Map([...outcomes, ...big]);
  const figures = [
    ...(options.scaleOnly ? [] : buildFigures(measured, options.quick, options.bigMessages)),
    ...scaleFigures(measured, options.scaleMessages),
  ];
  const totalS = (performance.now() - started) / 1000;
  printSummary(figures, all, totalS);
  const json = options.json ?? join(ctx.paths.repoRoot, 'bench-results', 'latest.json');
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(
    json,
    `${JSON.stringify({ ...env, options, totalS: round(totalS), figures, probes: all.map(probeJson) }, null, 2)}\n`,
  );
  log(
    `bench: results written to ${json} (npm run bench:readme puts them into docs/performance.md and bench-results/scale-out.svg)`,
  );
  const measurementFailed = all.some((o) => o.error !== null);
  return measurementFailed || (options.strict && figures.some((f) => f.failed)) ? 1 : 0;
}

/**
 * The memory figures on the big file: validation `reps` times (peak RSS needs the median too: it depends on when
 * V8 collects, and single runs of the same build measured 138 and 168 MiB), then one `feedproc process` run on
 * the seeded ledger, which also sizes what it leaves in Redis.
 */
async function measureBigFile(ctx: BenchContext, messages: number, reps: number): Promise<Map<string, ProbeOutcome>> {
  log(`bench: generating ${messages} messages for the memory figures`);
  const name = `feed-big-${messages}.xml`;
  let xml: string;
  try {
    xml = await generateBigXml(ctx.paths, ctx.dataDir, messages);
  } catch (err) {
    const probe = validateProbe(ctx.paths, 'feedproc-xml-big', name, messages, 'messages/s', 0);
    return new Map([
      [
        probe.id,
        { probe, runs: [], value: null, peakRssMiB: null, error: `generating the data failed: ${String(err)}` },
      ],
    ]);
  }
  const timeoutMs = Math.max(2 * MINUTE, messages * 0.3); // 5 min for a million: runs take about 40–50 s
  const validate = validateProbe(ctx.paths, 'feedproc-xml-big', xml, messages, 'messages/s', timeoutMs);
  const process = processProbe(ctx.paths, redisUrl(ctx), {
    id: 'process-big',
    file: xml,
    messages,
    workers: PROCESS_WORKERS,
    memory: true,
  });
  try {
    return new Map([...(await runRoundRobin([validate], reps, ctx)), ...(await runRoundRobin([process], 1, ctx))]);
  } finally {
    removePath(xml); // 500 MB: gone before anything else runs
  }
}

function buildFigures(outcomes: ReadonlyMap<string, ProbeOutcome>, quick: boolean, bigMessages: number): Figure[] {
  const get = (id: string): ProbeOutcome => outcomes.get(id) as ProbeOutcome;
  const xml = get('feedproc-xml');
  const report = get('report-xml');
  const reportSeconds = report.value === null ? null : report.value / 1000;
  const laughs = get('billion-laughs');
  const laughsSeconds = laughs.value === null ? null : laughs.value / 1000;
  const size = bigMessages.toLocaleString('en-US');
  const bigLabel = `peak RSS, validate ${size}-message XML`;
  return [
    ratioFigure('xml-vs-fxp', 'XML validate, 100k messages', xml, get('fxp-stream'), {
      kind: 'ratio',
      atLeast: 0.8,
      aim: null,
    }),
    ratioFigure('xml-vs-saxes', 'XML validate, 100k messages', xml, get('saxes'), {
      kind: 'ratio',
      atLeast: null,
      aim: 0.6,
    }),
    ratioFigure('flat-vs-split', 'flat validate, 100k rows', get('feedproc-flat'), get('flat-split'), {
      kind: 'ratio',
      atLeast: 0.15,
      aim: 0.5,
    }),
    quick
      ? skippedFigure('big-xml-rss', bigLabel, 'MiB', 150, '--quick')
      : limitFigure(
          'big-xml-rss',
          bigLabel,
          get('feedproc-xml-big').peakRssMiB,
          'MiB',
          150,
          errorOrRss(get('feedproc-xml-big')),
        ),
    limitFigure('report-xml-time', 'XML report, 100k Errors: render+write', reportSeconds, 's', 2, report.error),
    limitFigure(
      'report-xml-rss',
      'XML report, 100k Errors: peak RSS',
      report.peakRssMiB,
      'MiB',
      200,
      errorOrRss(report),
    ),
    limitFigure('laughs-time', 'billion laughs: rejected after', laughsSeconds, 's', 1, laughs.error),
    limitFigure('laughs-rss', 'billion laughs: peak RSS', laughs.peakRssMiB, 'MiB', 100, errorOrRss(laughs)),
    ...boundedFigures(get),
    ratioFigure(
      'process-xml-vs-naive',
      `process --workers ${PROCESS_WORKERS}, XML 100k`,
      get('process-xml'),
      get('naive-saxes'),
      { kind: 'ratio', atLeast: 0.5, aim: 0.8 },
    ),
    ratioFigure(
      'process-flat-vs-naive',
      `process --workers ${PROCESS_WORKERS}, flat 100k`,
      get('process-flat'),
      get('naive-flat'),
      { kind: 'ratio', atLeast: 0.5, aim: 0.8 },
    ),
    noteFigure('latency-1-median', '1-message feed, submit to report, median', get('latency-1')),
    ...watchFigures(get('watch-1'), get('watch-fast')),
    fieldFigure(
      'watch-burst',
      `${WATCH_BURST} small files, one merchant, end to end`,
      get('watch-1'),
      'filesPerSec',
      'files/s',
    ),
    ...bigProcessFigures(quick ? null : get('process-big'), size),
  ];
}

/** The renamed-in latency is the stability window plus the watcher's own work; the aim bounds the latter. */
function watchFigures(standard: ProbeOutcome, fast: ProbeOutcome): Figure[] {
  const window = standard.runs[0]?.result['stableMs'];
  const windowMs = typeof window === 'number' ? window : null;
  return [
    limitFigure(
      'watch-1-median',
      `1-message file renamed in -> report, median, default ${windowMs ?? '?'} ms window (aim: window + ${WATCH_OVERHEAD_MS} ms)`,
      standard.value,
      'ms',
      (windowMs ?? 0) + WATCH_OVERHEAD_MS,
      standard.error ?? (windowMs === null ? 'the run did not say its stability window' : null),
    ),
    limitFigure(
      'watch-fast-median',
      `1-message file renamed in -> report, median, FEEDPROC_WATCH_STABLE_MS=${FAST_WINDOW_MS} (aim)`,
      fast.value,
      'ms',
      WATCH_OVERHEAD_MS,
      fast.error,
    ),
  ];
}

function bigProcessFigures(big: ProbeOutcome | null, size: string): Figure[] {
  const rssLabel = `peak RSS, process ${size}-message XML`;
  const redisLabel = `Redis left beyond the ledger, ${size} messages`;
  if (big === null)
    return [
      skippedFigure('process-big-rss', rssLabel, 'MiB', 256, '--quick'),
      skippedFigure('process-big-redis', redisLabel, 'B/message', 100, '--quick'),
    ];
  const perMessage = big.runs[0]?.result['otherBytesPerSuccessful'];
  return [
    limitFigure('process-big-rss', rssLabel, big.peakRssMiB, 'MiB', 256, errorOrRss(big)),
    limitFigure(
      'process-big-redis',
      redisLabel,
      typeof perMessage === 'number' ? perMessage : null,
      'B/message',
      100,
      big.error,
    ),
  ];
}

function errorOrRss(outcome: ProbeOutcome): string | null {
  if (outcome.error !== null) return outcome.error;
  return outcome.peakRssMiB === null ? 'peak RSS could not be measured' : null;
}

function printSummary(figures: readonly Figure[], outcomes: readonly ProbeOutcome[], totalS: number): void {
  const errors = figures.flatMap((f) => (f.error ? [`${f.figure}: ${f.error}`] : []));
  process.stdout.write(`\n${figuresTable(figures)}\n\n${runsTable(outcomes)}\n`);
  process.stdout.write(`${extrasLine(outcomes)}\nbench: total ${totalS.toFixed(0)} s\n`);
  for (const error of new Set(errors)) process.stdout.write(`error: ${error}\n`);
}

/** Figures with no goal that still help to read the table. */
function extrasLine(outcomes: readonly ProbeOutcome[]): string {
  const parts: string[] = [];
  for (const o of outcomes) {
    const run = o.runs[0];
    if (o.probe.id === 'report-xml' && run) {
      const mb = numberField(run.result, 'bytes') / 1e6;
      parts.push(`report ${mb.toFixed(1)} MB, RSS before render ${String(run.result['rssBeforeRenderMiB'])} MiB`);
    }
    if (o.probe.id === 'feedproc-xml-big' && o.value !== null)
      parts.push(`big XML validated at ${o.value.toLocaleString('en-US')} messages/s`);
    if ((o.probe.id === 'watch-1' || o.probe.id === 'watch-fast') && run)
      parts.push(
        `1-message files, ${String(run.result['stableMs'])} ms window: p95 ${median(o.runs.map((r) => numberField(r.result, 'p95Ms')))} ms (median of runs)`,
      );
    if (o.probe.id === 'latency-1' && run)
      parts.push(
        `1-message feeds: p95 ${median(o.runs.map((r) => numberField(r.result, 'p95Ms')))} ms (median of runs)`,
      );
    if (o.probe.id === 'process-big' && run) {
      const mib = (field: string): string => (numberField(run.result, field) / 1048576).toFixed(1);
      parts.push(
        `big process at ${String(run.result['perSec'])} lines/s; Redis after it: ledger ${mib('ledgerBytes')} MiB, other ${mib('otherBytes')} MiB in ${String(run.result['otherKeys'])} keys`,
      );
    }
  }
  return parts.length ? `notes: ${parts.join('; ')}` : '';
}

function probeJson(o: ProbeOutcome): Record<string, unknown> {
  const { id, label, unit, args } = o.probe;
  return { id, label, args, unit, value: o.value, peakRssMiB: o.peakRssMiB, error: o.error, runs: o.runs };
}

interface Environment {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  totalMemMiB: number;
  gitCommit: string | null;
  rssSource: string;
}

function environment(paths: BenchPaths): Environment {
  const cpuList = cpus();
  const time = findGnuTime();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    totalMemMiB: Math.round(totalmem() / 1048576),
    gitCommit: gitCommit(paths.repoRoot),
    rssSource: time ? `${time} -v` : "the children's own process.resourceUsage() (no GNU time; baselines' RSS unknown)",
  };
}

/** The commit measured, with `+dirty` when the working tree differs from it. */
function gitCommit(cwd: string): string | null {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return `${head.stdout.trim()}${status.stdout.trim() ? '+dirty' : ''}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
  log(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
});
