/** Starts the test suite's own redis-server; tests find it through FEEDPROC_TEST_REDIS_URL. */
import { startRedisServer } from '../helpers/redis-server.ts'; // globalSetup is loaded without Jest's moduleNameMapper

export default async function globalSetup(): Promise<void> {
  const server = await startRedisServer();
  process.env['FEEDPROC_TEST_REDIS_URL'] = server.url;
  (globalThis as { __feedprocRedis?: typeof server }).__feedprocRedis = server;
}
