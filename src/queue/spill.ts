/**
 * While a file is validated, its valid messages are written ("spilled") to per-partition Redis lists in file
 * order, so memory stays flat whatever the file size. Nothing is enqueued until the whole file has been
 * judged; a rejected file's lists are deleted and nothing from it is ever applied.
 * A list element is a chunk of up to MAX_CHUNK messages of the partition, one line each (spill-line.ts: no line
 * holds a raw newline): Redis and ioredis pay per element about as much as for its bytes, so chunks make the
 * spill and the workers' reads several times cheaper than one element per message.
 */
import type { RedisClient } from '../core/redis-client.js';
import type { LedgerCommand } from '../apply/commands.js';
import { orderKeyOf } from '../apply/commands.js';
import { execAll } from './exec-all.js';
import { partitionOf, type FeedKeys } from './names.js';
import { parseSpillLine, spillLine } from './spill-line.js';

export interface SpilledMessage {
  /** Position among the feed's valid messages, from 1: the exactly-once key (MessageIDs may repeat). */
  seq: number;
  messageId: string;
  command: LedgerCommand;
}

const FLUSH_EVERY = 2000;
/** Messages per list element at most, so a worker's window of elements stays small (apply-worker.ts). */
export const MAX_CHUNK = 16;
/** Writes in flight before the reader is held back (drain): memory stays flat when Redis is slower than parsing. */
const MAX_IN_FLIGHT = 4;

export class SpillWriter {
  private buffer: Array<[number, string]> = [];
  private flushes: Array<Promise<unknown>> = [];
  private readonly used = new Set<number>();
  count = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: FeedKeys,
  ) {}

  add(messageId: string, command: LedgerCommand): void {
    this.count += 1;
    const key = orderKeyOf(command) ?? `sku:${command.kind === 'inventory' ? command.sku : ''}`;
    const partition = partitionOf(key);
    this.used.add(partition);
    this.buffer.push([partition, spillLine({ seq: this.count, messageId, command })]);
    if (this.buffer.length >= FLUSH_EVERY) this.flush();
  }

  /** Resolves once few enough writes are in flight; the reader awaits it before each chunk. */
  async drain(): Promise<void> {
    while (this.flushes.length > MAX_IN_FLIGHT) await this.flushes.shift();
  }

  /** Waits for every write; returns the partitions that received messages. */
  async finish(): Promise<number[]> {
    this.flush();
    await Promise.all(this.flushes);
    return [...this.used].sort((a, b) => a - b);
  }

  /** Forgets everything written (a rejected file, or a flat file read again in another encoding). */
  async discard(): Promise<void> {
    this.buffer = [];
    await Promise.all(this.flushes);
    this.flushes = [];
    await this.redis.del(...this.keys.parts);
    this.used.clear();
    this.count = 0;
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    // One RPUSH per partition with all its entries, in file order and in chunks: far fewer commands and elements
    // than one per message.
    const byPartition = new Map<number, string[]>();
    for (const [partition, entry] of this.buffer) {
      const entries = byPartition.get(partition);
      if (entries) entries.push(entry);
      else byPartition.set(partition, [entry]);
    }
    const pipeline = this.redis.pipeline();
    for (const [partition, entries] of byPartition) pipeline.rpush(this.keys.part(partition), ...chunks(entries));
    this.buffer = [];
    const written = execAll(pipeline);
    written.catch(() => undefined); // awaited later by drain/finish; until then it must not count as unhandled
    this.flushes.push(written);
  }
}

function chunks(entries: readonly string[]): string[] {
  const joined: string[] = [];
  for (let first = 0; first < entries.length; first += MAX_CHUNK)
    joined.push(entries.slice(first, first + MAX_CHUNK).join('\n'));
  return joined;
}

/** The messages of list elements read back, in order. */
export function spilledMessages(elements: readonly string[]): SpilledMessage[] {
  const messages: SpilledMessage[] = [];
  for (const element of elements) for (const line of element.split('\n')) messages.push(parseSpillLine(line));
  return messages;
}
