/**
 * Waits until a dropped file can be read: its size and mtime have not changed for the stability window, it is
 * complete (completeness.ts) and, on Linux, no process has it open for writing. A file that stays incomplete
 * is taken anyway after `maxWaitMs` of stability, so that it gets a report (a truncated feed is rejected)
 * instead of waiting for ever.
 */
import { lstat, readdir, readlink, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Stats } from 'node:fs';
import { fileCompleteness } from './completeness.js';
import { openInFolder } from './trust.js';

export interface ReadinessOptions {
  stableMs: number;
  maxWaitMs: number;
  pollMs: number;
}

/** Gone, or the verdict with the size:mtime it was made on (so a later look can tell whether it still holds). */
export type Readiness = 'gone' | { state: 'ready' | 'gave-up-waiting'; signature: string };

/** `merchantFolder`: the file is in incoming/<M>/ (read through that folder's checked descriptor, trust.ts). */
export async function waitUntilReady(
  path: string,
  options: ReadinessOptions,
  stopped: () => boolean,
  merchantFolder = false,
): Promise<Readiness> {
  let last = '';
  let stableSince = Date.now();
  while (!stopped()) {
    const now = Date.now();
    // lstat: a link, a pipe or anything else swapped in is not waited for (the caller refuses it).
    const info = await lstat(path).catch(() => null);
    if (!info?.isFile()) return 'gone';
    const signature = `${info.size}:${info.mtimeMs}`;
    if (signature !== last) {
      last = signature;
      stableSince = now;
    } else if (now - stableSince >= options.stableMs && !(await openForWriting(path))) {
      const opener = (p: string, e?: Stats) => openInFolder(p, e ?? info, merchantFolder);
      const completeness = await fileCompleteness(path, info, opener).catch(() => 'incomplete' as const);
      if (completeness === 'complete') return { state: 'ready', signature };
      if (now - stableSince >= options.maxWaitMs) return { state: 'gave-up-waiting', signature };
    }
    await new Promise((done) => setTimeout(done, options.pollMs));
  }
  return 'gone';
}

const WRITE_FLAGS = 0o3; // O_WRONLY | O_RDWR
/** One /proc scan serves every file checked within this long (a burst of files would otherwise rescan per file). */
const SNAPSHOT_MS = 100;
let snapshot: { at: number; paths: Promise<Set<string>> } | null = null;

/** True when some process has the file open for writing (Linux /proc; elsewhere always false). */
async function openForWriting(path: string): Promise<boolean> {
  if (!snapshot || Date.now() - snapshot.at > SNAPSHOT_MS) snapshot = { at: Date.now(), paths: pathsOpenForWriting() };
  return (await snapshot.paths).has(resolve(path));
}

async function pathsOpenForWriting(): Promise<Set<string>> {
  const open = new Set<string>();
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids.filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (!target.startsWith('/') || target.startsWith('/dev/') || target.startsWith('/proc/')) continue;
      const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
      const flags = /flags:\s*([0-7]+)/.exec(info)?.[1];
      if (flags && (parseInt(flags, 8) & WRITE_FLAGS) !== 0) open.add(target);
    }
  }
  return open;
}
