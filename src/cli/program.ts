/**
 * The command tree of `feedproc`: every command, its arguments and options, and which module runs it. main.ts
 * parses with it; tests walk it to reach every command.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { addRecordCommands } from './program-records.js';
import {
  type Format,
  type Run,
  REPORT_FORMATS,
  formatOption,
  forMerchant,
  portNumber,
  positive,
} from './program-options.js';

// Each command's module is imported when that command runs: `feedproc validate` then never loads fastify,
// BullMQ or the HTTP pages, which halves its start-up (tests and scripts start it thousands of times).

export function buildProgram(run: Run): Command {
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
        REPORT_FORMATS,
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
  addRecordCommands(program, run);
  return program;
}

/** The version in package.json (beside dist/ in a build and in an installed package alike). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function addPipelineCommands(program: Command, run: Run): void {
  const out = process.stdout;
  const orders = program.command('orders').description('order reports');
  forMerchant(orders.command('import'))
    .description("load Amazon's order report (_GET_FLAT_FILE_ORDERS_DATA_) into the ledger")
    .argument('<file>')
    .action((file: string) =>
      run(async (schemas, config) =>
        (await import('./commands/ledger.js')).runOrdersImport(config, schemas, file, out),
      ),
    );
  forMerchant(program.command('process'))
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
  forMerchant(program.command('submit'))
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
}
