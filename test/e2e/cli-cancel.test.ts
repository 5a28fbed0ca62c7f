/**
 * The seller's "Cancel order" from the command line (issue 5, items 1–2): whole orders, items, quantities,
 * refusals after shipment, the seller's note, the stock rules, and a file of orders with one result per line —
 * real CLI processes on the test redis-server, with the ledger read back each time.
 */
import { Redis } from 'ioredis';
import { CANCEL_REASONS } from '../../src/core/cancel-reasons.js';
import { runCli } from '../helpers/cli.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { makeTempDir } from '../helpers/tmp.js';
import { readFileSync } from 'node:fs';

const MERCHANT = 'A1KW3PLX9Q7ZT2';
const prefix = uniquePrefix();
const env = {
  ...process.env,
  FEEDPROC_REDIS_URL: testRedisUrl(),
  FEEDPROC_PREFIX: prefix,
  FEEDPROC_MERCHANT: MERCHANT,
};
const cli = (args: string[]) => runCli(args, { env });
const tmp = makeTempDir('feedproc-cancel-');

interface OrderJson {
  status: string;
  sellerNote?: string;
  items: Array<{
    amazonOrderItemCode: string;
    quantityOrdered: number;
    quantityShipped: number;
    quantityCancelled: number;
  }>;
}
const order = async (id: string): Promise<OrderJson> =>
  JSON.parse((await cli(['order', id, '--format', 'json'])).stdout) as OrderJson;
const cancelled = (o: OrderJson) => o.items.map((i) => i.quantityCancelled);
const stock = async (sku: string) =>
  JSON.parse((await cli(['inventory', sku, '--format', 'json'])).stdout) as { quantity: number };

beforeAll(async () => {
  expect((await cli(['orders', 'import', 'samples/order-report.txt'])).code).toBe(0);
  const stockFile = tmp.file(
    'stock.txt',
    'sku\tquantity\nKUBEK-350-NIEBIESKI\t10\nDESKA-BUK-40X25\t4\nOSTRZALKA-1000-6000\t7\nKUBEK-350-ZIELONY\t9\n',
  );
  expect((await cli(['process', stockFile])).code).toBe(0);
});
afterAll(async () => {
  const redis = new Redis(testRedisUrl());
  await removePrefix(redis, prefix);
  await redis.quit();
  tmp.cleanup();
});

