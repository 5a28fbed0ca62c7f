/** The commands that show or change records: access keys, destinations, cancellations, feeds and the ledger. */
import type { Command } from 'commander';
import { type Format, type Run, formatOption, forMerchant, positive, shownAs } from './program-options.js';

export function addRecordCommands(program: Command, run: Run): void {
  const out = process.stdout;
  const keys = program.command('keys').description('access keys of the HTTP API and web pages');
  forMerchant(keys.command('create'))
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
  forMerchant(destinations.command('add'))
    .description('a new destination; prints its signing secret once')
    .requiredOption('--url <url>', 'the http(s) URL that receives the notifications')
    .addOption(shownAs())
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
  forMerchant(destinations.command('list'))
    .description('the destinations of --merchant')
    .addOption(shownAs())
    .action((o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/destinations.js')).runDestinationsList(config, schemas, o.format === 'json', out),
      ),
    );
  forMerchant(destinations.command('remove'))
    .description('stop sending to a destination')
    .argument('<destinationId>')
    .action((id: string) =>
      run(async (schemas, config) =>
        (await import('./commands/destinations.js')).runDestinationsRemove(config, schemas, id, out),
      ),
    );
  forMerchant(program.command('cancel-order'))
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
  forMerchant(program.command('cancel-orders'))
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
  forMerchant(program.command('order'))
    .description("show an order's ledger state")
    .argument('<amazonOrderId>')
    .addOption(shownAs())
    .action((id: string, o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/ledger.js')).runOrder(config, schemas, id, o.format, out),
      ),
    );
  forMerchant(program.command('inventory'))
    .description("show a SKU's inventory record")
    .argument('<sku>')
    .addOption(shownAs())
    .action((sku: string, o: { format?: Format }) =>
      run(async (schemas, config) =>
        (await import('./commands/ledger.js')).runInventory(config, schemas, sku, o.format, out),
      ),
    );
}
