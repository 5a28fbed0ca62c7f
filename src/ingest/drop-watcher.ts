/**
 * The drop-folder watcher (docs/drop-folder.md): files left in processing/ by a crash are resumed first, then
 * the files waiting in incoming/ (name order), then whatever chokidar reports or the periodic rescan finds.
 * Each merchant (subfolder) has one lane: its files are processed one after another in arrival order, while
 * the lanes of different merchants run in parallel.
 */
import { lstat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { Report } from '../core/types.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { waitForReport, WaitAbandoned } from '../queue/wait-for-report.js';
import { claim, ClaimedOther, declaredFeedType, processClaimed, type Outcome } from './claimed-file.js';
import {
  droppedFileAt,
  ensureDropFolder,
  isWorkInProgressName,
  listDropped,
  listLane,
  scanIncoming,
  type DropFolder,
  type DroppedFile,
} from './drop-folder.js';
import { isTransientFailure } from './failures.js';
import { failUnassigned, importDroppedOrderReport, isOrderReportFile, type ImportOutcome } from './other-files.js';
import { waitUntilReady, type Readiness, type ReadinessOptions } from './readiness.js';
import { giveUp, refuseClaimed, reportRefusal, type GivenUp } from './refusals.js';
import { entryRefusal, regularFileInfo, type Refusal } from './trust.js';

export interface WatcherOptions extends ReadinessOptions {
  /** How often incoming/ is listed again, for events the watcher missed. */
  rescanMs: number;
  /** First pause before a file whose processing failed is tried again; it doubles with each failure. */
  retryMs: number;
  /** The longest pause between two tries. */
  maxRetryMs: number;
  /** Failures (other than Redis away or full, or a full disk, which heal) after which a file goes to failed/. */
  giveUpAfter: number;
}

export type WatchEvent =
  | { event: 'processed'; file: string; merchant: string; outcome: Outcome }
  | { event: 'imported'; file: string; merchant: string; outcome: ImportOutcome }
  | { event: 'failed-to-process'; file: string; error: string; retryInMs: number | null }
  | { event: 'given-up'; file: string; error: string; outcome: GivenUp | null }
  | { event: 'no-merchant'; file: string; outcome: ImportOutcome }
  | { event: 'refused'; entry: string; reason: string; report: string | null };

export interface DropWatcher {
  /** Takes a file already claimed into processing/ (an HTTP upload) into its merchant's lane, after what arrived before it. */
  adopt(file: DroppedFile): void;
  /**
   * Stops taking files and waits (at most `timeoutMs`) for the files in progress; unfinished ones stay claimed.
   * True when none was left unfinished.
   */
  stop(timeoutMs: number): Promise<boolean>;
}

/** One merchant's files, processed one after another. */
interface Lane {
  queue: Entry[];
  running: Promise<void> | null;
  /** The merchant folder (null: the top of incoming/). */
  folder: string | null;
  /** When the lane last listed its folder itself: files that arrived before then are all in its queue. */
  listedAt: number;
}

interface Entry {
  file: DroppedFile;
  claimed: boolean;
  /** Started when the file is found, so a burst of files waits out its stability windows together. */
  ready: Promise<Readiness> | null;
  /** When the file appeared (ctime); -Infinity for files resumed from processing/. */
  arrived: number;
  failures: number;
  /** Taken up by the lane: later arrivals queue behind it whatever their time. */
  started: boolean;
}

/** When a file appeared in the folder: its ctime, which the writer's rename (or last write) sets. */
async function arrival(path: string): Promise<number> {
  return (await lstat(path).catch(() => null))?.ctimeMs ?? Date.now();
}

/** True when the file's size or mtime differ from what readiness saw. */
async function changedSince(path: string, readiness: Readiness): Promise<boolean> {
  const info = await lstat(path).catch(() => null);
  return info === null || typeof readiness !== 'object' || `${info.size}:${info.mtimeMs}` !== readiness.signature;
}

/** Files per lane checked for readiness ahead of their turn. */
const LOOKAHEAD = 32;

/** A file's ctime is coarser than the clock: one that arrived this close to a listing may have missed it. */
const CLOCK_SLACK_MS = 1000;

function later(a: Entry, b: Entry): boolean {
  return a.arrived > b.arrived || (a.arrived === b.arrived && a.file.name > b.file.name);
}

export async function startDropWatcher(
  deps: PipelineDeps,
  folder: DropFolder,
  options: WatcherOptions,
  log: (event: WatchEvent) => void,
): Promise<DropWatcher> {
  await ensureDropFolder(folder);
  const lanes = new Map<string, Lane>();
  const known = new Set<string>();
  /** Files being put into their lanes (their checks take a few reads): a lane's catch-up waits for them. */
  const placing = new Map<string, Promise<void>>();
  /** Entries refused so far (entry -> device:inode, when): each is reported once, a new one at the same path again. */
  const refusedSeen = new Map<string, { identity: string; at: number }>();
  let stopping = false;

  const refuse = async (refusal: Refusal): Promise<void> => {
    if (refusedSeen.get(refusal.entry)?.identity === refusal.identity) return;
    refusedSeen.set(refusal.entry, { identity: refusal.identity, at: Date.now() });
    const report = await reportRefusal(folder, refusal).catch(() => null);
    log({ event: 'refused', entry: refusal.entry, reason: refusal.reason, report });
  };

  /** True when the entry may be taken; a refused one is reported (once). */
  const acceptable = async (file: DroppedFile): Promise<boolean> => {
    const refusal = await entryRefusal(folder.incoming, file);
    if (refusal === null) return true;
    if (refusal !== 'gone') await refuse(refusal);
    return false;
  };

  /**
   * Adds a file to its merchant's lane in arrival order: by the time it appeared in the folder (its ctime, which a
   * rename sets), then by name, since watcher events and rescans can report files out of order.
   */
  const enqueue = (file: DroppedFile, claimed: boolean, knownArrival?: number): Promise<void> => {
    const key = `${file.folder ?? ''}/${file.name}`;
    if (stopping || known.has(key)) return placing.get(key) ?? Promise.resolve();
    known.add(key);
    const placed = place(file, claimed, knownArrival)
      .catch(() => void known.delete(key)) // not placed: the next rescan finds it again
      .finally(() => placing.delete(key));
    placing.set(key, placed);
    return placed;
  };

  const place = async (file: DroppedFile, claimed: boolean, knownArrival?: number): Promise<void> => {
    const key = `${file.folder ?? ''}/${file.name}`;
    if (!claimed && !(await acceptable(file))) {
      known.delete(key);
      return;
    }
    const arrived = knownArrival ?? (claimed ? -Infinity : await arrival(file.path));
    const laneKey = file.folder ?? '';
    const lane = lanes.get(laneKey) ?? { queue: [], running: null, folder: file.folder, listedAt: 0 };
    lanes.set(laneKey, lane);
    const entry: Entry = { file, claimed, ready: null, arrived, failures: 0, started: false };
    let at = lane.queue.length;
    while (at > 0 && !(lane.queue[at - 1] as Entry).started && later(lane.queue[at - 1] as Entry, entry)) at -= 1;
    lane.queue.splice(at, 0, entry);
    startReadinessChecks(lane.queue);
    if (!lane.running) lane.running = runLane(lane).finally(() => (lane.running = null));
  };

  /**
   * Before a lane takes a file that arrived after its last listing, it lists its folder and waits until every file
   * found there is in its queue: watcher events can come late (the first files of a new folder, a busy thread
   * pool), and once a lane has started a file, an earlier one can only follow it.
   */
  const catchUp = async (lane: Lane): Promise<void> => {
    const head = lane.queue[0];
    if (!head || head.claimed || head.started || head.arrived < lane.listedAt - CLOCK_SLACK_MS) return;
    lane.listedAt = Date.now();
    const files = await listLane(folder.incoming, lane.folder);
    await Promise.all(files.map((file) => enqueue(file, false)));
  };

  const runLane = async (lane: Lane): Promise<void> => {
    // Files of one burst are reported one by one; a stability window's wait lets them all take their places
    // before the lane takes its first (no file is read sooner than that anyway).
    await new Promise((done) => setTimeout(done, options.stableMs));
    let pause = options.retryMs;
    while (lane.queue.length > 0 && !stopping) {
      await catchUp(lane);
      const entry = lane.queue[0] as Entry;
      entry.started = true;
      const finished = await handle(entry).catch((err: unknown) => failed(entry, err, pause));
      if (!finished) {
        if (stopping) return;
        // The same file again, later each time: its lane keeps its order, and a failing Redis is not hammered.
        await new Promise((done) => setTimeout(done, pause));
        pause = Math.min(pause * 2, options.maxRetryMs);
        continue;
      }
      pause = options.retryMs;
      lane.queue.shift();
      known.delete(`${entry.file.folder ?? ''}/${entry.file.name}`);
      startReadinessChecks(lane.queue);
    }
  };

  /**
   * A failed try: Redis away or full, or a full disk, heal, and the file waits for that however long it takes
   * (its FeedSubmissionId is reserved, so no try leaves a record behind). Any other failure counts: after
   * `giveUpAfter` of them the file goes to failed/ with a report, and its merchant's lane moves on.
   */
  const failed = async (entry: Entry, err: unknown, pause: number): Promise<boolean> => {
    if (err instanceof WaitAbandoned) return false;
    const error = err instanceof Error ? err.message : String(err);
    if (!isTransientFailure(err)) entry.failures += 1;
    const givingUp = entry.failures >= options.giveUpAfter;
    log({ event: 'failed-to-process', file: entry.file.path, error, retryInMs: givingUp ? null : pause });
    if (!givingUp) return false;
    const outcome = await giveUp(deps, folder, entry.file, entry.claimed, entry.failures, error).catch(() => null);
    log({ event: 'given-up', file: entry.file.path, error, outcome });
    return true;
  };

  /** The next few files of a lane wait out their stability windows while the head is processed. */
  const startReadinessChecks = (queue: Entry[]): void => {
    for (const entry of queue.slice(0, LOOKAHEAD)) {
      if (entry.claimed || entry.ready) continue;
      entry.ready = waitUntilReady(entry.file.path, options, () => stopping, entry.file.folder !== null);
      entry.ready.catch(() => undefined);
    }
  };

  /** True when the file is dealt with (processed, or gone); false to try it again. */
  const handle = async (entry: Entry): Promise<boolean> => {
    let file = entry.file;
    if (!entry.claimed) {
      let readiness = await (entry.ready ?? waitUntilReady(file.path, options, () => stopping, file.folder !== null));
      entry.ready = null; // a retry waits afresh
      // Judged while it waited its turn: a writer may have come back since, so look once more when it changed.
      if (readiness !== 'gone' && (await changedSince(file.path, readiness)))
        readiness = await waitUntilReady(file.path, options, () => stopping, file.folder !== null);
      // Gone, or no longer a regular file (then refused and reported): dealt with; a regular file again: once more.
      if (readiness === 'gone') return !stopping && !(await acceptable(file));
      // Checked again just before the claim: the folder or the entry may have been swapped meanwhile.
      const seen = (await acceptable(file)) ? await regularFileInfo(file.path) : null;
      if (!seen) return true;
      const claimed = await claim(folder, file, seen).catch(async (err: unknown) => {
        if (!(err instanceof ClaimedOther)) throw err;
        await refuse(await refuseClaimed(folder, err.claimed, err.kind));
        return null;
      });
      if (!claimed) return true;
      entry.file = file = claimed;
      entry.claimed = true;
    }
    const merchant = file.folder ?? deps.config.merchantId;
    if (!merchant) {
      log({ event: 'no-merchant', file: file.name, outcome: await failUnassigned(folder, file) });
      return true;
    }
    // An upload declared its FeedType, and that decides: an order report sent as a feed is validated as the
    // declared type and rejected (97050), never imported behind its sender's back.
    if ((await declaredFeedType(file)) === undefined && (await isOrderReportFile(file.path))) {
      log({
        event: 'imported',
        file: file.name,
        merchant,
        outcome: await importDroppedOrderReport(deps, folder, file, merchant),
      });
      return true;
    }
    const wait = (feedId: string): Promise<Report> => waitForReport(deps, feedId, () => stopping);
    const outcome = await processClaimed(deps, folder, file, merchant, wait);
    log({ event: 'processed', file: file.name, merchant, outcome });
    return true;
  };

  for (const file of await listDropped(folder.processing)) await enqueue(file, true);
  /**
   * Files found together are put in their lanes earliest first: a lane starts on the first file it gets, so
   * handing them over in name order would let a later file overtake an earlier one. At start-up they go in
   * name order (after the ones resumed from processing/).
   */
  const rescan = async (atStart = false): Promise<void> => {
    await ensureDropFolder(folder).catch(() => undefined); // a folder deleted while running is made again
    const scanStarted = Date.now();
    const scanned = await scanIncoming(folder.incoming).catch(() => null);
    if (!scanned) return;
    for (const refusal of scanned.refused) await refuse(refusal);
    // Entries gone since are forgotten (the map stays as small as the folder); one back later is reported again.
    // Only those refused before this scan began: one refused meanwhile may be missing from its listing.
    const present = new Set(scanned.refused.map((r) => r.entry));
    for (const [entry, seen] of refusedSeen)
      if (!present.has(entry) && seen.at < scanStarted) refusedSeen.delete(entry);
    const found = scanned.files.filter((f) => !known.has(`${f.folder ?? ''}/${f.name}`));
    const timed = await Promise.all(
      found.map(async (file) => ({ file, arrived: atStart ? 0 : await arrival(file.path) })),
    );
    timed.sort((a, b) => a.arrived - b.arrived || (a.file.name < b.file.name ? -1 : a.file.name > b.file.name ? 1 : 0));
    for (const { file, arrived } of timed) await enqueue(file, false, arrived);
  };
  await rescan(true);
  const watcher: FSWatcher = watch(folder.incoming, {
    depth: 1,
    ignoreInitial: true,
    followSymlinks: false, // a linked folder is refused, never looked into
    ignored: (path) => isWorkInProgressName(path.split('/').pop() ?? ''),
  });
  const onFile = (path: string): void => {
    const file = droppedFileAt(folder.incoming, path);
    if (file) void enqueue(file, false);
  };
  watcher
    .on('add', onFile)
    .on('change', onFile)
    .on('error', () => undefined); // the rescan covers what is missed
  const timer = setInterval(() => void rescan(), options.rescanMs);

  return {
    adopt(file) {
      void enqueue(file, true, Date.now());
    },
    async stop(timeoutMs) {
      stopping = true;
      clearInterval(timer);
      await watcher.close();
      const running = [...lanes.values()].flatMap((lane) => (lane.running ? [lane.running] : []));
      return Promise.race([
        Promise.all(running).then(() => true),
        new Promise<boolean>((done) => setTimeout(() => done(false), timeoutMs).unref()),
      ]);
    },
  };
}
