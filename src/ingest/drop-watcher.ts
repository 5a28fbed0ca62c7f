/**
 * The drop-folder watcher (product-spec.md §7): files left in processing/ by a crash are resumed first, then
 * the files waiting in incoming/ (name order), then whatever chokidar reports or the periodic rescan finds.
 * Each merchant (subfolder) has one lane: its files are processed one after another in arrival order, while
 * the lanes of different merchants run in parallel.
 */
import { stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { Report } from '../core/types.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { waitForReport, WaitAbandoned } from '../queue/wait-for-report.js';
import { claim, processClaimed, type Outcome } from './claimed-file.js';
import {
  droppedFileAt,
  ensureDropFolder,
  isWorkInProgressName,
  listDropped,
  type DropFolder,
  type DroppedFile,
} from './drop-folder.js';
import { isOrderReportFile } from '../parse/order-report.js';
import { failUnassigned, importDroppedOrderReport, type ImportOutcome } from './other-files.js';
import { waitUntilReady, type Readiness, type ReadinessOptions } from './readiness.js';

export interface WatcherOptions extends ReadinessOptions {
  /** How often incoming/ is listed again, for events the watcher missed. */
  rescanMs: number;
  /** Pause before a file whose processing failed (Redis away, disk full) is tried again. */
  retryMs: number;
}

export type WatchEvent =
  | { event: 'processed'; file: string; merchant: string; outcome: Outcome }
  | { event: 'imported'; file: string; merchant: string; outcome: ImportOutcome }
  | { event: 'failed-to-process'; file: string; error: string }
  | { event: 'given-up'; file: string; error: string }
  | { event: 'no-merchant'; file: string; outcome: ImportOutcome };

export interface DropWatcher {
  /** Takes a file already claimed into processing/ (an HTTP upload) into its merchant's lane, after what arrived before it. */
  adopt(file: DroppedFile): void;
  /** Stops taking files and waits (at most `timeoutMs`) for the files in progress; unfinished ones stay claimed. */
  stop(timeoutMs: number): Promise<void>;
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

/** Failed attempts (2 s apart) after which a file stops blocking its lane. */
const GIVE_UP_AFTER = 30;

/** When a file appeared in the folder: its ctime, which the writer's rename (or last write) sets. */
async function arrival(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.ctimeMs ?? Date.now();
}

/** True when the file's size or mtime differ from what readiness saw. */
async function changedSince(path: string, readiness: Readiness): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info === null || typeof readiness !== 'object' || `${info.size}:${info.mtimeMs}` !== readiness.signature;
}

/** Files per lane checked for readiness ahead of their turn. */
const LOOKAHEAD = 32;

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
  const lanes = new Map<string, { queue: Entry[]; running: Promise<void> | null }>();
  const known = new Set<string>();
  let stopping = false;

  /**
   * Adds a file to its merchant's lane in arrival order: by the time it appeared in the folder (its ctime, which a
   * rename sets), then by name, since watcher events and rescans can report files out of order.
   */
  const enqueue = async (file: DroppedFile, claimed: boolean, knownArrival?: number): Promise<void> => {
    const key = `${file.folder ?? ''}/${file.name}`;
    if (stopping || known.has(key)) return;
    known.add(key);
    const arrived = knownArrival ?? (claimed ? -Infinity : await arrival(file.path));
    const laneKey = file.folder ?? '';
    const lane = lanes.get(laneKey) ?? { queue: [], running: null };
    lanes.set(laneKey, lane);
    const entry: Entry = { file, claimed, ready: null, arrived, failures: 0, started: false };
    let at = lane.queue.length;
    while (at > 0 && !(lane.queue[at - 1] as Entry).started && later(lane.queue[at - 1] as Entry, entry)) at -= 1;
    lane.queue.splice(at, 0, entry);
    startReadinessChecks(lane.queue);
    if (!lane.running) lane.running = runLane(lane).finally(() => (lane.running = null));
  };

  const runLane = async (lane: { queue: Entry[] }): Promise<void> => {
    // Files of one burst are reported one by one; a stability window's wait lets them all take their places
    // before the lane takes its first (no file is read sooner than that anyway).
    await new Promise((done) => setTimeout(done, options.stableMs));
    while (lane.queue.length > 0 && !stopping) {
      const entry = lane.queue[0] as Entry;
      entry.started = true;
      const finished = await handle(entry).catch((err: unknown) => {
        if (err instanceof WaitAbandoned) return false;
        entry.failures += 1;
        const error = err instanceof Error ? err.message : String(err);
        log({ event: 'failed-to-process', file: entry.file.path, error });
        // Redis away or a full disk heal; a file that cannot be read never does: after enough tries it stops
        // holding up the merchant's later files and is left where it is, reported in the log.
        if (entry.failures >= GIVE_UP_AFTER) {
          log({ event: 'given-up', file: entry.file.path, error });
          return true;
        }
        return false;
      });
      if (!finished) {
        if (stopping) return;
        await new Promise((done) => setTimeout(done, options.retryMs)); // the same file again: its lane keeps its order
        continue;
      }
      lane.queue.shift();
      known.delete(`${entry.file.folder ?? ''}/${entry.file.name}`);
      startReadinessChecks(lane.queue);
    }
  };

  /** The next few files of a lane wait out their stability windows while the head is processed. */
  const startReadinessChecks = (queue: Entry[]): void => {
    for (const entry of queue.slice(0, LOOKAHEAD)) {
      if (entry.claimed || entry.ready) continue;
      entry.ready = waitUntilReady(entry.file.path, options, () => stopping);
      entry.ready.catch(() => undefined);
    }
  };

  /** True when the file is dealt with (processed, or gone); false to try it again. */
  const handle = async (entry: Entry): Promise<boolean> => {
    let file = entry.file;
    if (!entry.claimed) {
      let readiness = await (entry.ready ?? waitUntilReady(file.path, options, () => stopping));
      entry.ready = null; // a retry waits afresh
      // Judged while it waited its turn: a writer may have come back since, so look once more when it changed.
      if (readiness !== 'gone' && (await changedSince(file.path, readiness)))
        readiness = await waitUntilReady(file.path, options, () => stopping);
      if (readiness === 'gone') return !stopping;
      const claimed = await claim(folder, file);
      if (!claimed) return true;
      entry.file = file = claimed;
      entry.claimed = true;
    }
    const merchant = file.folder ?? deps.config.merchantId;
    if (!merchant) {
      log({ event: 'no-merchant', file: file.name, outcome: await failUnassigned(folder, file) });
      return true;
    }
    if (await isOrderReportFile(file.path)) {
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
    const found = (await listDropped(folder.incoming).catch(() => [])).filter(
      (f) => !known.has(`${f.folder ?? ''}/${f.name}`),
    );
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
      await Promise.race([Promise.all(running), new Promise((done) => setTimeout(done, timeoutMs).unref())]);
    },
  };
}