describe('feedproc cancel-order', () => {
  it('accepts exactly the acknowledgement CancelReason list of the schemas', () => {
    const schema = JSON.parse(readFileSync('schemas/order-acknowledgement.schema.json', 'utf8')) as {
      properties: { Item: { items: { properties: { CancelReason: { items: { enum: string[] } } } } } };
    };
    expect([...CANCEL_REASONS]).toEqual(schema.properties.Item.items.properties.CancelReason.items.enum);
  });

  it('cancels a whole order with a note: status, every unit, restock for a reason other than NoInventory, note shown', async () => {
    const result = await cli([
      'cancel-order',
      '405-3812004-6650731',
      '--reason',
      'BuyerCanceled',
      '--note',
      'Klient zrezygnował — prośba telefoniczna',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ amazonOrderId: '405-3812004-6650731', result: 'Cancelled' });
    const o = await order('405-3812004-6650731');
    expect([o.status, cancelled(o), o.sellerNote]).toEqual([
      'Canceled',
      [3, 1],
      'Klient zrezygnował — prośba telefoniczna',
    ]);
    expect((await stock('KUBEK-350-NIEBIESKI')).quantity).toBe(13);
    expect((await stock('DESKA-BUK-40X25')).quantity).toBe(5);
    expect((await cli(['order', '405-3812004-6650731'])).stdout).toMatch(
      /seller's note: Klient zrezygnował — prośba telefoniczna/,
    );
  });

  it('cancels some items and some quantities; NoInventory sets the SKU to 0', async () => {
    expect(
      (await cli(['cancel-order', '405-8836204-1127759', '--reason', 'NoInventory', '--item', '50317567753311:2']))
        .stdout,
    ).toBe('405-8836204-1127759: cancelled\n');
    let o = await order('405-8836204-1127759');
    expect([o.status, cancelled(o)]).toEqual(['Unshipped', [2, 0]]);
    expect((await stock('KUBEK-350-ZIELONY')).quantity).toBe(0);
    expect(
      (await cli(['cancel-order', '405-8836204-1127759', '--reason', 'CustomerExchange', '--item', '50317567753329']))
        .code,
    ).toBe(0);
    o = await order('405-8836204-1127759');
    expect(cancelled(o)).toEqual([2, 1]);
  });

  it('refuses once shipped, more than is open, and unknown orders — changing nothing', async () => {
    const ship = tmp.file(
      'ship.txt',
      'order-id\torder-item-id\tquantity\tship-date\tcarrier-code\ttracking-number\n405-9046611-4417320\t50317512208834\t1\t2026-11-21\tDPD\tDPD1\n',
    );
    expect((await cli(['process', ship])).code).toBe(0);
    const whole = await cli(['cancel-order', '405-9046611-4417320', '--reason', 'NoInventory']);
    expect(whole).toMatchObject({ code: 3, stdout: expect.stringMatching(/^405-9046611-4417320: refused: .*shipped/) });
    const tooMany = await cli([
      'cancel-order',
      '405-9046611-4417320',
      '--reason',
      'NoInventory',
      '--item',
      '50317512208842:3',
      '--format',
      'json',
    ]);
    expect(JSON.parse(tooMany.stdout)).toMatchObject({ result: 'Refused', resultMessageCode: 97104 });
    expect(cancelled(await order('405-9046611-4417320'))).toEqual([0, 0]);
    expect((await stock('OSTRZALKA-1000-6000')).quantity).toBe(7);
    expect(
      JSON.parse(
        (await cli(['cancel-order', '405-0000000-0000000', '--reason', 'NoInventory', '--format', 'json'])).stdout,
      ),
    ).toMatchObject({ resultMessageCode: 18028 });
  });

  it('refuses an unknown reason or a malformed item with one usage line', async () => {
    const bad = await cli(['cancel-order', '405-2268390-5512084', '--reason', 'Changed mind']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^feedproc: CLI_USAGE: unknown cancel reason Changed mind; one of NoInventory, /);
    expect((await cli(['cancel-order', '405-2268390-5512084', '--reason', 'NoInventory', '--item', 'abc'])).code).toBe(
      2,
    );
  });
});

describe('feedproc cancel-orders', () => {
  it('cancels a file of orders with one result per line, and cancels nothing twice when the file is run again', async () => {
    const file = tmp.file(
      'cancel.txt',
      'order-id\treason\tnote\n405-7720193-2281946\tNoInventory\tbrak towaru\n406-6620931-3348201\n405-0000000-0000001\tNoInventory\n407-5531702-1189363\tNo such reason\n405-4479125-8803316\tWeatherDelay\n',
    );
    const first = await cli(['cancel-orders', file, '--reason', 'GeneralAdjustment']);
    expect(first.code).toBe(3);
    expect(first.stdout.split('\n').filter(Boolean)).toEqual([
      'line 2: 405-7720193-2281946: cancelled',
      'line 3: 406-6620931-3348201: cancelled',
      expect.stringMatching(/^line 4: 405-0000000-0000001: refused: /),
      expect.stringMatching(/^line 5: 407-5531702-1189363: refused: unknown cancel reason No such reason/),
      'line 6: 405-4479125-8803316: cancelled',
    ]);
    expect((await order('405-7720193-2281946')).sellerNote).toBe('brak towaru');
    const again = await cli(['cancel-orders', file, '--reason', 'GeneralAdjustment', '--format', 'json']);
    const results = JSON.parse(again.stdout) as Array<{ line: number; result: string }>;
    expect(results.filter((r) => r.result === 'Cancelled').map((r) => r.line)).toEqual([2, 3, 6]); // the stored outcomes, nothing applied again
    const redis = new Redis(testRedisUrl());
    const events = await redis.xrange(`${prefix}:{m:${MERCHANT}}:events`, '-', '+');
    await redis.quit();
    const sellerEvents = events.filter(([, fields]) => fields.includes('seller'));
    expect(sellerEvents.filter(([, fields]) => fields.includes('405-7720193-2281946'))).toHaveLength(1);
    expect((await order('407-5531702-1189363')).status).toBe('Unshipped');
  });
});
