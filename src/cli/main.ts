#!/usr/bin/env node
/**
 * The `feedproc` command. Parses arguments (commander), loads the configuration once, runs one command and
 * exits with the codes of product-spec.md §4. Errors print one line `feedproc: CODE: message` (stack with
 * --verbose).
 */
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type Config } from '../core/config.js';
import { isFeedError, toFeedError } from '../core/errors.js';
import { createSchemaRegistry, type SchemaRegistry } from '../validate/index.js';
import { runCheckFolder } from './commands/check-folder.js';
import { runValidate } from './commands/validate.js';
import { EXIT } from './exit-codes.js';

const FORMATS = ['xml', 'flat', 'json', 'text'];

function buildProgram(run: (action: (schemas: SchemaRegistry, config: Config) => Promise<number>) => Promise<void>): Command {
  const program = new Command('feedproc')
    .description('MWS-style feed file processor: validate, apply and report Amazon MWS order and inventory feeds')
    .option('--redis <url>', 'Redis URL (FEEDPROC_REDIS_URL)')
    .option('--prefix <p>', 'prefix of every Redis key (FEEDPROC_PREFIX)')
    .option('--merchant <id>', 'the submitting merchant (FEEDPROC_MERCHANT)')
    .option('--feeds-dir <dir>', 'root of the drop folder (FEEDPROC_FEEDS_DIR)')
    .option('--verbose', 'print stacks with errors')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program
    .command('validate')
    .description('check a feed file against the MWS schemas and print the processing report (no Redis)')
    .argument('<file>', 'the feed file (XML or tab-delimited)')
    .option('--type <feedType>', 'the feed type the file must be, e.g. _POST_PAYMENT_ADJUSTMENT_DATA_')
    .addOption(new Option('--format <format>', "report format (default: the feed's own, xml or flat)").choices(FORMATS))
    .action((file: string, opts: { type?: string; format?: 'xml' | 'flat' | 'json' | 'text' }) =>
      run((schemas) => runValidate(schemas, { file, type: opts.type, format: opts.format }, process.stdout)),
    );
  program
    .command('check-folder')
    .description('validate every file in <feeds>/incoming and write the reports to <feeds>/reports (no Redis)')
    .action(() => run((schemas, config) => runCheckFolder(config, schemas, (line) => process.stdout.write(`${line}\n`))));
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  let verbose = argv.includes('--verbose');
  const run = async (action: (schemas: SchemaRegistry, config: Config) => Promise<number>): Promise<void> => {
    const schemas = createSchemaRegistry();
    const flags = program.opts<{ redis?: string; prefix?: string; merchant?: string; feedsDir?: string; verbose?: boolean }>();
    const config = loadConfig(schemas.byName('config.schema.json'), {
      env: process.env,
      flags: { redisUrl: flags.redis, prefix: flags.prefix, merchantId: flags.merchant, feedsDir: flags.feedsDir, verbose: flags.verbose },
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
    if (verbose) process.stderr.write(`${(error.cause instanceof Error ? error.cause : error).stack ?? ''}\n`);
    return isFeedError(err) && (err.code === 'CLI_USAGE' || err.code === 'CLI_FILE_UNREADABLE') ? EXIT.USAGE : EXIT.UNEXPECTED;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`feedproc: INTERNAL: ${String(err)}\n`);
    process.exitCode = EXIT.UNEXPECTED;
  },
);
