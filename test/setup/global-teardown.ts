import type { RedisServer } from '../helpers/redis-server.ts'; // globalSetup is loaded without Jest's moduleNameMapper

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __feedprocRedis?: RedisServer }).__feedprocRedis?.stop();
}
