/**
 * One dropped file from claim to done/: moved into processing/ (an atomic rename, so a file is claimed once),
 * submitted, its report written into reports/ (temporary name, then rename) and the original moved to done/
 * or, when the feed was rejected, failed/. A sidecar `.<name>.claim` in processing/ remembers the claim time
 * and, once submitted, the FeedSubmissionId, so a file left there by a crash resumes instead of being applied
 * again (the ledger's exactly-once marks and the duplicate check do the rest).
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FeedError } from '../core/errors.js';
import { crashNow, parseFaults } from '../core/faults.js';
import { feedTypeByName } from '../core/feed-types.js';
import type { Report } from '../core/types.js';
import { loadFeed, nextFeedId, saveFeed, submittedRecord } from '../queue/feed-store.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { submitFeed } from '../queue/submit-feed.js';
import { nativeReportFormat, renderReport, REPORT_EXTENSIONS } from '../report/index.js';
import { writeAtomically } from './atomic-write.js';
import type { DropFolder, DroppedFile } from './drop-folder.js';
import { claimRecordName, feedReportName, nameStem, withOriginalName } from './file-names.js';
import { describeKind, NotTheCheckedFile, openChecked, renameOutOf } from './trust.js';

export interface Claim {
  claimedAt: string;
  feedId?: string;
  /** An HTTP upload: the FeedSubmissionId its client was given, and the FeedType it declared. */
  reservedFeedId?: string;
  feedType?: string;
  /** Submissions begun for this claim; one that never finished ended its process (a crash, memory exhausted). */
  attempts?: number;
}

/**
 * Reading a file that ended the process this often in a row is not tried again: it fails with FEED_GIVEN_UP. The
 * same give-up rule as queue/partition-runs.ts (runs that got no further are counted; docs/limits.md): a read keeps
 * nothing when its process ends, so every such run counts, and three are the limit since each took the server down.
 */
export const MAX_READ_ATTEMPTS = 3;

export interface Outcome {
  feedId: string;
  report: Report;
  reportPath: string;
  movedTo: string;
}

/**
 * Moves the file into processing/<folder>/ through a checked descriptor of its folder (trust.ts); null when it is
 * gone (claimed by another watcher, or deleted). What the rename moved is checked afterwards: anything but the
 * regular file seen before (a link or a pipe swapped in) throws NotTheCheckedFile, and is then in processing/.
 */
