/**
 * How the long-running commands (`serve`, `watch`, `worker`, `notify`) stop. The first SIGTERM / SIGINT asks them to stop
 * taking work and to finish or hand back what they hold; each step of the stop then gets what is left of one
 * bound (`stopTimeoutMs`), and a step still running at the bound is forced (connections dropped, jobs left to
 * their locks, files left claimed in processing/): recovery picks all of that up, nothing is half-applied because
 * every ledger write is one atomic script. A second signal exits at once. Redis being away must not stretch
 * the stop: nothing here waits on Redis without the bound.
 */
import type { ApplyWorker } from '../queue/apply-worker.js';
import { EXIT } from './exit-codes.js';

export interface StopSignal {
  /** Resolves on the first SIGTERM / SIGINT. */
  readonly requested: Promise<void>;
  stopping(): boolean;
}

export function onStopSignal(): StopSignal {
  let stopping = false;
  const requested = new Promise<void>((done) => {
    const first = (): void => {
      stopping = true;
      // The operator insists: whatever is held stays for recovery (locks lapse, claims stay in processing/).
      process.once('SIGINT', () => process.exit(EXIT.ABANDONED));
      process.once('SIGTERM', () => process.exit(EXIT.ABANDONED));
      done();
    };
    process.once('SIGINT', first);
    process.once('SIGTERM', first);
  });
  return { requested, stopping: () => stopping };
}

/** A deadline shared by the steps of one stop. */
export interface StopBudget {
  /** Runs the step within what is left of the bound; false when it had to be left running (abandoned). */
  step(run: () => Promise<unknown>): Promise<boolean>;
  /** Like step, for what must still happen after the graceful steps ran out (forcing, dropping connections). */
  finalStep(run: () => Promise<unknown>): Promise<boolean>;
  left(): number;
}

/** The part of the bound kept for forcing what the graceful steps could not finish. */
const FORCE_SHARE = 0.2;

export function stopBudget(boundMs: number): StopBudget {
  const hard = Date.now() + boundMs;
  const graceful = hard - Math.round(boundMs * FORCE_SHARE);
  const leftUntil = (deadline: number) => (): number => Math.max(0, deadline - Date.now());
  const within = async (ms: number, run: () => Promise<unknown>): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((done) => {
      timer = setTimeout(() => done(false), ms);
      timer.unref();
    });
    const finished = run().then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  const left = leftUntil(graceful);
  const leftHard = leftUntil(hard);
  return {
    left,
    step: (run) => within(left(), run),
    finalStep: (run) => within(leftHard(), run),
  };
}

/**
 * After a stop the process must end even if a library left a handle behind (an ioredis reconnect timer, a
 * socket in its close handshake): the exit code is set, and an unreferenced timer ends the process if the event
 * loop does not empty on its own shortly.
 */
export function exitSoon(code: number): number {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 100).unref();
  return code;
}

/**
 * Lets the worker finish its running jobs within the budget; past it, closes it by force (its jobs stay locked
 * and run again elsewhere once the lock lapses). True when no job had to be abandoned — counting a job whose
 * processor returned but whose completion BullMQ could not yet record.
 */
export async function stopWorker(worker: ApplyWorker, budget: StopBudget): Promise<boolean> {
  if (await budget.step(() => worker.close())) return true;
  const abandoned = worker.heldJobs();
  await budget.finalStep(() => worker.close(true));
  return abandoned === 0;
}
