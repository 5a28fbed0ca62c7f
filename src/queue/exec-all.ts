/** Running an ioredis pipeline so that a failed command is an error, not a quiet entry in the results. */
import type { ChainableCommander } from 'ioredis';

/** exec() resolves even when commands failed (e.g. Redis out of memory under noeviction): rethrow the first. */
export async function execAll(pipeline: ChainableCommander): Promise<void> {
  const results = await pipeline.exec();
  const failed = results?.find(([err]) => err !== null);
  if (failed) throw failed[0] as Error;
}
