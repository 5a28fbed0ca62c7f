/** What the pipeline functions need, passed first to each of them; built once by the command that runs them. */
import type { Queue } from 'bullmq';
import type { LedgerRedis } from '../apply/scripts.js';
import type { Config } from '../core/config.js';
import type { SchemaRegistry } from '../validate/index.js';

export interface PipelineDeps {
  readonly config: Config;
  /** The ledger connection (scripts registered). */
  readonly redis: LedgerRedis;
  readonly schemas: SchemaRegistry;
  readonly queue: Queue;
  /** The clock, as ISO 8601: reports and events take their times from here. */
  now(): string;
}
