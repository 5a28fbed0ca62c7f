/**
 * A real HTTP receiver for FEED_PROCESSING_FINISHED notifications: it keeps every delivery (body, signature,
 * what it answered), can be taken down and brought back on the same port, and can answer 500 to its first
 * deliveries, as a receiver that fails for a while.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { SP_API_FIXTURES } from './listings.js';
import { runCli } from './cli.js';
import { waitUntil } from './wait.js';

export interface Received {
  body: string;
  signature: string;
  /** The status this receiver answered. */
  answered: number;
  json: {
    payload: {
      feedProcessingFinishedNotification: {
        feedId: string;
        processingStatus: string;
        resultFeedDocumentId?: string;
      };
    };
    notificationMetadata: { notificationId: string };
  };
}

/** Amazon's FeedProcessingFinishedNotification schema, compiled. */
export const notificationSchema = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(`${SP_API_FIXTURES}FeedProcessingFinishedNotification.json`, 'utf8')) as object,
);

/** `sha256=<hex>`, as feedproc signs a body under a destination's secret. */
export const signatureOf = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export class Receiver {
  readonly received: Received[] = [];
  private server: Server | null = null;
  port = 0;

  /** `failFirst`: how many deliveries are answered 500 before the receiver answers 204. */
  constructor(private failFirst = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async up(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const answered = this.failFirst > 0 ? 500 : 204;
        if (this.failFirst > 0) this.failFirst -= 1;
        this.received.push({
          body,
          signature: String(request.headers['x-feedproc-signature']),
          answered,
          json: JSON.parse(body) as Received['json'],
        });
        response.writeHead(answered).end();
      });
    });
    await new Promise<void>((done) => this.server?.listen(this.port, '127.0.0.1', done));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((done) => server?.close(() => done()));
  }

  /** Every delivery of the feed's notification so far. */
  of(feedId: string): Received[] {
    return this.received.filter((r) => r.json.payload.feedProcessingFinishedNotification.feedId === feedId);
  }

  /** The first delivery for the feed answered 2xx (earlier ones answered 500 are in `received`). */
  waitFor(feedId: string, timeoutMs = 60_000): Promise<Received> {
    const delivered = (): Received | undefined => this.of(feedId).find((r) => r.answered < 300);
    return waitUntil(`a notification for feed ${feedId}`, delivered, timeoutMs, 100);
  }
}

/** `feedproc destinations add`: the destination's id and its secret, shown once. */
export async function addDestination(
  env: NodeJS.ProcessEnv,
  merchantId: string,
  url: string,
): Promise<{ destinationId: string; secret: string }> {
  const added = await runCli(['destinations', 'add', '--merchant', merchantId, '--url', url, '--format', 'json'], {
    env,
  });
  if (added.code !== 0 || added.stderr !== '')
    throw new Error(`feedproc destinations add exited ${added.code}: ${added.stderr}`);
  return JSON.parse(added.stdout) as { destinationId: string; secret: string };
}
