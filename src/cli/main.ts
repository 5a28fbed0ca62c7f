#!/usr/bin/env node
/**
 * The `feedproc` command. Parses arguments (commander), loads the configuration once, runs one command and
 * exits with the codes of product-spec.md §4. Errors print one line `feedproc: CODE: message` (stack with
 * --verbose).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type Config } from '../core/config.js';
import { isFeedError, toFeedError } from '../core/errors.js';
import { createSchemaRegistry, type SchemaRegistry } from '../validate/index.js';
import { EXIT } from './exit-codes.js';

const FORMATS = ['xml', 'flat', 'json', 'text', 'listings'];
// Each command's module is imported when that command runs: `feedproc validate` then never loads fastify,
// BullMQ or the HTTP pages, which halves its start-up (tests and scripts start it thousands of times).

function buildProgram(run: Run): Command {
  const program = new Command('feedproc')
    .description(
      'MWS-style feed file processor: validate, apply and report Amazon MWS order and inventory feeds and JSON listings feeds',
    )
    .option('--redis <url>', 'Redis URL (FEEDPROC_REDIS_URL)')
    .option('--redis-cluster <nodes>', 'Redis Cluster seed nodes host:port,host:port,… (FEEDPROC_REDIS_CLUSTER)')
    .option('--prefix <p>', 'prefix of every Redis key (FEEDPROC_PREFIX)')
    .option('--merchant <id>', 'the submitting merchant (FEEDPROC_MERCHANT)')
    .option('--feeds-dir <dir>', 'root of the drop folder (FEEDPROC_FEEDS_DIR)')
    .option('--verbose', 'print stacks with errors')
    .version(packageVersion(), '-V, --version', 'print the version of feedproc')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program
    .command('validate')
    .description('check a feed file against the MWS schemas and print the processing report (no Redis)')
    .argument('<file>', 'the feed file (XML, tab-delimited, or a JSON listings document)')
    .option('--type <feedType>', 'the feed type the file must be, e.g. _POST_PAYMENT_ADJUSTMENT_DATA_')
    .addOption(
      new Option('--format <format>', "report format (default: the feed's own, xml, flat or listings)").choices(
        FORMATS,
      ),
    )
    .action((file: string, opts: { type?: string; format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/validate.js')).runValidate(
          schemas,
          config,
          { file, type: opts.type, format: opts.format },
          process.stdout,
        ),
      ),
    );
  program
    .command('check-folder')
    .description('validate every file in <feeds>/incoming and write the reports to <feeds>/reports (no Redis)')
    .action(() =>
      run(async (schemas, config) =>
        (await import('./commands/check-folder.js')).runCheckFolder(config, schemas, (line) =>
          process.stdout.write(`${line}\n`),
        ),
      ),
    );
  addPipelineCommands(program, run);
  markMerchantCommands(program);
  return program;
}

type Run = (
  action: (schemas: SchemaRegistry, config: Config) => Promise<number>,
  extraFlags?: Partial<Record<keyof Config, unknown>>,
) => Promise<void>;
type Format = 'xml' | 'flat' | 'json' | 'text' | 'listings';
/** A processing report's formats (the feed's own by default). */
const formatOption = (): Option =>
  new Option('--format <format>', "report format (default: the feed's own)").choices(FORMATS);
/** Commands that show records rather than reports: text for people, JSON for scripts. */
const shownAs = (): Option =>
  new Option('--format <format>', 'output format (default: text)').choices(['text', 'json']);

/** The version in package.json (beside dist/ in a build and in an installed package alike). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The commands that act for one merchant (requireMerchant), by their path. */
const MERCHANT_COMMANDS = new Set([
  'orders import',
  'process',
  'submit',
  'keys create',
  'cancel-order',
  'cancel-orders',
  'order',
  'inventory',
]);

