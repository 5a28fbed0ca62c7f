/**
 * Loads the ledger's Lua scripts once per connection with ioredis `defineCommand` (EVALSHA, falling back to
 * EVAL after a script flush). The key count is read from the file name (`apply-adjustment-4.lua` takes 4
 * keys), and the shared prelude is prepended to each script.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/** The Lua sources live in src/apply/lua; both src/apply and dist/apply reach them this way. */
const LUA_DIR = fileURLToPath(new URL('../../src/apply/lua/', import.meta.url));
const PRELUDE = 'ledger-prelude.lua';

export type LedgerScriptName = 'importOrder' | 'applyAdjustment' | 'applyAcknowledgement' | 'applyFulfillment' | 'applyInventory';

type ScriptCall = (...args: Array<string | number>) => Promise<string>;
export type LedgerRedis = Redis & Record<LedgerScriptName, ScriptCall>;

/** Registers every script on the connection (idempotent) and returns it typed with the script commands. */
export function withLedgerScripts(redis: Redis): LedgerRedis {
  const prelude = readFileSync(`${LUA_DIR}${PRELUDE}`, 'utf8');
  for (const file of readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua') && f !== PRELUDE)) {
    const match = /^([a-z-]+)-(\d+)\.lua$/.exec(file);
    if (!match) throw new Error(`ledger script ${file} must be named <verb-noun>-<numberOfKeys>.lua`);
    const name = (match[1] as string).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(name in redis)) {
      redis.defineCommand(name, { numberOfKeys: Number(match[2]), lua: `${prelude}\n${readFileSync(`${LUA_DIR}${file}`, 'utf8')}` });
    }
  }
  return redis as LedgerRedis;
}
