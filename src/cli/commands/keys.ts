/** `feedproc keys create --merchant M | list | revoke ID`: access keys for the HTTP API and the web pages. */
import { AccessKeyStore } from '../../http/access-keys.js';
import { loadServerKey } from '../../http/server-key.js';
import { LwaStore } from '../../http/spapi/lwa.js';
import type { Config } from '../../core/config.js';
import { FeedError } from '../../core/errors.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { openRuntime } from '../runtime.js';
import { writeTable } from '../table.js';
import { requireMerchant } from './pipeline.js';

async function withKeys(
  config: Config,
  schemas: SchemaRegistry,
  use: (store: AccessKeyStore) => Promise<number>,
  readOnly = false,
): Promise<number> {
  const runtime = await openRuntime(config, schemas, { workers: false, readOnly });
  try {
    return await use(new AccessKeyStore(runtime.deps.redis, config.prefix, await loadServerKey(config)));
  } finally {
    await runtime.close();
  }
}

export async function runKeysCreate(
  config: Config,
  schemas: SchemaRegistry,
  json: boolean,
  out: NodeJS.WritableStream,
  operator = false,
): Promise<number> {
  if (operator && config.merchantId)
    throw new FeedError('CLI_USAGE', { detail: 'an operator key has no merchant: drop --merchant or --operator' });
  const merchantId = operator ? null : requireMerchant(config);
  return withKeys(config, schemas, async (store) => {
    const made = await store.create(merchantId);
    // A merchant's key reaches the SP-API door through Login with Amazon too: its client and refresh token.
    // An operator's key opens the queue dashboard only, so it gets none.
    const lwa = operator ? null : await new LwaStore(store.redisClient, config.prefix, store).create(made.accessKeyId);
    const key = { ...made, ...lwa };
    out.write(
      json
        ? `${JSON.stringify(key)}\n`
        : `access key id: ${key.accessKeyId}\nsecret key:    ${key.secretKey}\n` +
            (operator
              ? `merchant:      none (operator: the queue dashboard only)\n`
              : `merchant:      ${key.merchantId}\nLWA client id: ${lwa?.lwaClientId}\n` +
                `LWA secret:    ${lwa?.lwaClientSecret}\nrefresh token: ${lwa?.refreshToken}\n`) +
            `(the secrets are shown only now)\n`,
    );
    return EXIT.OK;
  });
}

export async function runKeysList(
  config: Config,
  schemas: SchemaRegistry,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withKeys(
    config,
    schemas,
    async (store) => {
      const keys = await store.list(config.merchantId ?? undefined);
      if (json) out.write(`${JSON.stringify(keys, null, 2)}\n`);
      else
        writeTable(
          out,
          ['ACCESS KEY ID', 'MERCHANT', 'CREATED', 'STATE'],
          keys.map((k) => [
            k.accessKeyId,
            k.merchantId,
            k.createdAt,
            k.revokedAt ? `revoked ${k.revokedAt}` : 'active',
          ]),
        );
      return EXIT.OK;
    },
    true,
  );
}

export async function runKeysRevoke(
  config: Config,
  schemas: SchemaRegistry,
  accessKeyId: string,
  out: NodeJS.WritableStream,
): Promise<number> {
  return withKeys(config, schemas, async (store) => {
    if (!(await store.revoke(accessKeyId)))
      throw new FeedError('CLI_NOT_FOUND', { detail: `no access key ${accessKeyId}` });
    out.write(`revoked ${accessKeyId}\n`);
    return EXIT.OK;
  });
}
