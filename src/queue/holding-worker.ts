/**
 * A BullMQ worker that can say how many jobs it holds: a job is held from the moment BullMQ hands it to the
 * processor until BullMQ has recorded its outcome in Redis (completed, failed, or delayed for a retry). A processor
 * that has returned still holds its job while that write is pending — with Redis hung it never lands — so a stop
 * that has to force the worker then leaves the job active under its lock, for another worker, and must say so.
 */
import { Worker, type Job } from 'bullmq';

export class HoldingWorker<DataType> extends Worker<DataType> {
  private holding = 0;

  override async processJob(
    job: Job<DataType>,
    token: string,
    fetchNextCallback?: () => boolean,
  ): Promise<void | Job<DataType>> {
    this.holding += 1;
    try {
      return await super.processJob(job, token, fetchNextCallback);
    } finally {
      this.holding -= 1;
    }
  }

  heldJobs(): number {
    return this.holding;
  }
}
