/**
 * What the recovery pass needs from the drop folder: the feeds that claimed files in processing/ name (a
 * watcher resumes those, so they are never ghosts), and the leftovers of interrupted uploads — `.upload-*.tmp`
 * bodies in processing/<merchant>/ (where uploads are received) and claim records in processing/ whose file never arrived — removed once
 * they are older than the age limit (an upload in progress writes its body continuously, so it stays young).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Claim } from './claimed-file.js';
import type { DropFolder } from './drop-folder.js';

const CLAIM_RECORD = /^\.(.+)\.claim$/;
const UPLOAD_BODY = /^\.upload-.+\.tmp$/;

/** The folders to look in: the top of `root` and each merchant's subfolder. */
async function foldersOf(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return [root, ...entries.filter((e) => e.isDirectory()).map((e) => join(root, e.name))];
}

async function olderThan(path: string, ageMs: number, now: number): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && now - info.mtimeMs >= ageMs;
}

/** FeedSubmissionIds named by the claim records of files waiting in processing/. */
export async function claimedFeedIds(folder: DropFolder): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const dir of await foldersOf(folder.processing)) {
    for (const name of await readdir(dir).catch(() => [])) {
      const file = CLAIM_RECORD.exec(name)?.[1];
      if (!file || (await stat(join(dir, file)).catch(() => null)) === null) continue;
      const claim = await readFile(join(dir, name), 'utf8')
        .then((raw) => JSON.parse(raw) as Partial<Claim>)
        .catch(() => ({}) as Partial<Claim>);
      for (const id of [claim.feedId, claim.reservedFeedId]) if (id) ids.add(id);
    }
  }
  return ids;
}

/** Removes stale upload bodies and claim records without their file; returns the paths removed. */
export async function removeStaleLeftovers(folder: DropFolder, ageMs: number, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of await foldersOf(folder.processing)) {
    for (const name of await readdir(dir).catch(() => [])) {
      const path = join(dir, name);
      if (UPLOAD_BODY.test(name)) {
        if (await olderThan(path, ageMs, now)) removed.push(path);
        continue;
      }
      const file = CLAIM_RECORD.exec(name)?.[1];
      if (!file || (await stat(join(dir, file)).catch(() => null)) !== null) continue;
      if (await olderThan(path, ageMs, now)) removed.push(path);
    }
  }
  for (const path of removed) await rm(path, { force: true });
  return removed;
}
