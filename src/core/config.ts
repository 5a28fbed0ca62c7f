/**
 * Configuration: read once from defaults (schemas/config.schema.json), the environment and command-line flags
 * (each later layer wins), validated, frozen, and passed to whatever needs it. Nothing else reads process.env.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { FeedError } from './errors.js';
import { isMerchantId } from './merchant-id.js';

export interface Config {
  /** Root of the drop folder. @defaultValue `./feeds` */
  readonly feedsDir: string;
  /** Per-user data folder; null: `$XDG_DATA_HOME/feedproc`, else `~/.local/share/feedproc`. @defaultValue null */
  readonly dataDir: string | null;
  /**
   * Where the private redis-server keeps its data (derived, not set): `<feedsDir>/.redis` when a feeds folder is
   * configured (flag or environment), else `<dataDir>/redis`. So every command finds the same data whatever
   * directory it runs in.
   */
  readonly privateRedisDir: string;
  /** The configured Redis; null when none was configured (then localRedisUrl, else a private redis-server). */
  readonly redisUrl: string | null;
  /**
   * Seed nodes of a Redis Cluster, `host:port,host:port,…`; null: one redis-server (redisUrl, local or private).
   * @defaultValue null
   */
  readonly redisCluster: string | null;
  /** Where a local Redis is looked for when none is configured. @defaultValue `redis://127.0.0.1:6379` */
  readonly localRedisUrl: string;
  /** Root of every Redis key. @defaultValue `feedproc` */
  readonly prefix: string;
  /** The submitting merchant. @defaultValue null */
  readonly merchantId: string | null;
  /** @defaultValue false */
  readonly verbose: boolean;
  /** Job lock and stalled-job check interval of workers, in ms. @defaultValue 30000 */
  readonly jobLockMs: number;
  /**
   * Stability window of dropped files, in ms: a file is taken once its size and mtime have not changed for this long
   * (long enough for a writer that appends line by line; writers should still write, then rename). @defaultValue 2000
   */
  readonly watchStableMs: number;
  /** First retry pause of a dropped file whose processing failed, in ms; doubles up to 15×. @defaultValue 2000 */
  readonly watchRetryMs: number;
  /** SMTP URL for buyer e-mails; null: .eml files in <feedsDir>/outbox/. @defaultValue null */
  readonly smtpUrl: string | null;
  /** @defaultValue `Amazon Marketplace <no-reply@feedproc.local>` */
  readonly mailFrom: string;
  /** First retry pause of a temporarily failed e-mail, in ms. @defaultValue 5000 */
  readonly notifyRetryMs: number;
  /** How long a notifier holds an e-mail it is sending, in ms. @defaultValue 30000 */
  readonly notifyLeaseMs: number;
  /** Address `feedproc serve` listens on. @defaultValue `127.0.0.1` */
  readonly httpHost: string;
  /** Port of `feedproc serve`; 0 picks a free one. @defaultValue 8080 */
  readonly httpPort: number;
  /** 32-byte key (64 hex digits) that encrypts the secret keys the MWS signatures need; null: <feedsDir>/.server-key. @defaultValue null */
  readonly serverKey: string | null;
  /** Largest feed body accepted over HTTP, in bytes. @defaultValue 2147483647 */
  readonly maxFeedBytes: number;
  /**
   * A connection of `feedproc serve` on which nothing is received or sent for this long is closed (a stalled
   * upload is dropped with its body). Keep it below `recoveryAgeMs`. @defaultValue 120000
   */
  readonly httpIdleTimeoutMs: number;
  /** SP-API result documents above this size are gzipped. @defaultValue 1048576 */
  readonly spapiGzipBytes: number;
  /** Lifetime of the SP-API door's signed document URLs, in seconds. @defaultValue 300 */
  readonly spapiUrlSeconds: number;
  /** Multiplies the MWS and SP-API throttling restore intervals (1 = Amazon's). @defaultValue 1 */
  readonly throttleScale: number;
  /**
   * Trust the proxy in front: take the client's protocol from `X-Forwarded-Proto` (so cookies get `Secure` behind
   * a TLS-terminating proxy). Only for a server reachable through that proxy alone. @defaultValue false
   */
  readonly trustProxy: boolean;
  /** How long a long-running command may take to stop after SIGTERM / SIGINT, in ms. @defaultValue 8000 */
  readonly stopTimeoutMs: number;
  /** How often the watcher and workers run the recovery pass (queue/recovery.ts), in ms. @defaultValue 60000 */
  readonly recoveryIntervalMs: number;
  /** How old a stuck record or leftover file must be before the recovery pass resolves it, in ms. @defaultValue 600000 */
  readonly recoveryAgeMs: number;
  /** Attempts of an apply job before it is given up (and its feed finalised by recovery). @defaultValue 10 */
  readonly jobAttempts: number;
  /** First pause before a failed apply job is tried again, doubling each time, in ms. @defaultValue 500 */
  readonly jobBackoffMs: number;
  /** Failures (not Redis or a full disk) after which a dropped file goes to failed/ with a report. @defaultValue 6 */
  readonly fileAttempts: number;
  /** Results a report lists at most (core/limits.ts). @defaultValue 10000 */
  readonly maxReportResults: number;
  /** Cells a flat file's header row may have. @defaultValue 2000 */
  readonly maxFlatColumns: number;
  /** Elements (XML) or values (JSON) one message may hold. @defaultValue 100000 */
  readonly maxMessageElements: number;
  /** Characters one message may span. @defaultValue 16777216 */
  readonly maxMessageChars: number;
  /** Fault injection for the chaos tests (core/faults.ts), never set in production. @defaultValue null */
  readonly fault: string | null;
  /** The notifier's fault injection (`exit-after-accept`), for its test only. @defaultValue null */
  readonly notifyFault: 'exit-after-accept' | null;
}

