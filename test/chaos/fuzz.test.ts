/**
 * Fuzzing (issue 7): 10,000 mutated feed files derived from samples/ (test/helpers/fuzz-mutator.ts), each
 * through `validate` and `process`.
 *
 * - validate: `validateFeedFile` in-process for every file, and the built CLI `feedproc validate` as a real
 *   process for every 100th: exit code 0/3/4 as the report implies (never 1), nothing on stderr, stdout a report
 *   (the JSON one equal to the in-process report; the XML one valid against ProcessingReport.xsd). The CLI runs
 *   start with the suite and go on beside the in-process tests (one child at a time: the other core); their
 *   test, the last, waits for them.
 * - process: every file submitted to one in-process pipeline (workers on the test redis-server) with several
 *   feeds in flight, against a ledger holding samples/order-report.txt, so valid mutants really apply.
 *
 * Asserted for every file: no exception escapes; a report within DEADLINE_MS (a bound against hangs, not a
 * performance figure: a file over it fails the test, named by its file seed); status Complete or Rejected with
 * processed = successful + with error; the process report agrees with the validation report (same verdict and
 * counts, plus the ledger's refusals). Nothing of a rejected file may reach the ledger (see
 * `leftoverProblems`).
 *
 * The run seed is printed; FEEDPROC_FUZZ_SEED=<n> runs another one, FEEDPROC_FUZZ_ONLY=<index,…> only some files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importOrderReport } from '../../src/apply/import-orders.js';
import { ledgerKeys } from '../../src/apply/keys.js';
import { exitCodeForReport } from '../../src/cli/exit-codes.js';
import type { Report } from '../../src/core/types.js';
import { readOrderReport } from '../../src/parse/order-report.js';
import { feedKeys, PARTITIONS } from '../../src/queue/names.js';
import { submitFeed } from '../../src/queue/submit-feed.js';
import { waitForReport } from '../../src/queue/wait-for-report.js';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { CLI, REPO_ROOT } from '../helpers/cli.js';
import { fileSeedOf } from '../helpers/fuzz-rng.js';
import { loadFuzzBases, mutate } from '../helpers/fuzz-mutator.js';
import { openTestPipeline, type TestPipeline } from '../helpers/pipeline.js';
import { makeTempDir } from '../helpers/tmp.js';
import { itWithXsds, prepareXsdDir, xmllint } from '../helpers/xmllint.js';

const DEFAULT_SEED = 20261126;
const RUN_SEED = Number(process.env['FEEDPROC_FUZZ_SEED'] ?? DEFAULT_SEED) >>> 0;
/** FEEDPROC_FUZZ_FILES=<n> makes fewer (or more) while working on the fuzzer itself; the suite runs 10,000. */
const FILES = Number(process.env['FEEDPROC_FUZZ_FILES'] ?? 10_000);
/** Files 500, 1500, … are giant (multi-MB values, comments, lines; thousands of messages): ten of them. */
const isGiant = (index: number): boolean => index % 1000 === 500;
/** The files also run through the CLI as a real process: every 100th (the giants among them). */
const inCliSample = (index: number): boolean => index % 100 === 0;
const DEADLINE_MS = 5000;
const MERCHANT = 'A1KW3PLX9Q7ZT2'; // the samples' merchant
const VALIDATE_IN_FLIGHT = 2;
const CLI_IN_FLIGHT = 1;
const PROCESS_IN_FLIGHT = 8;
const WORKER_CONCURRENCY = 8;

interface FuzzFile {
  index: number;
  fileSeed: number;
  recipe: string;
  path: string;
  size: number;
}

