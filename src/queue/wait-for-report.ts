/** Waiting for a feed's final report, by polling its record (cheap: one HGETALL per poll). */
import { ledgerKeys } from '../apply/keys.js';
import type { Report } from '../core/types.js';
import { loadFeed, loadReport } from './feed-store.js';
import type { PipelineDeps } from './pipeline-deps.js';

export class WaitAbandoned extends Error {}

/**
 * Polls the feed record until workers have finished it: every 2 ms at first, so that a small feed's report is
 * seen as soon as it exists, backing off gently (×1.5) to every 50 ms for big ones. `abandon` (when it returns true) ends
 * the wait with WaitAbandoned, for a process that is shutting down.
 */
export async function waitForReport(
  deps: PipelineDeps,
  feedId: string,
  abandon: () => boolean = () => false,
): Promise<Report> {
  for (let pause = 2; ; pause = Math.min(pause * 1.5, 50)) {
    const record = await loadFeed(deps.redis, deps.config.prefix, feedId);
    if (record?.status === '_DONE_' || record?.status === '_CANCELLED_') {
      const report = await loadReport(deps.redis, deps.config.prefix, feedId);
      if (report) return report;
    }
    if (abandon()) throw new WaitAbandoned(`stopped waiting for feed ${feedId}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * How far the workers are with a feed: messages with an outcome of the valid messages handed to them (one HLEN;
 * for a progress line). Null while the feed is unknown.
 */
export async function appliedProgress(
  deps: PipelineDeps,
  feedId: string,
): Promise<{ done: number; total: number } | null> {
  const record = await loadFeed(deps.redis, deps.config.prefix, feedId);
  if (!record) return null;
  if (record.status === '_DONE_') return { done: record.pending, total: record.pending };
  const applied = await deps.redis.hlen(ledgerKeys(deps.config.prefix, record.merchantId).applied(feedId));
  return { done: Math.min(applied, record.pending), total: record.pending };
}