const ENV_KEYS: Readonly<Record<string, keyof Config>> = {
  FEEDPROC_FEEDS_DIR: 'feedsDir',
  FEEDPROC_DATA_DIR: 'dataDir',
  FEEDPROC_REDIS_URL: 'redisUrl',
  FEEDPROC_REDIS_CLUSTER: 'redisCluster',
  FEEDPROC_LOCAL_REDIS_URL: 'localRedisUrl',
  FEEDPROC_PREFIX: 'prefix',
  FEEDPROC_MERCHANT: 'merchantId',
  FEEDPROC_JOB_LOCK_MS: 'jobLockMs',
  FEEDPROC_WATCH_STABLE_MS: 'watchStableMs',
  FEEDPROC_WATCH_RETRY_MS: 'watchRetryMs',
  FEEDPROC_SMTP_URL: 'smtpUrl',
  FEEDPROC_MAIL_FROM: 'mailFrom',
  FEEDPROC_NOTIFY_RETRY_MS: 'notifyRetryMs',
  FEEDPROC_NOTIFY_LEASE_MS: 'notifyLeaseMs',
  FEEDPROC_HTTP_HOST: 'httpHost',
  FEEDPROC_HTTP_PORT: 'httpPort',
  FEEDPROC_SERVER_KEY: 'serverKey',
  FEEDPROC_MAX_FEED_BYTES: 'maxFeedBytes',
  FEEDPROC_HTTP_IDLE_TIMEOUT_MS: 'httpIdleTimeoutMs',
  FEEDPROC_THROTTLE_SCALE: 'throttleScale',
  FEEDPROC_SPAPI_GZIP_BYTES: 'spapiGzipBytes',
  FEEDPROC_SPAPI_URL_SECONDS: 'spapiUrlSeconds',
  FEEDPROC_TRUST_PROXY: 'trustProxy',
  FEEDPROC_STOP_TIMEOUT_MS: 'stopTimeoutMs',
  FEEDPROC_RECOVERY_INTERVAL_MS: 'recoveryIntervalMs',
  FEEDPROC_RECOVERY_AGE_MS: 'recoveryAgeMs',
  FEEDPROC_JOB_ATTEMPTS: 'jobAttempts',
  FEEDPROC_JOB_BACKOFF_MS: 'jobBackoffMs',
  FEEDPROC_FILE_ATTEMPTS: 'fileAttempts',
  FEEDPROC_MAX_REPORT_RESULTS: 'maxReportResults',
  FEEDPROC_MAX_FLAT_COLUMNS: 'maxFlatColumns',
  FEEDPROC_MAX_MESSAGE_ELEMENTS: 'maxMessageElements',
  FEEDPROC_MAX_MESSAGE_CHARS: 'maxMessageChars',
  FEEDPROC_FAULT: 'fault',
  FEEDPROC_NOTIFY_FAULT: 'notifyFault',
};
/** Settings that are numbers; the environment gives strings. */
const NUMERIC: ReadonlySet<keyof Config> = new Set([
  'jobLockMs',
  'watchStableMs',
  'watchRetryMs',
  'notifyRetryMs',
  'notifyLeaseMs',
  'httpPort',
  'maxFeedBytes',
  'httpIdleTimeoutMs',
  'throttleScale',
  'spapiGzipBytes',
  'spapiUrlSeconds',
  'stopTimeoutMs',
  'recoveryIntervalMs',
  'recoveryAgeMs',
  'jobAttempts',
  'jobBackoffMs',
  'fileAttempts',
  'maxReportResults',
  'maxFlatColumns',
  'maxMessageElements',
  'maxMessageChars',
]);

