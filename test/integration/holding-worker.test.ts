/**
 * A worker holds a job until BullMQ has recorded its outcome, not merely until the processor returns: with Redis
 * hung right as a processor finishes, the job is still held (a forced stop then leaves it, and `feedproc worker`
 * exits 5), and it is released once Redis answers and the completion is written.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { HoldingWorker } from '../../src/queue/holding-worker.js';
import { startChaosRedis, type ChaosRedis } from '../helpers/chaos-processes.js';
import { makeTempDir } from '../helpers/tmp.js';
import { sleep, until } from '../helpers/wait.js';

const tmp = makeTempDir('feedproc-holding-');
let redis: ChaosRedis;
const connections: Redis[] = [];
const connect = (): Redis => {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  redis = await startChaosRedis({ dir: tmp.dir, appendfsync: null });
});
afterAll(async () => {
  redis.thaw();
  for (const connection of connections) connection.disconnect();
  await redis.stop();
  tmp.cleanup();
});

it('holds a job whose processor returned while its completion cannot be written', async () => {
  const queue = new Queue('holding', { connection: connect() });
  let processorReturned: () => void = () => undefined;
  const returned = new Promise<void>((done) => (processorReturned = done));
  const worker = new HoldingWorker(
    'holding',
    async () => {
      redis.freeze(); // Redis hangs as the job's work ends: BullMQ cannot record the outcome
      processorReturned();
    },
    { connection: connect(), lockDuration: 60_000 },
  );
  const completed = new Promise<void>((done) => worker.once('completed', () => done()));
  try {
    await queue.add('one', {});
    await returned;
    await sleep(200); // the processor's return reaches BullMQ, which sends the completion and waits
    expect(worker.heldJobs()).toBe(1);
    redis.thaw();
    await completed;
    await until(() => worker.heldJobs() === 0, 'the job released once its completion is written');
  } finally {
    redis.thaw();
    await worker.close();
    await queue.close();
  }
});
