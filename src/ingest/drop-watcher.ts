/**
 * The drop-folder watcher (product-spec.md §7): files left in processing/ by a crash are resumed first, then
 * the files waiting in incoming/ (name order), then whatever chokidar reports or the periodic rescan finds.
 * Each merchant (subfolder) has one lane: its files are processed one after another in arrival order, while
 * the lanes of different merchants run in parallel.
 */
import { watch, type FSWatcher } from 'chokidar';
import type { Report } from '../core/types.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { waitForReport, WaitAbandoned } from '../queue/wait-for-report.js';
import { claim, processClaimed, type Outcome } from './claimed-file.js';
import { droppedFileAt, ensureDropFolder, isWorkInProgressName, listDropped, type DropFolder, type DroppedFile } from './drop-folder.js';
import { waitUntilReady, type ReadinessOptions } from './readiness.js';

export interface WatcherOptions extends ReadinessOptions {
  /** How often incoming/ is listed again, for events the watcher missed. */
  rescanMs: number;
  /** Pause before a file whose processing failed (Redis away, disk full) is tried again. */
  retryMs: number;
}

export type WatchEvent =
  | { event: 'processed'; file: string; merchant: string; outcome: Outcome }
  | { event: 'failed-to-process'; file: string; error: string }
  | { event: 'no-merchant'; file: string };

export interface DropWatcher {
  /** Stops taking files and waits (at most `timeoutMs`) for the files in progress; unfinished ones stay claimed. */
  stop(timeoutMs: number): Promise<void>;
}

interface Entry {
  file: DroppedFile;
  claimed: boolean;
}

export async function startDropWatcher(deps: PipelineDeps, folder: DropFolder, options: WatcherOptions, log: (event: WatchEvent) => void): Promise<DropWatcher> {
  await ensureDropFolder(folder);
  const lanes = new Map<string, { queue: Entry[]; running: Promise<void> | null }>();
  const known = new Set<string>();
  let stopping = false;

  const enqueue = (file: DroppedFile, claimed: boolean): void => {
    const key = `${file.folder ?? ''}/${file.name}`;
    if (stopping || known.has(key)) return;
    known.add(key);
    const laneKey = file.folder ?? '';
    const lane = lanes.get(laneKey) ?? { queue: [], running: null };
    lanes.set(laneKey, lane);
    lane.queue.push({ file, claimed });
    if (!lane.running) lane.running = runLane(lane).finally(() => (lane.running = null));
  };

  const runLane = async (lane: { queue: Entry[] }): Promise<void> => {
    while (lane.queue.length > 0 && !stopping) {
      const entry = lane.queue[0] as Entry;
      const finished = await handle(entry).catch((err: unknown) => {
        if (!(err instanceof WaitAbandoned)) log({ event: 'failed-to-process', file: entry.file.path, error: err instanceof Error ? err.message : String(err) });
        return false;
      });
      if (!finished) {
        if (stopping) return;
        await new Promise((done) => setTimeout(done, options.retryMs)); // the same file again: its lane keeps its order
        continue;
      }
      lane.queue.shift();
      known.delete(`${entry.file.folder ?? ''}/${entry.file.name}`);
    }
  };

  /** True when the file is dealt with (processed, or gone); false to try it again. */
  const handle = async (entry: Entry): Promise<boolean> => {
    let file = entry.file;
    if (!entry.claimed) {
      const readiness = await waitUntilReady(file.path, options, () => stopping);
      if (readiness === 'gone') return !stopping;
      const claimed = await claim(folder, file);
      if (!claimed) return true;
      entry.file = file = claimed;
      entry.claimed = true;
    }
    const merchant = file.folder ?? deps.config.merchantId;
    if (!merchant) {
      log({ event: 'no-merchant', file: file.path });
      return true;
    }
    const wait = (feedId: string): Promise<Report> => waitForReport(deps, feedId, () => stopping);
    const outcome = await processClaimed(deps, folder, file, merchant, wait);
    log({ event: 'processed', file: file.name, merchant, outcome });
    return true;
  };

  for (const file of await listDropped(folder.processing)) enqueue(file, true);
  const rescan = async (): Promise<void> => {
    for (const file of await listDropped(folder.incoming).catch(() => [])) enqueue(file, false);
  };
  await rescan();
  const watcher: FSWatcher = watch(folder.incoming, {
    depth: 1,
    ignoreInitial: true,
    ignored: (path) => isWorkInProgressName(path.split('/').pop() ?? ''),
  });
  const onFile = (path: string): void => {
    const file = droppedFileAt(folder.incoming, path);
    if (file) enqueue(file, false);
  };
  watcher.on('add', onFile).on('change', onFile).on('error', () => undefined); // the rescan covers what is missed
  const timer = setInterval(() => void rescan(), options.rescanMs);

  return {
    async stop(timeoutMs) {
      stopping = true;
      clearInterval(timer);
      await watcher.close();
      const running = [...lanes.values()].flatMap((lane) => (lane.running ? [lane.running] : []));
      await Promise.race([Promise.all(running), new Promise((done) => setTimeout(done, timeoutMs).unref())]);
    },
  };
}
