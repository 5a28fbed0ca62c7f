/**
 * Loads the ledger's Lua scripts once per connection with ioredis `defineCommand` (EVALSHA, falling back to
 * EVAL after a script flush). Each script file is named `<verb-noun>-<keys>.lua`, with its key count:
 * `import-order-2.lua` takes 2 keys; `apply-messages-3+n.lua` takes 3 fixed keys and then as many as its
 * messages name, so its caller passes the key count first. A script names the files of `lua/lib/` it needs
 * (helpers and the rules of each feed type) with `--- @include`, resolved per script (core/lua-source.ts).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadLuaScript } from '../core/lua-source.js';
import type { RedisClient } from '../core/redis-client.js';

/** Beside this module: dist/apply/lua holds the bundled scripts the build writes, src/apply/lua the sources. */
const LUA_DIR = fileURLToPath(new URL('./lua/', import.meta.url));

export type LedgerScriptName = 'importOrder' | 'applyMessages' | 'moveFeedStatus' | 'claimContent';

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;
export type LedgerRedis = RedisClient & Record<LedgerScriptName, ScriptCall>;

let sources: Array<{ name: string; numberOfKeys: number | undefined; lua: string }> | undefined;

/** Reads and assembles the scripts once per process. */
function ledgerScripts(): NonNullable<typeof sources> {
  if (sources) return sources;
  sources = readdirSync(LUA_DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((file) => {
      const match = /^([a-z-]+)-(\d+)(\+n)?\.lua$/.exec(file);
      if (!match) throw new Error(`ledger script ${file} must be named <verb-noun>-<numberOfKeys>[+n].lua`);
      const name = (match[1] as string).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const numberOfKeys = match[3] ? undefined : Number(match[2]);
      return { name, numberOfKeys, lua: loadLuaScript(`${LUA_DIR}${file}`) };
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
