/**
 * How the drop folder ends a file it does not process: an entry refused at the trust boundary (trust.ts) gets a
 * report naming why, and stays where it is (it is never opened or moved, except a link or pipe that a swap put
 * into processing/, which moves on to failed/ — inside the feeds folder, its target untouched); a file that keeps
 * failing goes to failed/ with a report saying why, so that its merchant's lane moves on. Every file ends with a
 * report.
 */
import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FeedError } from '../core/errors.js';
import { loadFeed, moveFeedStatus } from '../queue/feed-store.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { ReportBuilder } from '../report/index.js';
import { writeAtomically } from './atomic-write.js';
import { moveOut, sidecarPath, type Claim } from './claimed-file.js';
import type { DropFolder, DroppedFile } from './drop-folder.js';
import { givenUpReportName, nameStem, refusedReportName } from './file-names.js';
import { renameOutOf, type Refusal } from './trust.js';

/** Writes reports/<entry>.refused.txt; returns its path. */
export async function reportRefusal(folder: DropFolder, refusal: Refusal): Promise<string> {
  const text = new FeedError('DROP_REFUSED', { entry: JSON.stringify(refusal.entry), reason: refusal.reason }).message;
  const path = join(folder.reports, refusedReportName(refusal.entry));
  await writeAtomically(path, `${text}\n`);
  return path;
}

/**
 * A link or pipe swapped in between the check and the claim's rename was moved into processing/: it moves on to
 * failed/ (the entry itself, never what it points to), and its refusal is reported.
 */
export async function refuseClaimed(folder: DropFolder, claimed: DroppedFile, kind: string): Promise<Refusal> {
  const entry = claimed.folder === null ? claimed.name : `${claimed.folder}/${claimed.name}`;
  const info = await lstat(claimed.path).catch(() => null);
  const refusal = { entry, reason: `${kind}, not a regular file`, identity: `${info?.dev}:${info?.ino}` };
  if (info) await moveOut(folder, claimed, folder.failed, 'refused');
  await rm(sidecarPath(claimed), { force: true });
  return refusal;
}

export interface GivenUp {
  /** reports/<name>.<M>.failed.txt, or beside the file in failed/ when reports/ cannot be written. */
  reportPath: string | null;
  movedTo: string | null;
  feedId: string | null;
}

/**
 * Ends a file that failed `attempts` times: a report saying why, the file moved to failed/<M>/ (from processing/,
 * or from incoming/ through the checked folder descriptor), and its reserved feed, if still `_SUBMITTED_`,
 * finished as rejected with the same reason, so that no client waits on it for ever.
 */
export async function giveUp(
  deps: PipelineDeps,
  folder: DropFolder,
  file: DroppedFile,
  claimed: boolean,
  attempts: number,
  error: string,
): Promise<GivenUp> {
  const failure = new FeedError('DROP_GIVEN_UP', { file: JSON.stringify(file.name), attempts, error });
  const text = `${failure.message}\n`;
  const inReports = join(folder.reports, givenUpReportName(file.name, file.folder));
  const reported = await writeAtomically(inReports, text).then(
    () => true,
    () => false,
  );
  const feedId = claimed ? await finishReserved(deps, file, failure) : null;
  const movedTo = await moveToFailed(folder, file, claimed).catch(() => null);
  if (claimed) await rm(sidecarPath(file), { force: true });
  if (reported || movedTo === null) return { reportPath: reported ? inReports : null, movedTo, feedId };
  // reports/ itself may be what keeps failing: the reason then goes beside the file, so it is never lost.
  const beside = `${movedTo}.failed.txt`;
  await writeAtomically(beside, text);
  return { reportPath: beside, movedTo, feedId };
}

async function moveToFailed(folder: DropFolder, file: DroppedFile, claimed: boolean): Promise<string | null> {
  if (claimed) return moveOut(folder, file, folder.failed, 'failed');
  if (!(await lstat(file.path).catch(() => null))?.isFile()) return null; // gone, or not ours to move
  const dir = join(folder.failed, file.folder ?? '');
  await mkdir(dir, { recursive: true });
  const plain = join(dir, file.name);
  const target = (await lstat(plain).catch(() => null)) ? join(dir, `${nameStem(file.name)}.${Date.now()}`) : plain;
  await renameOutOf(join(file.path, '..'), file.name, target);
  return target;
}

async function finishReserved(deps: PipelineDeps, file: DroppedFile, failure: FeedError): Promise<string | null> {
  const raw = await readFile(sidecarPath(file), 'utf8').catch(() => '{}');
  let claim: Partial<Claim>;
  try {
    claim = JSON.parse(raw) as Partial<Claim>;
  } catch {
    return null;
  }
  const feedId = claim.feedId ?? claim.reservedFeedId;
  if (!feedId) return null;
  const record = await loadFeed(deps.redis, deps.config.prefix, feedId).catch(() => null);
  if (!record || record.status !== '_SUBMITTED_') return feedId;
  const head = { feedSubmissionId: feedId, feedType: record.feedType, format: 'xml' as const, encoding: null };
  const report = new ReportBuilder().reject({ ...head, merchantId: record.merchantId }, failure);
  // When this fails the feed stays reserved, and the recovery pass cancels it (97043).
  await moveFeedStatus(deps.redis, deps.config.prefix, record, {
    from: '_SUBMITTED_',
    to: '_DONE_',
    fields: { completedProcessingDate: deps.now() },
    report,
  }).catch(() => null);
  return feedId;
}
