/** `feedproc destinations add --merchant M --url URL | list | remove ID`: where FEED_PROCESSING_FINISHED goes. */
import type { Config } from '../../core/config.js';
import { loadServerKey } from '../../http/server-key.js';
import { FeedError } from '../../core/errors.js';
import { DestinationStore } from '../../notify/destinations.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { openRuntime } from '../runtime.js';
import { writeTable } from '../table.js';
import { requireMerchant } from './pipeline.js';

async function withStore(
  config: Config,
  schemas: SchemaRegistry,
  use: (store: DestinationStore, merchantId: string) => Promise<number>,
): Promise<number> {
  const merchantId = requireMerchant(config);
  const serverKey = await loadServerKey(config);
  const runtime = await openRuntime(config, schemas, { workers: false });
  try {
    return await use(new DestinationStore(runtime.deps.redis, config.prefix, serverKey), merchantId);
  } finally {
    await runtime.close();
  }
}

export function runDestinationsAdd(
  config: Config,
  schemas: SchemaRegistry,
  url: string,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withStore(config, schemas, async (store, merchantId) => {
    const made = await store.add(merchantId, url);
    out.write(
      json
        ? `${JSON.stringify(made)}\n`
        : `destination: ${made.destinationId}\nurl:         ${made.url}\nsecret:      ${made.secret}\n(the secret signs every notification: x-feedproc-signature: sha256=HMAC-SHA256(secret, body); shown only now)\n`,
    );
    return EXIT.OK;
  });
}

export function runDestinationsList(
  config: Config,
  schemas: SchemaRegistry,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withStore(config, schemas, async (store, merchantId) => {
    const all = await store.list(merchantId);
    if (json) out.write(`${JSON.stringify(all, null, 2)}\n`);
    else
      writeTable(
        out,
        ['DESTINATION ID', 'URL', 'CREATED'],
        all.map((d) => [d.destinationId, d.url, d.createdAt]),
      );
    return EXIT.OK;
  });
}

export function runDestinationsRemove(
  config: Config,
  schemas: SchemaRegistry,
  id: string,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withStore(config, schemas, async (store, merchantId) => {
    if (!(await store.remove(merchantId, id)))
      throw new FeedError('CLI_NOT_FOUND', { detail: `merchant ${merchantId} has no destination ${id}` });
    out.write(`removed ${id}\n`);
    return EXIT.OK;
  });
}