/** Says in each such command's --help that it needs the global --merchant, which commander lists apart. */
function markMerchantCommands(program: Command): void {
  const walk = (command: Command, path: string[]): void => {
    for (const sub of command.commands) {
      const name = [...path, sub.name()].join(' ');
      if (MERCHANT_COMMANDS.has(name))
        sub.addHelpText(
          'after',
          `\nRequired: --merchant ID (or FEEDPROC_MERCHANT), e.g. feedproc ${name} … --merchant ID`,
        );
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(program, []);
}
const portNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CommanderError(2, 'feedproc.usage', `not a port number: ${value}`);
  return n;
};
const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderError(2, 'feedproc.usage', `not a positive whole number: ${value}`);
  return n;
};

function addPipelineCommands(program: Command, run: Run): void {
  const out = process.stdout;
  const orders = program.command('orders').description('order reports');
  orders
    .command('import')
    .description("load Amazon's order report (_GET_FLAT_FILE_ORDERS_DATA_) into the ledger")
    .argument('<file>')
    .action((file: string) =>
      run(async (schemas, config) =>
        (await import('./commands/ledger.js')).runOrdersImport(config, schemas, file, out),
      ),
    );
  program
    .command('process')
    .description('submit a feed, apply it with workers in this process, print the report')
    .argument('<file>')
    .option('--type <feedType>', 'the feed type the file must be')
    .option('--workers <n>', 'concurrent jobs', positive, 2)
    .addOption(formatOption())
    .action((file: string, o: { type?: string; workers: number; format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/pipeline.js')).runProcess(config, schemas, { file, ...o }, out),
      ),
    );
  program
    .command('submit')
    .description('register and enqueue a feed; prints its FeedSubmissionId (the report with --wait)')
    .argument('<file>')
    .option('--type <feedType>', 'the feed type the file must be')
    .option('--wait', 'wait for the workers and print the report', false)
    .addOption(formatOption())
    .action((file: string, o: { type?: string; wait: boolean; format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/pipeline.js')).runSubmit(config, schemas, { file, ...o }, out),
      ),
    );
  program
    .command('worker')
    .description('run BullMQ workers that apply queued feeds (scale out with more of these)')
    .option('--concurrency <n>', 'concurrent jobs', positive, 4)
    .action((o: { concurrency: number }) =>
      run(async (schemas, config) =>
        (await import('./commands/pipeline.js')).runWorker(config, schemas, o.concurrency, (line) =>
          process.stderr.write(`${line}\n`),
        ),
      ),
    );
  program
    .command('watch')
    .description(
      'watch <feeds-dir>/incoming: claim, process in order per merchant, write reports (with workers unless --no-workers)',
    )
    .option('--no-workers', 'only watch and submit; workers run elsewhere')
    .option('--concurrency <n>', 'concurrent jobs of the workers', positive, 4)
    .action((o: { workers: boolean; concurrency: number }) =>
      run(async (schemas, config) => (await import('./commands/watch.js')).runWatch(config, schemas, o)),
    );
  program
    .command('serve')
    .description(
      'the HTTP API (MWS-compatible and JSON) and web pages, with the drop-folder watcher and workers; what npm start runs',
    )
    .option('--port <port>', 'port to listen on (0: any free one)', portNumber)
    .option('--concurrency <n>', 'concurrent jobs of the workers', positive, 4)
    .action((o: { port?: number; concurrency: number }) =>
      run(
        async (schemas, config) => (await import('./commands/serve.js')).runServe(config, schemas, o),
        o.port === undefined ? {} : { httpPort: o.port },
      ),
    );
  const keys = program.command('keys').description('access keys of the HTTP API and web pages');
  keys
    .command('create')
    .description('a new key for --merchant (or, with --operator, for the queue dashboard); prints the secret key once')
    .option('--operator', "an operator's key: opens the queue dashboard /web/queues only, no merchant", false)
    .addOption(shownAs())
    .action((o: { format?: Format; operator: boolean }) =>
      run(async (schemas, config) =>
        (await import('./commands/keys.js')).runKeysCreate(config, schemas, o.format === 'json', out, o.operator),
      ),
    );
  keys
    .command('list')
    .description('the keys (of --merchant, or all)')
    .addOption(shownAs())
    .action((o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/keys.js')).runKeysList(config, schemas, o.format === 'json', out),
      ),
    );
  keys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<accessKeyId>')
    .action((id: string) =>
      run(async (schemas, config) => (await import('./commands/keys.js')).runKeysRevoke(config, schemas, id, out)),
    );
  const destinations = program
    .command('destinations')
    .description('where FEED_PROCESSING_FINISHED notifications of --merchant are POSTed');
  destinations
    .command('add')
    .description('a new destination; prints its signing secret once')
    .requiredOption('--url <url>', 'the http(s) URL that receives the notifications')
    .addOption(formatOption())
    .action((o: { url: string; format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/destinations.js')).runDestinationsAdd(
          config,
          schemas,
          o.url,
          o.format === 'json',
          out,
        ),
      ),
    );
  destinations
    .command('list')
    .description('the destinations of --merchant')
    .addOption(formatOption())
    .action((o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/destinations.js')).runDestinationsList(config, schemas, o.format === 'json', out),
      ),
    );
  destinations
    .command('remove')
    .description('stop sending to a destination')
    .argument('<destinationId>')
    .action((id: string) =>
      run(async (schemas, config) =>
        (await import('./commands/destinations.js')).runDestinationsRemove(config, schemas, id, out),
      ),
    );
  program
    .command('cancel-order')
    .description('cancel an order (or --item codes / quantities), as the Manage Orders "Cancel order" action')
    .argument('<amazonOrderId>')
    .requiredOption('--reason <reason>', 'an acknowledgement CancelReason, e.g. NoInventory, BuyerCanceled')
    .option('--note <text>', "the seller's note")
    .option(
      '--item <code[:qty]>',
      'an item to cancel (repeat for more); all open units unless :qty',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addOption(shownAs())
    .action((orderId: string, o: { reason: string; note?: string; item: string[]; format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/cancel.js')).runCancelOrder(
          config,
          schemas,
          {
            orderId,
            reason: o.reason,
            ...(o.note === undefined ? {} : { note: o.note }),
            items: o.item,
            json: o.format === 'json',
          },
          out,
        ),
      ),
    );
  program
    .command('cancel-orders')
    .description('cancel the orders listed in FILE (lines: order-id[<TAB>reason[<TAB>note]]), one result per line')
    .argument('<file>')
    .option('--reason <reason>', 'the reason for lines that give none')
    .addOption(shownAs())
    .action((file: string, o: { reason?: string; format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/cancel.js')).runCancelOrders(
          config,
          schemas,
          { file, ...(o.reason === undefined ? {} : { reason: o.reason }), json: o.format === 'json' },
          out,
        ),
      ),
    );
  program
    .command('metrics')
    .description("the seller's pre-fulfillment cancel rate, per merchant (all merchants without --merchant)")
    .option('--days <n>', 'window by purchase date', positive, 7)
    .addOption(shownAs())
    .action((o: { days: number; format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/metrics.js')).runMetrics(
          config,
          schemas,
          { days: o.days, json: o.format === 'json' },
          out,
        ),
      ),
    );
  program
    .command('notify')
    .description("send the buyers' cancellation e-mails (FEEDPROC_SMTP_URL, or .eml files in <feeds-dir>/outbox/)")
    .action(() => run(async (schemas, config) => (await import('./commands/notify.js')).runNotify(config, schemas)));
  program
    .command('feeds')
    .description('list feed submissions')
    .addOption(shownAs())
    .action((o: { format?: Format }) =>
      run(async (schemas, config) => (await import('./commands/pipeline.js')).runFeeds(config, schemas, o.format, out)),
    );
  program
    .command('report')
    .description("print a feed's processing report")
    .argument('<feedSubmissionId>')
    .addOption(formatOption())
    .action((id: string, o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/pipeline.js')).runReport(config, schemas, id, o.format, out),
      ),
    );
  program
    .command('order')
    .description("show an order's ledger state")
    .argument('<amazonOrderId>')
    .addOption(shownAs())
    .action((id: string, o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/ledger.js')).runOrder(config, schemas, id, o.format, out),
      ),
    );
  program
    .command('inventory')
    .description("show a SKU's inventory record")
    .argument('<sku>')
    .addOption(shownAs())
    .action((sku: string, o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/ledger.js')).runInventory(config, schemas, sku, o.format, out),
      ),
    );
}

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
