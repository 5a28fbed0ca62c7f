/** `feedproc metrics [--days 7] [--merchant M]`: the cancel rate (JSON shape: docs/reports.md#cancel-rate). */
import { cancelRate, formatRate, merchantsWithOrders, type CancelRate } from '../../apply/cancel-rate.js';
import type { Config } from '../../core/config.js';
import type { SchemaRegistry } from '../../validate/index.js';
import { EXIT } from '../exit-codes.js';
import { openRuntime } from '../runtime.js';

export async function runMetrics(
  config: Config,
  schemas: SchemaRegistry,
  args: { days: number; json: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const runtime = await openRuntime(config, schemas, { workers: false, readOnly: true });
  try {
    const redis = runtime.deps.redis;
    const merchants = config.merchantId ? [config.merchantId] : await merchantsWithOrders(redis, config.prefix);
    const rates: CancelRate[] = [];
    for (const merchant of merchants) rates.push(await cancelRate(redis, config.prefix, merchant, args.days));
    if (args.json) out.write(`${JSON.stringify(config.merchantId ? rates[0] : rates, null, 2)}\n`);
    else for (const r of rates) out.write(`${rateLine(r)}\n`);
    return EXIT.OK;
  } finally {
    await runtime.close();
  }
}

function rateLine(r: CancelRate): string {
  return `${r.merchantId}: ${r.sellerCancelledOrders} of ${r.orders} orders cancelled by the seller in the last ${r.windowDays} days: ${formatRate(r.cancelRate)} (target < ${formatRate(r.target)}): ${r.status}`;
}
