/**
 * Runs the recovery pass (queue/recovery.ts, ingest/leftovers.ts) at start and every `recoveryIntervalMs` in
 * the watcher and the workers, logging every decision. One pass at a time per process; a pass that fails
 * (Redis away) is logged and the next one tries again.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { DropFolder } from '../ingest/drop-folder.js';
import { claimedFeedIds, removeStaleLeftovers } from '../ingest/leftovers.js';
import type { PipelineDeps } from '../queue/pipeline-deps.js';
import { recoverFeeds } from '../queue/recovery.js';

export interface RecoveryLoop {
  /** Stops the timer and waits for a pass in progress (bounded by the caller's stop budget). */
  stop(): Promise<void>;
}

/** `folder`: the drop folder when this process can see it (null: ghost and reserved records are left alone). */
export function startRecoveryLoop(deps: PipelineDeps, folder: DropFolder | null, logger: Logger): RecoveryLoop {
  const { config } = deps;
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = async (): Promise<void> => {
    // The drop folder is this process's to judge when its root exists here (processing/ may not exist yet).
    const visible = folder && existsSync(dirname(folder.incoming)) ? folder : null;
    const claimed = visible ? await claimedFeedIds(visible) : null;
    for (const decision of await recoverFeeds(deps, { ageMs: config.recoveryAgeMs, claimed }))
      logger.warn({ event: 'recovery', ...decision }, `feed ${decision.feedId}: ${decision.reason}`);
    if (!visible) return;
    for (const path of await removeStaleLeftovers(visible, config.recoveryAgeMs))
      logger.warn(
        { event: 'recovery', action: 'removed-leftover', file: path },
        `${path}: removed, a leftover of an interrupted upload older than ${config.recoveryAgeMs} ms`,
      );
  };
  const tick = (): void => {
    if (running || stopped) return;
    running = pass()
      .catch((err: unknown) =>
        logger.warn(
          { event: 'recovery-failed', error: err instanceof Error ? err.message : String(err) },
          'recovery pass failed; trying again later',
        ),
      )
      .finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, config.recoveryIntervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
