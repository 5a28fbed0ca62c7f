/**
 * Fault injection for the chaos tests (`test/chaos/`), read once through the configuration
 * (`FEEDPROC_FAULT`, validated by schemas/config.schema.json). Nothing an operator sets: each fault makes a
 * process misbehave at one precise point that a signal from outside cannot hit reliably.
 *
 *   block-after-window=MS   a worker process blocks its event loop for MS ms, once, right after applying its
 *                           first window of messages (its job lock lapses and another worker takes the job)
 *   fail-message=SEQxN      the first N attempts of the job holding message sequence number SEQ apply the
 *                           messages before it and then fail (a transient failure BullMQ retries)
 *   exit-before-enqueue     `submit` kills itself (SIGKILL) after the file is validated and spilled, before
 *                           its jobs are enqueued
 *   exit-after-report       the watcher kills itself (SIGKILL) after writing a report, before moving the file
 *                           to done/
 *   exit-before-claim       a submission kills itself after starting its feed record (`_IN_PROGRESS_`), before
 *                           claiming the file's content: the ghost record recovery cancels
 *   exit-after-reserve      an HTTP upload kills the server after reserving its FeedSubmissionId (a `_SUBMITTED_`
 *                           record), before moving its `.upload-*.tmp` file into processing/
 */
export interface Faults {
  /** 0: none. */
  readonly blockAfterWindowMs: number;
  readonly failMessage: { readonly seq: number; readonly times: number } | null;
  readonly exitBeforeEnqueue: boolean;
  readonly exitAfterReport: boolean;
  readonly exitBeforeClaim: boolean;
  readonly exitAfterReserve: boolean;
}

export const NO_FAULTS: Faults = Object.freeze({
  blockAfterWindowMs: 0,
  failMessage: null,
  exitBeforeEnqueue: false,
  exitAfterReport: false,
  exitBeforeClaim: false,
  exitAfterReserve: false,
});

/** The faults of a `fault` setting (already checked against the schema's pattern); NO_FAULTS for null. */
export function parseFaults(spec: string | null): Faults {
  if (!spec) return NO_FAULTS;
  let faults: Faults = NO_FAULTS;
  for (const part of spec.split(',')) {
    const [name, value = ''] = part.split('=');
    if (name === 'block-after-window') faults = { ...faults, blockAfterWindowMs: Number(value) };
    else if (name === 'fail-message') {
      const [seq, times] = value.split('x').map(Number);
      faults = { ...faults, failMessage: { seq: seq ?? 0, times: times ?? 0 } };
    } else if (name === 'exit-before-enqueue') faults = { ...faults, exitBeforeEnqueue: true };
    else if (name === 'exit-after-report') faults = { ...faults, exitAfterReport: true };
    else if (name === 'exit-before-claim') faults = { ...faults, exitBeforeClaim: true };
    else if (name === 'exit-after-reserve') faults = { ...faults, exitAfterReserve: true };
  }
  return Object.freeze(faults);
}

/** A hard crash at this point: no finally blocks, no flushing, as if the machine had killed the process. */
export function crashNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL sent to self');
}

/** Blocks the event loop (a CPU-bound handler) for `ms`: timers, lock renewals and I/O all wait. */
export function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: that is the fault
  }
}
