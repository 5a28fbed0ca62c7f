/**
 * A feed uploaded over HTTP enters the same claim path as a dropped file: its body is streamed to a temporary
 * file in the merchant's processing/ folder (a dot name, which the watcher never picks up; not incoming/, which
 * anyone dropping files could have replaced by a link to somewhere else), hashed on the way
 * (MD5 for Content-MD5, never holding the body in memory), checked, given a FeedSubmissionId, and then claimed
 * into processing/ with a claim record that carries the reserved id. The watcher takes it from there, in the
 * merchant's lane with the dropped files, and a crash before that resumes it like any claimed file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FeedTypeInfo } from '../core/feed-types.js';
import { FeedError } from '../core/errors.js';
import { requireMerchantId } from '../core/merchant-id.js';
import { crashNow, parseFaults } from '../core/faults.js';
import { nextFeedId, saveFeed, submittedRecord, type FeedRecord } from '../queue/feed-store.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { writeAtomically } from './atomic-write.js';
import { sidecarPath, type Claim } from './claimed-file.js';
import type { DropFolder, DroppedFile } from './drop-folder.js';

export interface Upload {
  merchantId: string;
  feedType: FeedTypeInfo;
  body: Readable;
  /** Base64 MD5 of the body as the client sent it (ContentMD5Value or Content-MD5); null when none was sent. */
  contentMd5: string | null;
  maxBytes: number;
}

export interface ReceivedUpload {
  record: FeedRecord;
  file: DroppedFile;
}

/** Counts and hashes the bytes going past; fails with HTTP_BODY_TOO_LARGE as soon as the limit is passed. */
class Measure extends Transform {
  bytes = 0;
  readonly md5 = createHash('md5');
  readonly sha256 = createHash('sha256');
  head = '';

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(new FeedError('HTTP_BODY_TOO_LARGE', { limit: this.limit }));
    if (this.head.length < 64) this.head += chunk.subarray(0, 64).toString('latin1');
    this.md5.update(chunk);
    this.sha256.update(chunk);
    done(null, chunk);
  }
}

export async function receiveUpload(deps: PipelineDeps, folder: DropFolder, upload: Upload): Promise<ReceivedUpload> {
  const inbox = join(folder.processing, requireMerchantId(upload.merchantId));
  await mkdir(inbox, { recursive: true });
  const temp = join(inbox, `.upload-${randomUUID()}.tmp`);
  try {
    const measure = new Measure(upload.maxBytes);
    await pipeline(upload.body, measure, createWriteStream(temp, { flags: 'wx' }));
    checkBody(measure, upload.contentMd5);
    const written = await open(temp, 'r').catch(lostBody(deps));
    await written.sync().finally(() => written.close()); // on disk before the client is told it was received
    return await claimUpload(deps, folder, upload, temp, measure);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function checkBody(measure: Measure, given: string | null): void {
  if (measure.bytes === 0) throw new FeedError('HTTP_BODY_EMPTY');
  if (given === null) return;
  const calculated = measure.md5.digest('base64');
  if (calculated !== given.trim()) throw new FeedError('HTTP_CONTENT_MD5_MISMATCH', { calculated, given });
}

async function claimUpload(
  deps: PipelineDeps,
  folder: DropFolder,
  upload: Upload,
  temp: string,
  measure: Measure,
): Promise<ReceivedUpload> {
  const feedId = await nextFeedId(deps.redis, deps.config.prefix);
  const extension = /^\s*(\xef\xbb\xbf)?\s*</.test(measure.head) ? 'xml' : 'txt';
  const name = `upload-${feedId}.${extension}`;
  const record = submittedRecord({
    feedSubmissionId: feedId,
    feedType: upload.feedType.feedType,
    merchantId: upload.merchantId,
    sha256: measure.sha256.digest('hex'),
    fileName: name,
    submittedDate: deps.now(),
  });
  const dir = join(folder.processing, upload.merchantId);
  await mkdir(dir, { recursive: true });
  const file: DroppedFile = { path: join(dir, name), name, folder: upload.merchantId };
  const claim: Claim = {
    claimedAt: new Date().toISOString(),
    reservedFeedId: feedId,
    feedType: upload.feedType.feedType,
  };
  await writeAtomically(sidecarPath(file), JSON.stringify(claim));
  await saveFeed(deps.redis, deps.config.prefix, record);
  if (parseFaults(deps.config.fault).exitAfterReserve) crashNow();
  // Gone now, the reserved feed and its claim record are a ghost upload's, which the recovery pass cancels (97043).
  await rename(temp, file.path).catch(lostBody(deps));
  return { record, file };
}

/**
 * The body's temporary file is gone: a recovery pass removed it as the leftover of an interrupted upload, because
 * this upload took longer than the recovery age (docs/recovery.md). Named, so the client is told to send it again.
 */
function lostBody(deps: PipelineDeps): (err: unknown) => never {
  return (err) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new FeedError('UPLOAD_BODY_LOST', { ageMs: deps.config.recoveryAgeMs }, { cause: err });
  };
}