/** Settings that are yes/no; the environment gives `true`/`false` (or `1`/`0`). */
const BOOLEAN: ReadonlySet<keyof Config> = new Set(['trustProxy']);
const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = { true: true, '1': true, false: false, '0': false };

export interface ConfigSources {
  env: Readonly<Record<string, string | undefined>>;
  flags: Readonly<Partial<Record<keyof Config, unknown>>>;
}

/**
 * `validate` is the compiled config schema with `useDefaults`, so missing keys get their defaults.
 * Throws FeedError CLI_USAGE naming the first bad setting.
 */
export function loadConfig(validate: ValidateFunction, sources: ConfigSources): Config {
  const merged: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = sources.env[name];
    if (value !== undefined && value !== '')
      merged[key] =
        NUMERIC.has(key) && /^\d+(\.\d+)?$/.test(value)
          ? Number(value)
          : BOOLEAN.has(key) && Object.hasOwn(BOOLEAN_TEXT, value.toLowerCase())
            ? BOOLEAN_TEXT[value.toLowerCase()]
            : value;
  }
  for (const [key, value] of Object.entries(sources.flags)) {
    if (value !== undefined) merged[key] = value;
  }
  const feedsDirConfigured = merged['feedsDir'] !== undefined;
  if (!validate(merged)) {
    const first = validate.errors?.[0];
    const detail = `configuration ${first?.instancePath.slice(1) || 'value'} ${first?.message ?? 'is invalid'}`;
    throw new FeedError('CLI_USAGE', { detail });
  }
  const config = { ...merged, privateRedisDir: privateRedisDir(merged, feedsDirConfigured, sources.env) } as Config;
  if (config.merchantId !== null && !isMerchantId(config.merchantId))
    throw new FeedError('CLI_USAGE', {
      detail: new FeedError('MERCHANT_ID_INVALID', { given: JSON.stringify(config.merchantId) }).message,
    });
  if (config.redisCluster !== null && config.redisUrl !== null) {
    throw new FeedError('CLI_USAGE', {
      detail:
        'configure either a Redis URL (--redis, FEEDPROC_REDIS_URL) or a Redis Cluster (--redis-cluster, FEEDPROC_REDIS_CLUSTER), not both',
    });
  }
  return Object.freeze(config);
}

function privateRedisDir(
  merged: Record<string, unknown>,
  feedsDirConfigured: boolean,
  env: ConfigSources['env'],
): string {
  if (feedsDirConfigured) return resolve(String(merged['feedsDir']), '.redis');
  const dataDir =
    typeof merged['dataDir'] === 'string'
      ? merged['dataDir']
      : join(env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share'), 'feedproc');
  return resolve(dataDir, 'redis');
}

/** The Cluster's seed nodes from `redisCluster` (`host:port,…`; an IPv6 host in brackets). */
export function clusterNodes(config: Config): Array<{ host: string; port: number }> {
  return (config.redisCluster ?? '')
    .split(',')
    .filter(Boolean)
    .map((node) => {
      const colon = node.lastIndexOf(':');
      return { host: node.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(colon + 1)) };
    });
}
