/**
 * Loads the ledger's Lua scripts once per connection with ioredis `defineCommand` (EVALSHA, falling back to
 * EVAL after a script flush). Each script file is named `<verb-noun>-<keys>.lua`, with its key count:
 * `import-order-2.lua` takes 2 keys; `apply-messages-3+n.lua` takes 3 fixed keys and then as many as its
 * messages name, so its caller passes the key count first. The files of `lua/lib/` (helpers and the rules of
 * each feed type) are prepended to every script in name order, since Redis Lua has no includes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from '../core/redis-client.js';

/** The Lua sources live in src/apply/lua; both src/apply and dist/apply reach them this way. */
const LUA_DIR = fileURLToPath(new URL('../../src/apply/lua/', import.meta.url));
const LIB_DIR = `${LUA_DIR}lib/`;

export type LedgerScriptName = 'importOrder' | 'applyMessages' | 'moveFeedStatus' | 'claimContent';

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;
export type LedgerRedis = RedisClient & Record<LedgerScriptName, ScriptCall>;

let sources: Array<{ name: string; numberOfKeys: number | undefined; lua: string }> | undefined;

/** Reads and assembles the scripts once per process. */
function ledgerScripts(): NonNullable<typeof sources> {
  if (sources) return sources;
  const lib = readdirSync(LIB_DIR)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((f) => readFileSync(`${LIB_DIR}${f}`, 'utf8'));
  sources = readdirSync(LUA_DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((file) => {
      const match = /^([a-z-]+)-(\d+)(\+n)?\.lua$/.exec(file);
      if (!match) throw new Error(`ledger script ${file} must be named <verb-noun>-<numberOfKeys>[+n].lua`);
      const name = (match[1] as string).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const numberOfKeys = match[3] ? undefined : Number(match[2]);
      return { name, numberOfKeys, lua: [...lib, readFileSync(`${LUA_DIR}${file}`, 'utf8')].join('\n') };
    });
  return sources;
}

/** Registers every script on the connection (idempotent) and returns it typed with the script commands. */
export function withLedgerScripts(redis: RedisClient): LedgerRedis {
  for (const { name, numberOfKeys, lua } of ledgerScripts()) {
    if (!(name in redis)) redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
  }
  return redis as LedgerRedis;
}