/** 10,000 small files: in memory (tmpfs) where there is one, since creating a file on this disk costs ~1 ms. */
const tmp = makeTempDir('feedproc-fuzz-', existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const schemas = createSchemaRegistry();
const files: FuzzFile[] = [];
/** The in-process validation report of each file, by index: the reference for the CLI and the pipeline. */
const validated = new Map<number, Report>();

const only = (process.env['FEEDPROC_FUZZ_ONLY'] ?? '').split(',').filter(Boolean).map(Number);
const name = (f: FuzzFile): string =>
  `file #${f.index} (run seed ${RUN_SEED}, file seed 0x${f.fileSeed.toString(16)}, ${f.recipe})`;

beforeAll(() => {
  const elapsed = clock();
  const bases = loadFuzzBases(join(REPO_ROOT, 'samples'));
  const seen = new Set<string>();
  for (let index = 0; index < FILES; index += 1) {
    // Distinct contents only: an identical file would be a duplicate submission, which applies nothing.
    let fileSeed = fileSeedOf(RUN_SEED, index);
    let mutant = mutate(bases, fileSeed, isGiant(index) ? index : undefined);
    for (let attempt = 1; seen.has(sha(mutant.bytes)); attempt += 1) {
      fileSeed = fileSeedOf(fileSeed, attempt);
      mutant = mutate(bases, fileSeed, isGiant(index) ? index : undefined);
    }
    seen.add(sha(mutant.bytes));
    if (only.length > 0 && !only.includes(index)) continue;
    const path = tmp.file(`${String(index).padStart(5, '0')}.${mutant.ext}`, mutant.bytes);
    files.push({ index, fileSeed, recipe: mutant.recipe, path, size: mutant.bytes.length });
  }
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  void cliRuns(); // real processes on the other core while this one validates and processes in-process
  console.log(
    `fuzz: run seed ${RUN_SEED} (FEEDPROC_FUZZ_SEED), ${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB, made in ${elapsed()} in ${tmp.dir}`,
  );
}, 120_000);

afterAll(async () => {
  await cliBatch?.catch(() => undefined); // still running when its test was filtered out
  tmp.cleanup();
});

/** The XML reports of the CLI test, for the XSD check after it. */
const cliXmlReports: Array<{ file: FuzzFile; path: string }> = [];

describe('fuzzing: 10,000 mutated feeds', () => {
  it('validate in-process: a report for every file, within the deadline, with consistent counts', async () => {
    const elapsed = clock();
    const slowest = slowestFile();
    const failures: string[] = [];
    await inPool(files, VALIDATE_IN_FLIGHT, async (file) => {
      const outcome = await withinDeadline(() => validateFeedFile(schemas, file.path));
      if (!('value' in outcome)) return void failures.push(`${name(file)}: validate ${describeFailure(outcome)}`);
      slowest.note(file, outcome.ms);
      const problems = reportProblems(outcome.value);
      if (problems.length > 0) failures.push(`${name(file)}: validate: ${problems.join('; ')}`);
      validated.set(file.index, outcome.value);
    });
    console.log(
      `fuzz validate: ${files.length} files in ${elapsed()}; ${tally([...validated.values()])}; slowest ${slowest.describe()}`,
    );
    expect(failures).toEqual([]);
    expect(validated.size).toBe(files.length);
  }, 600_000);

  describe('process', () => {
    let pipeline: TestPipeline;
    beforeAll(async () => {
      pipeline = openTestPipeline(MERCHANT, 0);
      const orders = await readOrderReport(join(REPO_ROOT, 'samples', 'order-report.txt'));
      await importOrderReport(pipeline.ledger, orders);
      pipeline.startWorkers(WORKER_CONCURRENCY);
    });
    afterAll(() => pipeline.close());

    it('processes every file to a final report within the deadline, agreeing with validate; nothing of a rejected file is applied', async () => {
      const elapsed = clock();
      const slowest = slowestFile();
      const failures: string[] = [];
      const done: Array<{ file: FuzzFile; feedId: string; report: Report }> = [];
      await inPool(files, PROCESS_IN_FLIGHT, async (file) => {
        const outcome = await withinDeadline(async (expired) => {
          const record = await submitFeed(pipeline.deps, file.path, { merchantId: MERCHANT });
          return {
            feedId: record.feedSubmissionId,
            report: await waitForReport(pipeline.deps, record.feedSubmissionId, expired),
          };
        });
        if (!('value' in outcome)) return void failures.push(`${name(file)}: process ${describeFailure(outcome)}`);
        slowest.note(file, outcome.ms);
        const { feedId, report } = outcome.value;
        const problems = [...reportProblems(report), ...agreementProblems(report, validated.get(file.index))];
        if (report.feedSubmissionId !== feedId)
          problems.push(`the report names feed ${report.feedSubmissionId}, not ${feedId}`);
        if (problems.length > 0) failures.push(`${name(file)}: process (feed ${feedId}): ${problems.join('; ')}`);
        done.push({ file, feedId, report });
      });
      const took = elapsed();
      failures.push(...(await leftoverProblems(pipeline, done)));
      const applied = done
        .filter((d) => d.report.statusCode === 'Complete')
        .reduce((sum, d) => sum + d.report.summary.messagesSuccessful, 0);
      console.log(
        `fuzz process: ${done.length} feeds in ${took}; ${tally(done.map((d) => d.report))}; ${applied} messages applied to the ledger; slowest ${slowest.describe()}`,
      );
      expect(failures).toEqual([]);
      expect(done.length).toBe(files.length);
    }, 600_000);
  });

  it('validate with the built CLI on every 100th file: exit 0/3/4 as the report implies, stdout a report', async () => {
    const { runs, deadlineMs, seconds: took } = await cliRuns();
    const failures: string[] = [];
    const xmlReports: Array<{ file: FuzzFile; path: string }> = [];
    for (const { file, json, run } of runs) {
      if (run.timedOut) {
        failures.push(`${name(file)}: the CLI took over ${deadlineMs} ms and was killed`);
        continue;
      }
      const expected = validated.get(file.index) ?? (await validateFeedFile(schemas, file.path));
      if (run.code !== exitCodeForReport(expected))
        failures.push(
          `${name(file)}: CLI exit ${run.code}, expected ${exitCodeForReport(expected)}; stderr: ${run.stderr.slice(0, 300)}`,
        );
      if (run.stderr !== '') failures.push(`${name(file)}: CLI stderr: ${run.stderr.slice(0, 300)}`);
      if (json)
        failures.push(...jsonReportProblems(run.stdout, expected).map((p) => `${name(file)}: CLI JSON report: ${p}`));
      else if (expected.format === 'xml')
        xmlReports.push({ file, path: tmp.file(`cli-${file.index}.report.xml`, run.stdout) });
      else if (!run.stdout.startsWith('Feed Processing Summary:\n'))
        failures.push(`${name(file)}: the flat report does not start with its summary: ${run.stdout.slice(0, 100)}`);
    }
    cliXmlReports.push(...xmlReports);
    console.log(
      `fuzz CLI: ${runs.length} runs of feedproc validate in ${took} s beside the other tests (deadline ${deadlineMs} ms each); ${xmlReports.length} XML reports`,
    );
    expect(failures).toEqual([]);
    expect(runs.length).toBe(files.filter((f) => inCliSample(f.index)).length);
  }, 600_000);

  // Amazon's own schema as the judge of the CLI's XML reports (hostile values quoted back must stay well-formed).
  itWithXsds(
    'the CLI runs above wrote XML reports that validate against ProcessingReport.xsd',
    async () => {
      expect(cliXmlReports.length).toBeGreaterThan(0);
      const verdicts = await xmllint(
        prepareXsdDir(join(tmp.dir, 'xsd'), { extend: false }),
        cliXmlReports.map((r) => r.path),
      );
      const failures: string[] = [];
      for (const { file, path } of cliXmlReports) {
        const verdict = verdicts.get(path);
        if (!verdict?.valid)
          failures.push(
            `${name(file)}: the XML report does not validate against ProcessingReport.xsd: ${verdict?.first?.message ?? readFileSync(path, 'utf8').slice(0, 200)}`,
          );
      }
      expect(failures).toEqual([]);
    },
    300_000,
  );
});

// ---- checks ----

/** What must hold for any report (README "Reports"): counts add up; a rejected feed processed nothing. */
function reportProblems(report: Report): string[] {
  const problems: string[] = [];
  const { messagesProcessed, messagesSuccessful, messagesWithError, messagesWithWarning } = report.summary;
  if (report.statusCode !== 'Complete' && report.statusCode !== 'Rejected')
    problems.push(`statusCode ${String(report.statusCode)}`);
  if (messagesProcessed !== messagesSuccessful + messagesWithError)
    problems.push(
      `processed ${messagesProcessed} ≠ successful ${messagesSuccessful} + with error ${messagesWithError}`,
    );
  if ([messagesSuccessful, messagesWithError, messagesWithWarning].some((n) => !Number.isInteger(n) || n < 0))
    problems.push(`negative or fractional counts ${JSON.stringify(report.summary)}`);
  if (messagesWithWarning > messagesProcessed)
    problems.push(`${messagesWithWarning} messages with warnings of ${messagesProcessed}`);
  const errors = report.results.filter((r) => r.resultCode === 'Error').length;
  if (report.statusCode === 'Rejected') {
    if (messagesProcessed !== 0) problems.push(`rejected, yet ${messagesProcessed} processed`);
    if (report.results[0]?.resultCode !== 'Error' || report.results.some((r) => r.messageId !== '0'))
      problems.push('a rejected report must hold its Error and only file-level results');
  } else if (errors !== messagesWithError)
    problems.push(`${errors} Error results for ${messagesWithError} messages with error (one Error per message)`);
  return problems;
}

/**
 * The pipeline judges the file as `validate` does: the same rejection; or, for a complete feed, the same messages
 * with every validation result kept and the ledger's refusals added as errors. Only MerchantIdentifier can
 * differ (validate has no merchant; the pipeline rejects another merchant's feed, 5005).
 */
function agreementProblems(processed: Report, validation: Report | undefined): string[] {
  if (!validation) return [];
  const otherMerchant =
    validation.statusCode === 'Complete' && Boolean(validation.merchantId) && validation.merchantId !== MERCHANT;
  if (otherMerchant)
    return processed.statusCode === 'Rejected' && processed.results[0]?.resultMessageCode === 5005
      ? []
      : [`names merchant ${validation.merchantId}: expected a 5005 rejection`];
  if (processed.statusCode !== validation.statusCode)
    return [`status ${processed.statusCode}, validate said ${validation.statusCode}`];
  const strip = (r: Report['results'][number]): string => JSON.stringify(r);
  if (validation.statusCode === 'Rejected')
    return strip(processed.results[0]!) === strip(validation.results[0]!)
      ? []
      : [`rejected for ${processed.results[0]?.description}, validate: ${validation.results[0]?.description}`];
  const problems: string[] = [];
  const v = validation.summary;
  const p = processed.summary;
  if (p.messagesProcessed !== v.messagesProcessed || p.messagesWithWarning !== v.messagesWithWarning)
    problems.push(`summary ${JSON.stringify(p)}, validate ${JSON.stringify(v)}`);
  const remaining = processed.results.map(strip);
  for (const result of validation.results.map(strip)) {
    const at = remaining.indexOf(result);
    if (at === -1) problems.push(`lost the validation result ${result}`);
    else remaining.splice(at, 1);
  }
  const refusals = p.messagesWithError - v.messagesWithError;
  if (remaining.length !== refusals || remaining.some((r) => !r.includes('"resultCode":"Error"')))
    problems.push(`${refusals} more messages with error but ${remaining.length} new results`);
  return problems;
}

/** The CLI's JSON report is the in-process report (message ids read as written: they can exceed 2^53). */
function jsonReportProblems(stdout: string, expected: Report): string[] {
  let parsed: Report & { results: Array<Record<string, unknown>> };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch (err) {
    return [`not JSON (${(err as Error).message}): ${stdout.slice(0, 200)}`];
  }
  const problems: string[] = [];
  const { results, ...head } = parsed;
  const { results: want, ...wantHead } = expected;
  if (JSON.stringify(head) !== JSON.stringify(wantHead))
    problems.push(`head ${JSON.stringify(head)} ≠ ${JSON.stringify(wantHead)}`);
  const ids = [...stdout.matchAll(/\{"messageId":(\d+),/g)].map((m) => m[1]);
  if (results.length !== want.length) problems.push(`${results.length} results, expected ${want.length}`);
  want.forEach((w, i) => {
    const got = results[i];
    if (
      ids[i] !== w.messageId ||
      got?.['description'] !== w.description ||
      got['resultMessageCode'] !== w.resultMessageCode
    ) {
      problems.push(`result ${i}: ${JSON.stringify(got)} (id ${ids[i]}) ≠ ${JSON.stringify(w)}`);
    }
  });
  return problems;
}

/**
 * After the run, with the queue drained. A ledger script writes each message's outcome into
 * `applied:<feedId>` in the same atomic call as any change it makes, and only a complete feed is finalised
 * (that hash shrunk to `~closed`). So a rejected feed must have no applied hash at all (no script ever ran
 * with its id), no cancellation event naming it in the merchant's stream, and nothing left to apply later
 * (spilled partition lists, a validation report, a queued or failed job). Every complete feed must be closed,
 * its lists gone.
 */
async function leftoverProblems(
  pipeline: TestPipeline,
  done: ReadonlyArray<{ file: FuzzFile; feedId: string; report: Report }>,
): Promise<string[]> {
  const { redis, config, queue } = pipeline.deps;
  const ledger = ledgerKeys(config.prefix, MERCHANT);
  const problems: string[] = [];
  const eventFeeds = new Set<string>();
  for (let from = '-'; ;) {
    const page = await redis.xrange(ledger.events(), from, '+', 'COUNT', 5000);
    for (const [, fields] of page) eventFeeds.add(fields[fields.indexOf('feedId') + 1] ?? '');
    if (page.length < 5000) break;
    from = `(${page[page.length - 1]![0]}`;
  }
  for (let i = 0; i < done.length; i += 500) {
    const batch = done.slice(i, i + 500);
    const checks = redis.pipeline();
    for (const { feedId } of batch) {
      const keys = feedKeys(config.prefix, feedId);
      checks.hgetall(ledger.applied(feedId));
      checks.exists(
        keys.validation,
        keys.results,
        keys.finalizing,
        ...Array.from({ length: PARTITIONS }, (_, n) => keys.part(n)),
      );
    }
    const replies = (await checks.exec()) ?? [];
    batch.forEach(({ file, feedId, report }, n) => {
      const applied = replies[2 * n]?.[1] as Record<string, string>;
      const working = replies[2 * n + 1]?.[1] as number;
      if (working !== 0)
        problems.push(`${name(file)}: feed ${feedId} left ${working} working keys (spilled lists, validation)`);
      if (report.statusCode === 'Rejected') {
        if (Object.keys(applied).length > 0)
          problems.push(
            `${name(file)}: rejected feed ${feedId} has ledger marks ${JSON.stringify(applied).slice(0, 200)}`,
          );
        if (eventFeeds.has(feedId))
          problems.push(`${name(file)}: rejected feed ${feedId} has cancellation events in the ledger`);
      } else if (Object.keys(applied).join() !== '~closed')
        problems.push(
          `${name(file)}: complete feed ${feedId} was not closed: ${Object.keys(applied).slice(0, 5).join()}`,
        );
    });
  }
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
  if (Object.values(counts).some((n) => n > 0)) problems.push(`jobs left in the queue: ${JSON.stringify(counts)}`);
  return problems;
}

// ---- running ----

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

let cliBatch:
  | Promise<{ runs: Array<{ file: FuzzFile; json: boolean; run: CliRun }>; deadlineMs: number; seconds: string }>
  | undefined;

/**
 * `feedproc validate` on every 100th file, started once (by beforeAll) and run beside the in-process tests.
 * Each run is killed at DEADLINE_MS plus twice the CLI's start-up (Node loading feedproc and compiling the
 * schemas: no part of the file's work), measured on an empty file under the same load just before.
 */
function cliRuns(): NonNullable<typeof cliBatch> {
  cliBatch ??= (async () => {
    const started = performance.now();
    const empty = tmp.file('empty.txt', '');
    let startup = 0;
    for (let i = 0; i < 2; i += 1) {
      const t = performance.now();
      await runCliWithin(['validate', empty], 60_000);
      startup = Math.max(startup, performance.now() - t);
    }
    const deadlineMs = Math.round(DEADLINE_MS + 2 * startup);
    const runs: Array<{ file: FuzzFile; json: boolean; run: CliRun }> = [];
    await inPool(
      files.filter((f) => inCliSample(f.index)),
      CLI_IN_FLIGHT,
      async (file) => {
        const json = file.index % 200 === 0; // half as JSON (compared with the in-process report), half in the feed's own format
        runs.push({
          file,
          json,
          run: await runCliWithin(['validate', ...(json ? ['--format', 'json'] : []), file.path], deadlineMs),
        });
      },
    );
    return { runs, deadlineMs, seconds: seconds(started) };
  })();
  return cliBatch;
}

type Outcome<T> = { value: T; ms: number } | { error: unknown } | { timedOut: true } | { slowMs: number };

/**
 * Runs `work` against the deadline. An asynchronous hang is cut off when the deadline passes (`expired` then
 * says so, and `work` should stop waiting); a synchronous one cannot be interrupted in-process, so a result that
 * arrives after the deadline fails too.
 */
async function withinDeadline<T>(work: (expired: () => boolean) => Promise<T>): Promise<Outcome<T>> {
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const deadline = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve({ timedOut: true });
    }, DEADLINE_MS);
  });
  const run = work(() => timedOut).then(
    (value): Outcome<T> => {
      const ms = performance.now() - started;
      return ms > DEADLINE_MS ? { slowMs: Math.round(ms) } : { value, ms };
    },
    (error: unknown): Outcome<T> => ({ error }),
  );
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function describeFailure(outcome: Outcome<unknown>): string {
  if ('timedOut' in outcome) return `gave no report within ${DEADLINE_MS} ms`;
  if ('slowMs' in outcome) return `took ${outcome.slowMs} ms (over the ${DEADLINE_MS} ms bound)`;
  if ('error' in outcome)
    return `threw ${outcome.error instanceof Error ? (outcome.error.stack ?? outcome.error.message) : String(outcome.error)}`;
  return 'ok';
}