export async function claim(folder: DropFolder, file: DroppedFile, seen: Stats): Promise<DroppedFile | null> {
  const dir = join(folder.processing, file.folder ?? '');
  await mkdir(dir, { recursive: true });
  const claimed = { ...file, path: join(dir, file.name) };
  await writeAtomically(sidecarPath(claimed), JSON.stringify({ claimedAt: new Date().toISOString() } satisfies Claim));
  try {
    await renameOutOf(join(file.path, '..'), file.name, claimed.path);
  } catch (err) {
    await rm(sidecarPath(claimed), { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const moved = await lstat(claimed.path);
  if (!moved.isFile() || moved.dev !== seen.dev || moved.ino !== seen.ino)
    throw new ClaimedOther(claimed, moved.isFile() ? 'another file than the one checked' : describeKind(moved));
  await (await openChecked(claimed.path, moved)).close();
  return claimed;
}

/** The claim moved something other than the regular file checked before it (swapped in meanwhile). */
export class ClaimedOther extends NotTheCheckedFile {
  constructor(
    readonly claimed: DroppedFile,
    readonly kind: string,
  ) {
    super(`${claimed.name} turned out to be ${kind} when claimed`);
  }
}

/** Submits (or, after a crash, finds) the feed of a claimed file, waits for its report and files everything. */
export async function processClaimed(
  deps: PipelineDeps,
  folder: DropFolder,
  file: DroppedFile,
  merchantId: string,
  wait: (feedId: string) => Promise<Report>,
): Promise<Outcome> {
  const feedId = await feedOf(deps, file, merchantId);
  const report = await wait(feedId);
  const format = nativeReportFormat(report);
  const extension = REPORT_EXTENSIONS[format];
  const reportPath = join(folder.reports, feedReportName(file.name, feedId, extension));
  const pieces = renderReport(report, format, file.name);
  const shortened = nameStem(file.name) !== file.name;
  await writeAtomically(reportPath, shortened ? withOriginalName(pieces, extension, file.name) : pieces);
  if (parseFaults(deps.config.fault).exitAfterReport) crashNow(); // the chaos test's crash before the move
  const movedTo = await moveOut(folder, file, report.statusCode === 'Rejected' ? folder.failed : folder.done, feedId);
  await rm(sidecarPath(file), { force: true });
  return { feedId, report, reportPath, movedTo };
}

async function feedOf(deps: PipelineDeps, file: DroppedFile, merchantId: string): Promise<string> {
  let claimRecord = await readClaim(file);
  if (claimRecord.feedId) return claimRecord.feedId;
  claimRecord = await reserveFeed(deps, file, merchantId, claimRecord);
  const expectedType = claimRecord.feedType ? feedTypeByName(claimRecord.feedType) : undefined;
  // Counted before reading, so that a file whose reading kills the process (memory) is not resumed forever; an
  // error the process survives (Redis full, a disk error) does not count: the watcher's retries handle those.
  const attempts = (claimRecord.attempts ?? 0) + 1;
  await writeAtomically(sidecarPath(file), JSON.stringify({ ...claimRecord, attempts } satisfies Claim));
  const options = {
    merchantId,
    expectedType,
    reservedFeedId: claimRecord.reservedFeedId,
    refuse: attempts > MAX_READ_ATTEMPTS ? givenUp(attempts - 1) : undefined,
  };
  const record = await submitFeed(deps, file.path, options).catch(async (err: unknown) => {
    await writeAtomically(sidecarPath(file), JSON.stringify(claimRecord));
    throw err;
  });
  let feedId = record.feedSubmissionId;
  // A crash between submitting and recording the id: the resubmission is a "duplicate" of our own feed.
  if (record.duplicateOf) {
    const first = await loadFeed(deps.redis, deps.config.prefix, record.duplicateOf);
    if (first && first.fileName === file.name && first.submittedDate >= claimRecord.claimedAt)
      feedId = first.feedSubmissionId;
  }
  await writeAtomically(sidecarPath(file), JSON.stringify({ ...claimRecord, feedId } satisfies Claim));
  return feedId;
}

/**
 * The file's FeedSubmissionId, reserved once and kept in its claim record before anything is submitted: a retry
 * (Redis full, Redis away) submits under the same id instead of leaving a cancelled record per attempt.
 */
async function reserveFeed(deps: PipelineDeps, file: DroppedFile, merchantId: string, claim: Claim): Promise<Claim> {
  const { redis, config } = deps;
  let reserved = claim;
  if (!reserved.reservedFeedId) {
    reserved = { ...claim, reservedFeedId: await nextFeedId(redis, config.prefix) };
    await writeAtomically(sidecarPath(file), JSON.stringify(reserved satisfies Claim));
  }
  const feedId = reserved.reservedFeedId as string;
  if (!(await loadFeed(redis, config.prefix, feedId))) {
    const record = submittedRecord({
      feedSubmissionId: feedId,
      feedType: reserved.feedType ?? null,
      merchantId,
      sha256: '',
      fileName: file.name,
      submittedDate: deps.now(),
    });
    await saveFeed(redis, config.prefix, record);
  }
  return reserved;
}

/** The FeedType an HTTP upload declared; undefined for a dropped file (its type comes from its content). */
export async function declaredFeedType(file: DroppedFile): Promise<string | undefined> {
  return (await readClaim(file)).feedType;
}

function givenUp(attempts: number): FeedError {
  const detail = 'killed, or out of memory; the server log says which';
  return new FeedError('FEED_GIVEN_UP', { attempts, detail });
}

async function readClaim(file: DroppedFile): Promise<Claim> {
  const raw = await readFile(sidecarPath(file), 'utf8').catch(() => null);
  const parsed = raw === null ? null : parseClaim(raw);
  if (parsed === null) {
    // No usable claim record (lost, or damaged by a crash): treat the file as claimed when it was last changed.
    const changed = await stat(file.path);
    return { claimedAt: changed.mtime.toISOString() };
  }
  return parsed;
}

/** A damaged claim record counts as none: the file is then resubmitted, and the duplicate check decides. */
function parseClaim(raw: string): Claim | null {
  try {
    const value = JSON.parse(raw) as Partial<Claim>;
    return typeof value.claimedAt === 'string' ? (value as Claim) : null;
  } catch {
    return null;
  }
}

export function sidecarPath(file: DroppedFile): string {
  return join(file.path, '..', claimRecordName(file.name));
}

/** done/<folder>/<name>, or <name>.<tag> (the FeedSubmissionId) when a file of that name is already there. */
export async function moveOut(folder: DropFolder, file: DroppedFile, root: string, tag: string): Promise<string> {
  const dir = join(root, file.folder ?? '');
  await mkdir(dir, { recursive: true });
  const plain = join(dir, file.name);
  const target = (await lstat(plain).catch(() => null)) ? join(dir, `${nameStem(file.name)}.${tag}`) : plain;
  await rename(file.path, target);
  return target;
}
