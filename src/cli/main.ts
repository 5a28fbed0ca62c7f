#!/usr/bin/env node
/**
 * The `feedproc` command. Parses arguments (commander) with the command tree of program.ts, loads the
 * configuration once, runs one command and exits with the codes of docs/cli.md#exit-codes-and-errors. Errors print
 * one line `feedproc: CODE: message` (stack with --verbose).
 */
import { CommanderError } from 'commander';
import { loadConfig } from '../core/config.js';
import { isFeedError, toFeedError } from '../core/errors.js';
import { createSchemaRegistry } from '../validate/index.js';
import { EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';
import type { Run } from './program-options.js';

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  let verbose = argv.includes('--verbose');
  const run: Run = async (action, extraFlags = {}) => {
    const schemas = createSchemaRegistry();
    const flags = program.opts<{
      redis?: string;
      redisCluster?: string;
      prefix?: string;
      merchant?: string;
      feedsDir?: string;
      verbose?: boolean;
    }>();
    const config = loadConfig(schemas.byName('config.schema.json'), {
      env: process.env,
      flags: {
        redisUrl: flags.redis,
        redisCluster: flags.redisCluster,
        prefix: flags.prefix,
        merchantId: flags.merchant,
        feedsDir: flags.feedsDir,
        verbose: flags.verbose,
        ...extraFlags,
      },
    });
    verbose = config.verbose;
    exitCode = await action(schemas, config);
  };
  const program = buildProgram(run);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    const error = toFeedError(err);
    process.stderr.write(`feedproc: ${error.code}: ${error.message}\n`);
    if (isFeedError(err) && err.code === 'CLI_NOT_FOUND') return EXIT.NOT_FOUND;
    if (verbose) process.stderr.write(`${(error.cause instanceof Error ? error.cause : error).stack ?? ''}\n`);
    const usage: readonly string[] = [
      'CLI_USAGE',
      'CLI_NO_DATA',
      'CLI_FILE_UNREADABLE',
      'CLI_REDIS_UNAVAILABLE',
      'CLI_REDIS_SERVER_MISSING',
      'CLI_REDIS_EVICTION',
      'QUEUE_REDIS_FULL',
    ];
    return isFeedError(err) && usage.includes(err.code) ? EXIT.USAGE : EXIT.UNEXPECTED;
  }
}

// A reader that stops early (`feedproc validate big.xml | head`) is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`feedproc: INTERNAL: ${String(err)}\n`);
    process.exitCode = EXIT.UNEXPECTED;
  },
);