/** The built CLI as a real process, killed at the deadline. */
function runCliWithin(args: readonly string[], deadlineMs: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Runs `task` over `items`, at most `limit` at a time, in order. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function tally(reports: readonly Report[]): string {
  const count = (test: (r: Report) => boolean): number => reports.filter(test).length;
  const complete = count((r) => r.statusCode === 'Complete');
  const clean = count(
    (r) => r.statusCode === 'Complete' && r.summary.messagesWithError === 0 && r.summary.messagesProcessed > 0,
  );
  return `${complete} Complete (${clean} without errors), ${count((r) => r.statusCode === 'Rejected')} Rejected`;
}

function slowestFile(): { note(file: FuzzFile, ms: number): void; describe(): string } {
  let worst: { file: FuzzFile; ms: number } | undefined;
  return {
    note: (file, ms) => {
      if (!worst || ms > worst.ms) worst = { file, ms };
    },
    describe: () =>
      worst
        ? `${Math.round(worst.ms)} ms (#${worst.file.index}, ${(worst.file.size / 2 ** 20).toFixed(1)} MiB, ${worst.file.recipe})`
        : 'none',
  };
}

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const seconds = (since: number): string => ((performance.now() - since) / 1000).toFixed(1);

/** Wall-clock and this process's CPU seconds since the clock was made: the CPU figure does not depend on the load. */
function clock(): () => string {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return `${seconds(wall)} s (${((used.user + used.system) / 1e6).toFixed(1)} s CPU)`;
  };
}
